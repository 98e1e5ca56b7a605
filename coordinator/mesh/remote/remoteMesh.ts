/**
 * The coordinator's side of remote mesh nodes: which node keys are admitted (from the
 * deployment manifest), which nodes are registered and on which host socket, their
 * heartbeats and last-seen times, and the requests in flight to them (FL fits and
 * probes). Every node message is verified here before anything else happens: known
 * node id, signature recovering to the admitted address, not banned in MeshPolicy,
 * sequence number above the last one seen (no replays) and a plausible clock.
 *
 * Framework-free: the API layer (`coordinator/api/mesh.ts`) feeds it HTTP bodies and
 * socket frames; the host sockets reach it as {@link HostChannel}s.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { getAddress, type Address, type Hex } from "viem";
import type { z } from "zod";
import { NodeMessageRejectedError, NodeNotConnectedError, RemoteFitError, RemoteNodeTimeoutError, type NodeMessageRejection } from "../../errors/mesh.ts";
import type { FitInstruction, SignedUpdate } from "../../fl/client.ts";
import type { Logger } from "../../logger.ts";
import { recoverNodeMessageSigner, type NodeMessageKind, type SignedNodeMessage } from "./nodeMessage.ts";
import {
  decodeParams,
  encodeParams,
  HeartbeatPayloadSchema,
  HostToCoordinatorSchema,
  type HeartbeatPayload,
  ProbePayloadSchema,
  RegisterPayloadSchema,
  SignedNodeMessageSchema,
  UpdatePayloadSchema,
  type CoordinatorToHost,
} from "./wire.ts";

/** A node key the coordinator accepts (an entry of the deployment manifest). */
export type AdmittedNode = { nodeId: string; address: Address; hostId: string; batch?: string | undefined };

/** The coordinator's end of one host's socket. */
export type HostChannel = {
  send(message: CoordinatorToHost): void;
  close(reason: string): void;
};

/** What the coordinator knows about a registered node. */
export type RemoteNodeView = {
  nodeId: string;
  address: Address;
  hostId: string;
  batch: string | null;
  connected: boolean;
  bootId: string;
  pid: number;
  heartbeatMs: number;
  numExamples: number;
  registeredAt: number;
  lastSeenAt: number;
  heartbeats: number;
  roundsTrained: number;
  failures: number;
  loopLagMs: number;
};

/** One node's health as the deployment check sees it. */
export type NodeHealth = {
  nodeId: string;
  admitted: boolean;
  registered: boolean;
  connected: boolean;
  heartbeats: number;
  /** Milliseconds since the last heartbeat (or registration), `null` if never registered. */
  lastSeenAgeMs: number | null;
  heartbeating: boolean;
  probe: { ok: boolean; rttMs: number | null; error: string | null } | null;
  healthy: boolean;
  /** Why not healthy, one line; `null` when healthy. */
  problem: string | null;
};

/** Counters for metrics and the heartbeat benchmark. */
export type RemoteMeshStats = {
  registrations: number;
  heartbeats: number;
  rejected: Partial<Record<NodeMessageRejection, number>>;
  fitsSent: number;
  updatesReceived: number;
  updatesLate: number;
  fitsFailed: number;
  fitsTimedOut: number;
  probes: number;
};

/** Options of {@link RemoteMesh}. */
export type RemoteMeshParameters = {
  /** Lower-case addresses MeshPolicy bans; read on every message. Default: none. */
  bannedAddresses?: () => ReadonlySet<string>;
  /** Largest accepted |sentAt − now|, ms; default 60 000. */
  maxClockSkewMs?: number;
  /** Called when a node registers (FL can train it from now on). */
  onNodeUp?: (node: RemoteNodeView) => void;
  /** Called when a node is deregistered (FL must stop sampling it). */
  onNodeDown?: (nodeId: string) => void;
  /** Sees each update that arrived in time, before the round runner validates it. */
  onUpdate?: (update: SignedUpdate) => void;
  /** Sees each accepted heartbeat (MAPE-K's monitor is fed from here). */
  onHeartbeat?: (node: RemoteNodeView, heartbeat: HeartbeatPayload & { sentAt: number }) => void;
  logger?: Logger;
  now?: () => number;
};

/**
 * Anti-replay window (after IPsec's): a sequence number is accepted once, and only if
 * it is above the node's highest minus this. Nodes use their clock in µs as sequence
 * numbers, so this is 60 s: messages sent concurrently on the socket and over HTTP
 * may arrive out of order without being refused, and anything older is refused
 * (the sentAt check bounds the rest).
 */
const REPLAY_WINDOW = 60_000_000;

type NodeState = RemoteNodeView & { sessionId: string };
type PendingFit = { nodeId: string; resolve: (update: SignedUpdate) => void; reject: (error: Error) => void; cleanup: () => void };
type PendingProbe = { nodeId: string; nonce: string; resolve: () => void; reject: (error: Error) => void };

/**
 * @example
 * import { RemoteMesh } from "./remoteMesh.ts";
 * const mesh = new RemoteMesh({ onNodeUp: (node) => console.log(`${node.nodeId} joined`) });   // NodeMesh (../nodeMesh.ts) wires it to FL
 * mesh.admit([{ nodeId: "node-000", address: "0x…", hostId: "host-0" }]);
 * // the API layer: mesh.openSession(channel), mesh.register(body), mesh.heartbeat(body), mesh.receiveUpdate(body)
 * const health = await mesh.health(["node-000"], { probe: true });
 */
export class RemoteMesh {
  #admitted = new Map<string, AdmittedNode>();
  #nodes = new Map<string, NodeState>();
  #sessions = new Map<string, { channel: HostChannel; nodes: Set<string> }>();
  #seen = new Map<string, { max: number; recent: Set<number> }>();
  #fits = new Map<string, PendingFit>();
  #probes = new Map<string, PendingProbe>();
  #encoded = new WeakMap<Float32Array, string>();
  /** Why each node's last refused message was refused (the health check reports it). */
  #rejections = new Map<string, string>();
  #p: RemoteMeshParameters;
  #now: () => number;
  #maxSkew: number;
  readonly stats: RemoteMeshStats = { registrations: 0, heartbeats: 0, rejected: {}, fitsSent: 0, updatesReceived: 0, updatesLate: 0, fitsFailed: 0, fitsTimedOut: 0, probes: 0 };

  constructor(parameters: RemoteMeshParameters = {}) {
    this.#p = parameters;
    this.#now = parameters.now ?? Date.now;
    this.#maxSkew = parameters.maxClockSkewMs ?? 60_000;
  }

  /** Accepts these node keys from now on (replacing an earlier entry of the same id). */
  admit(nodes: readonly AdmittedNode[]): { admitted: number } {
    for (const node of nodes) {
      const previous = this.#admitted.get(node.nodeId);
      // A new key for a known id (a redeploy) drops whatever the old key registered.
      if (previous && previous.address !== node.address) this.#drop(node.nodeId, "re-admitted with a new key");
      this.#admitted.set(node.nodeId, { ...node, address: getAddress(node.address) });
    }
    return { admitted: nodes.length };
  }

  /** Forgets these nodes: no longer admitted, unregistered from FL, told on their socket. */
  deregister(nodeIds: readonly string[], reason: string): { deregistered: string[] } {
    const done: string[] = [];
    for (const nodeId of nodeIds) {
      const known = this.#admitted.delete(nodeId);
      const registered = this.#drop(nodeId, reason);
      if (known || registered) done.push(nodeId);
    }
    return { deregistered: done };
  }

  #drop(nodeId: string, reason: string): boolean {
    const node = this.#nodes.get(nodeId);
    if (!node) return false;
    this.#nodes.delete(nodeId);
    const session = this.#sessions.get(node.sessionId);
    session?.nodes.delete(nodeId);
    try {
      session?.channel.send({ type: "deregistered", nodeId, reason });
    } catch {
      // The socket is already gone; the node is dropped either way.
    }
    this.#failPending(nodeId, new NodeNotConnectedError({ nodeId, reason }));
    this.#p.onNodeDown?.(nodeId);
    this.#p.logger?.info({ nodeId, reason }, "remote node deregistered");
    return true;
  }

  #failPending(nodeId: string, error: Error): void {
    for (const pending of [...this.#fits.values()]) if (pending.nodeId === nodeId) pending.reject(error);
    for (const [id, probe] of this.#probes) {
      if (probe.nodeId !== nodeId) continue;
      this.#probes.delete(id);
      probe.reject(error);
    }
  }

  /** The admitted node keys. */
  admitted(): AdmittedNode[] {
    return [...this.#admitted.values()];
  }

  /** One node id's admitted key and host, if admitted (host agents are checked against it). */
  admittedNode(nodeId: string): AdmittedNode | undefined {
    const node = this.#admitted.get(nodeId);
    return node ? { ...node } : undefined;
  }

  /** A host socket connected: returns its session id (sent to it in `hello`). */
  openSession(channel: HostChannel): string {
    const sessionId = randomUUID();
    this.#sessions.set(sessionId, { channel, nodes: new Set() });
    channel.send({ type: "hello", sessionId });
    return sessionId;
  }

  /** A host socket closed: its nodes are disconnected (still registered, not reachable). */
  closeSession(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (!session) return;
    this.#sessions.delete(sessionId);
    for (const nodeId of session.nodes) {
      const node = this.#nodes.get(nodeId);
      if (node && node.sessionId === sessionId) node.connected = false;
      this.#failPending(nodeId, new NodeNotConnectedError({ nodeId, reason: "its host's socket closed" }));
    }
  }

  #reject(nodeId: string, reason: NodeMessageRejection, detail: string): never {
    this.stats.rejected[reason] = (this.stats.rejected[reason] ?? 0) + 1;
    if (nodeId && this.#admitted.has(nodeId)) this.#rejections.set(nodeId, `${reason}: ${detail}`);
    this.#p.logger?.debug({ nodeId, reason, detail }, "node message refused");
    throw new NodeMessageRejectedError({ nodeId, reason, detail });
  }

  /**
   * Checks a signed message: well-formed, of the expected kind, from an admitted node
   * whose key signed it, not banned, not replayed, clock within the allowed skew.
   * Advances the node's sequence number.
   */
  #verify<T extends z.ZodType>(raw: unknown, kind: NodeMessageKind, payloadSchema: T): { message: SignedNodeMessage; admitted: AdmittedNode; payload: z.infer<T> } {
    const parsed = SignedNodeMessageSchema.safeParse(raw);
    const claimed = typeof raw === "object" && raw !== null && "nodeId" in raw && typeof raw.nodeId === "string" ? raw.nodeId.slice(0, 96) : "";
    if (!parsed.success) this.#reject(claimed, "malformed", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    const message = parsed.data as SignedNodeMessage;
    if (message.kind !== kind) this.#reject(message.nodeId, "malformed", `expected a ${kind} message, got ${message.kind}`);
    const admitted = this.#admitted.get(message.nodeId);
    if (!admitted) this.#reject(message.nodeId, "unknown-node", "no admitted key for this node id (not in the deployment manifest)");
    const signer = recoverNodeMessageSigner(message);
    if (!signer) this.#reject(message.nodeId, "bad-signature", "the signature does not recover to a key");
    if (signer !== admitted.address) this.#reject(message.nodeId, "wrong-key", `signed by ${signer}, admitted key is ${admitted.address}`);
    if (this.#p.bannedAddresses?.().has(signer.toLowerCase())) this.#reject(message.nodeId, "banned", `${signer} is banned in MeshPolicy`);
    const seen = this.#seen.get(message.nodeId) ?? { max: -1, recent: new Set<number>() };
    if (message.seq <= seen.max - REPLAY_WINDOW || seen.recent.has(message.seq)) {
      this.#reject(message.nodeId, "replay", `seq ${message.seq} was seen before or is older than the replay window (latest ${seen.max})`);
    }
    const skew = message.sentAt - this.#now();
    if (Math.abs(skew) > this.#maxSkew) this.#reject(message.nodeId, "clock-skew", `sentAt is ${skew} ms off the coordinator's clock (max ${this.#maxSkew})`);
    let payload: z.infer<T>;
    try {
      const decoded = payloadSchema.safeParse(JSON.parse(message.payload));
      if (!decoded.success) this.#reject(message.nodeId, "malformed", decoded.error.issues.map((i) => `payload.${i.path.join(".")}: ${i.message}`).join("; "));
      payload = decoded.data as z.infer<T>;
    } catch (error) {
      if (error instanceof NodeMessageRejectedError) throw error;
      this.#reject(message.nodeId, "malformed", "payload is not JSON");
    }
    seen.recent.add(message.seq);
    seen.max = Math.max(seen.max, message.seq);
    if (seen.recent.size > 512) for (const seq of seen.recent) if (seq <= seen.max - REPLAY_WINDOW) seen.recent.delete(seq);
    this.#seen.set(message.nodeId, seen);
    return { message, admitted, payload };
  }

  /**
   * `register`: binds the node to its host's socket session and makes it trainable.
   * @throws {NodeMessageRejectedError} when the message fails verification or the session is unknown.
   */
  register(raw: unknown): { nodeId: string; heartbeatMs: number; serverTime: number } {
    const { message, admitted, payload } = this.#verify(raw, "register", RegisterPayloadSchema);
    const session = this.#sessions.get(payload.sessionId);
    if (!session) this.#reject(message.nodeId, "not-registered", "unknown socket session: connect to /api/mesh/ws first");
    const previous = this.#nodes.get(message.nodeId);
    if (previous && previous.sessionId !== payload.sessionId) this.#sessions.get(previous.sessionId)?.nodes.delete(message.nodeId);
    const now = this.#now();
    const node: NodeState = {
      nodeId: message.nodeId,
      address: admitted.address,
      hostId: payload.hostId,
      batch: admitted.batch ?? null,
      connected: true,
      sessionId: payload.sessionId,
      bootId: payload.bootId,
      pid: payload.pid,
      heartbeatMs: payload.heartbeatMs,
      numExamples: payload.numExamples,
      registeredAt: now,
      lastSeenAt: now,
      heartbeats: 0,
      roundsTrained: 0,
      failures: 0,
      loopLagMs: 0,
    };
    this.#nodes.set(message.nodeId, node);
    session.nodes.add(message.nodeId);
    this.stats.registrations++;
    if (!previous) this.#p.onNodeUp?.(this.#view(node));
    this.#p.logger?.debug({ nodeId: node.nodeId, hostId: node.hostId, bootId: node.bootId }, "remote node registered");
    return { nodeId: node.nodeId, heartbeatMs: node.heartbeatMs, serverTime: now };
  }

  /**
   * `heartbeat`: refreshes last-seen. A heartbeat from a node that is not registered
   * (the coordinator restarted, or the node was deregistered) is refused with 409 so
   * the host registers again.
   */
  heartbeat(raw: unknown): { serverTime: number } {
    const now = this.#now();
    this.#record(this.#verifyHeartbeat(raw), now);
    return { serverTime: now };
  }

  /** Verifies a heartbeat (signature, sequence, clock, registration) without recording it. */
  #verifyHeartbeat(raw: unknown): { node: NodeState; payload: HeartbeatPayload; sentAt: number } {
    const { message, payload } = this.#verify(raw, "heartbeat", HeartbeatPayloadSchema);
    const node = this.#nodes.get(message.nodeId);
    if (!node || node.bootId !== payload.bootId) this.#reject(message.nodeId, "not-registered", node ? "a new boot: register again" : "register first");
    return { node, payload, sentAt: message.sentAt };
  }

  #record({ node, payload, sentAt }: { node: NodeState; payload: HeartbeatPayload; sentAt: number }, now: number): void {
    node.lastSeenAt = now;
    node.heartbeats++;
    node.roundsTrained = payload.roundsTrained;
    node.failures = payload.failures;
    node.loopLagMs = payload.loopLagMs;
    this.stats.heartbeats++;
    try {
      this.#p.onHeartbeat?.(this.#view(node), { ...payload, sentAt });
    } catch (err) {
      // An observer's bug must not refuse a good heartbeat.
      this.#p.logger?.error({ err, nodeId: node.nodeId }, "a heartbeat observer failed");
    }
  }

  /**
   * Many nodes' heartbeats at once (a host sends its nodes' in one request): each is
   * verified on its own; refusals are reported per node instead of failing the lot.
   * They arrived together, so they are recorded together, at the request's arrival,
   * after every signature was checked: the nodes of a host that dies go silent at the
   * same instant to MAPE-K, not a verification apart.
   */
  heartbeats(raws: readonly unknown[]): { serverTime: number; results: Array<{ nodeId: string; ok: boolean; reason: string | null }> } {
    const arrivedAt = this.#now();
    const verified: { node: NodeState; payload: HeartbeatPayload; sentAt: number }[] = [];
    const results = raws.map((raw) => {
      const nodeId = typeof raw === "object" && raw !== null && "nodeId" in raw && typeof raw.nodeId === "string" ? raw.nodeId.slice(0, 96) : "";
      try {
        verified.push(this.#verifyHeartbeat(raw));
        return { nodeId, ok: true, reason: null };
      } catch (error) {
        if (!(error instanceof NodeMessageRejectedError)) throw error;
        return { nodeId, ok: false, reason: error.reason };
      }
    });
    for (const beat of verified) this.#record(beat, arrivedAt);
    return { serverTime: this.#now(), results };
  }

  /**
   * `update`: the answer to a fit request. Resolves the waiting {@link fit}; an update
   * for a request that already timed out is counted as late and not used.
   */
  receiveUpdate(raw: unknown): { accepted: boolean; reason: string | null } {
    const { message, payload } = this.#verify(raw, "update", UpdatePayloadSchema);
    this.stats.updatesReceived++;
    const pending = this.#fits.get(payload.requestId);
    if (!pending || pending.nodeId !== message.nodeId) {
      this.stats.updatesLate++;
      return { accepted: false, reason: "no open fit request with this id for this node (late or unknown)" };
    }
    const params = decodeParams(payload.params);
    if (!params) {
      pending.reject(new RemoteFitError({ nodeId: message.nodeId, reason: "parameters are not whole float32 values" }));
      return { accepted: false, reason: "malformed parameters" };
    }
    const node = this.#nodes.get(message.nodeId);
    if (node) node.lastSeenAt = this.#now();
    const update: SignedUpdate = {
      nodeId: message.nodeId,
      round: payload.round,
      modelVersion: payload.modelVersion,
      params,
      numExamples: payload.numExamples,
      metrics: payload.metrics,
      updateHash: payload.updateHash as Hex,
      signature: payload.signature as Hex,
    };
    this.#p.onUpdate?.(update);
    pending.resolve(update);
    return { accepted: true, reason: null };
  }

  /** A frame from a host socket: probe answers and fit failures. Malformed frames are ignored. */
  onHostFrame(sessionId: string, raw: unknown): void {
    const parsed = HostToCoordinatorSchema.safeParse(raw);
    if (!parsed.success) return;
    const frame = parsed.data;
    if (frame.type === "fit-failed") {
      const pending = this.#fits.get(frame.requestId);
      if (pending && pending.nodeId === frame.nodeId && this.#nodes.get(frame.nodeId)?.sessionId === sessionId) {
        this.stats.fitsFailed++;
        pending.reject(new RemoteFitError({ nodeId: frame.nodeId, reason: frame.reason }));
      }
      return;
    }
    let verified;
    try {
      verified = this.#verify(frame.message, "probe", ProbePayloadSchema);
    } catch {
      return; // counted in stats.rejected; the probe times out
    }
    for (const [id, probe] of this.#probes) {
      if (probe.nodeId === verified.message.nodeId && probe.nonce === verified.payload.nonce) {
        this.#probes.delete(id);
        const node = this.#nodes.get(probe.nodeId);
        if (node) node.lastSeenAt = this.#now();
        probe.resolve();
      }
    }
  }

  #channelOf(nodeId: string): HostChannel {
    const node = this.#nodes.get(nodeId);
    if (!node) throw new NodeNotConnectedError({ nodeId, reason: this.#admitted.has(nodeId) ? "not registered" : "not admitted" });
    const session = this.#sessions.get(node.sessionId);
    if (!node.connected || !session) throw new NodeNotConnectedError({ nodeId, reason: "its host's socket is closed" });
    return session.channel;
  }

  /**
   * Sends a fit request to a node and waits for its signed update (which arrives on
   * `POST /api/mesh/updates`). Rejects when `signal` aborts (the round's deadline),
   * when the node reports a failure, or when its host disconnects.
   */
  fit(nodeId: string, instruction: FitInstruction, signal: AbortSignal): Promise<SignedUpdate> {
    let channel: HostChannel;
    try {
      channel = this.#channelOf(nodeId);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal.aborted) return Promise.reject(new RemoteNodeTimeoutError({ nodeId, what: "fit", timeoutMs: 0 }));
    const requestId = randomUUID();
    // Every node of a round gets the same parameters object: encode it once.
    let params = this.#encoded.get(instruction.params);
    if (params === undefined) this.#encoded.set(instruction.params, (params = encodeParams(instruction.params)));
    const started = this.#now();
    return new Promise<SignedUpdate>((resolve, reject) => {
      const onAbort = () => {
        this.stats.fitsTimedOut++;
        try {
          this.#channelOf(nodeId).send({ type: "cancel", requestId });
        } catch {
          // gone already
        }
        pending.reject(new RemoteNodeTimeoutError({ nodeId, what: `fit for round ${instruction.round}`, timeoutMs: this.#now() - started }));
      };
      const pending: PendingFit = {
        nodeId,
        cleanup: () => {
          this.#fits.delete(requestId);
          signal.removeEventListener("abort", onAbort);
        },
        resolve: (update) => {
          pending.cleanup();
          resolve(update);
        },
        reject: (error) => {
          pending.cleanup();
          reject(error);
        },
      };
      this.#fits.set(requestId, pending);
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        channel.send({ type: "fit", requestId, nodeId, round: instruction.round, modelVersion: instruction.modelVersion, params, config: instruction.config, timeoutMs: 10 * 60_000 });
        this.stats.fitsSent++;
      } catch (cause) {
        pending.reject(new NodeNotConnectedError({ nodeId, reason: `send failed: ${cause instanceof Error ? cause.message : String(cause)}` }));
      }
    });
  }

  /**
   * Asks a node to sign a fresh nonce over its host's socket: proves the node is
   * reachable from the coordinator and holds its key now (a heartbeat only proves it
   * can reach the coordinator).
   *
   * @returns the round-trip time, ms.
   */
  async probe(nodeId: string, timeoutMs = 2000): Promise<number> {
    const channel = this.#channelOf(nodeId);
    const nonce = randomBytes(16).toString("hex");
    const id = randomUUID();
    const started = performance.now();
    this.stats.probes++;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#probes.delete(id);
        reject(new RemoteNodeTimeoutError({ nodeId, what: "a probe", timeoutMs }));
      }, timeoutMs);
      this.#probes.set(id, {
        nodeId,
        nonce,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      channel.send({ type: "probe", nodeId, nonce });
    });
    return performance.now() - started;
  }

  /**
   * The deployment health check for each node: admitted, registered, connected,
   * heartbeating (at least two heartbeats since it registered, the last one within
   * 2.5 heartbeat periods) and, with `probe`, answering a signed probe.
   */
  async health(nodeIds: readonly string[], options: { probe?: boolean; probeTimeoutMs?: number } = {}): Promise<NodeHealth[]> {
    const now = this.#now();
    return Promise.all(
      nodeIds.map(async (nodeId): Promise<NodeHealth> => {
        const admitted = this.#admitted.has(nodeId);
        const node = this.#nodes.get(nodeId);
        const lastSeenAgeMs = node ? now - node.lastSeenAt : null;
        const heartbeating = !!node && node.heartbeats >= 2 && (lastSeenAgeMs ?? Infinity) <= node.heartbeatMs * 2.5;
        let probe: NodeHealth["probe"] = null;
        // Only a node that is otherwise healthy is probed: probing costs a signature on
        // the host and a verification here, and the verdict is "unhealthy" either way.
        if (options.probe && node?.connected && heartbeating) {
          try {
            const rttMs = await this.probe(nodeId, options.probeTimeoutMs ?? 2000);
            probe = { ok: true, rttMs: Math.round(rttMs * 10) / 10, error: null };
          } catch (error) {
            probe = { ok: false, rttMs: null, error: error instanceof Error ? error.message.split("\n")[0]! : String(error) };
          }
        }
        const problem = !admitted
          ? "not admitted"
          : !node
            ? `not registered (refused: ${this.#lastRejection(nodeId) ?? "no message received"})`
            : !node.connected
              ? "host socket closed"
              : !heartbeating
                ? node.heartbeats < 2
                  ? `${node.heartbeats} heartbeat${node.heartbeats === 1 ? "" : "s"} since registering`
                  : `last heartbeat ${lastSeenAgeMs} ms ago (period ${node.heartbeatMs} ms)`
                : options.probe && !probe?.ok
                  ? `probe failed: ${probe?.error ?? "not sent"}`
                  : null;
        return { nodeId, admitted, registered: !!node, connected: !!node?.connected, heartbeats: node?.heartbeats ?? 0, lastSeenAgeMs, heartbeating, probe, healthy: problem === null, problem };
      }),
    );
  }

  #lastRejection(nodeId: string): string | undefined {
    return this.#rejections.get(nodeId);
  }

  #view(node: NodeState): RemoteNodeView {
    const { sessionId: _sessionId, ...view } = node;
    return { ...view };
  }

  /** Registered nodes. */
  nodes(): RemoteNodeView[] {
    return [...this.#nodes.values()].map((node) => this.#view(node));
  }

  /** One registered node, or `undefined`. */
  node(nodeId: string): RemoteNodeView | undefined {
    const node = this.#nodes.get(nodeId);
    return node ? this.#view(node) : undefined;
  }

  /** Open host sockets. */
  sessionCount(): number {
    return this.#sessions.size;
  }

  /** Fails every request in flight and closes every host socket. */
  close(): void {
    for (const pending of [...this.#fits.values()]) pending.reject(new NodeNotConnectedError({ nodeId: pending.nodeId, reason: "the coordinator is shutting down" }));
    for (const [id, probe] of this.#probes) {
      this.#probes.delete(id);
      probe.reject(new NodeNotConnectedError({ nodeId: probe.nodeId, reason: "the coordinator is shutting down" }));
    }
    for (const [sessionId, session] of this.#sessions) {
      session.channel.close("coordinator shutting down");
      this.closeSession(sessionId);
    }
  }
}
