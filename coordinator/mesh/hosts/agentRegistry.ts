/**
 * The coordinator's side of host agents: who is connected on the control socket
 * (`/api/mesh/agent`), which host each connection speaks for, and one `AgentHost` per
 * host id. Framework-free: the API layer (`coordinator/api/mesh.ts`) opens a session
 * per socket and feeds it frames, as for `RemoteMesh`.
 *
 * An agent is accepted for host H when its hello
 * - answers this connection's challenge nonce (a recorded hello is worthless),
 * - is signed by the key admitted for one of the node ids it lists (`agent-hello`
 *   messages are node messages of their own kind), with a plausible clock,
 * - and lists only node ids admitted to host H (the deployment manifest or
 *   `POST /api/mesh/nodes/admit` bind nodes to hosts).
 * A newer accepted connection for the same host replaces the older one.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Hex } from "viem";
import type { Logger } from "../../logger.ts";
import { recoverNodeMessageSigner, type SignedNodeMessage } from "../remote/nodeMessage.ts";
import type { AdmittedNode } from "../remote/remoteMesh.ts";
import { AgentHelloPayloadSchema, AgentToCoordinatorSchema, type AgentHelloPayload } from "./agentWire.ts";
import { AgentHost, type AgentChannel } from "./agentHost.ts";
import { createControlSigner, type ControlSigner } from "./controlMessage.ts";

/** Options of {@link AgentRegistry}. */
export type AgentRegistryParameters = {
  /** The coordinator's control key (`loadOrCreateControlKey`). */
  controlKey: Hex;
  /** The admitted key of a node id, if any (`RemoteMesh.admittedNode`). */
  admitted: (nodeId: string) => AdmittedNode | undefined;
  /** Largest accepted |sentAt − now| of a hello, ms; default 60 000. */
  maxClockSkewMs?: number;
  /** A connection that has not said hello within this is closed, ms; default 10 000. */
  helloTimeoutMs?: number;
  /** Passed to each {@link AgentHost}. */
  commandTimeoutMs?: number;
  startTimeoutMs?: number;
  logger?: Logger;
  now?: () => number;
};

type Session = { channel: AgentChannel; nonce: string; hostId: string | undefined; timer: NodeJS.Timeout | undefined };

/**
 * @example
 * import { loadOrCreateControlKey } from "./controlKey.ts";
 * import { AgentRegistry } from "./agentRegistry.ts";
 * const key = await loadOrCreateControlKey(config.dataDir);
 * const agents = new AgentRegistry({ controlKey: key.privateKey, admitted: (nodeId) => mesh.admittedNode(nodeId), logger });
 * agents.onHostUp((host) => oneMesh.attachHost(host));
 * agents.onHostDown((hostId) => oneMesh.detachHost(hostId));
 * // the API layer: agentRoutes({ agents, logger }) mounts GET /api/mesh/agent and GET /api/mesh/control
 */
export class AgentRegistry {
  readonly #p: AgentRegistryParameters;
  readonly #signer: ControlSigner;
  readonly #now: () => number;
  #sessions = new Map<string, Session>();
  #hosts = new Map<string, AgentHost>();
  /** The session each connected host speaks on. */
  #hostSessions = new Map<string, string>();
  #up = new Set<(host: AgentHost) => void>();
  #down = new Set<(hostId: string) => void>();
  /** Refused hellos by reason (for logs and tests). */
  readonly refusals: Record<string, number> = {};

  constructor(parameters: AgentRegistryParameters) {
    this.#p = parameters;
    this.#signer = createControlSigner(parameters.controlKey, parameters.now);
    this.#now = parameters.now ?? Date.now;
  }

  /** The address agents must be started with (`--control-address`). */
  get controlAddress(): `0x${string}` {
    return this.#signer.address;
  }

  /**
   * Called when an agent is accepted: a new host, or a known one whose agent
   * reconnected (the same object again). Returns an unsubscribe function.
   */
  onHostUp(listener: (host: AgentHost) => void): () => void {
    this.#up.add(listener);
    return () => this.#up.delete(listener);
  }

  /** Called when a host's control socket closes (and no newer one replaced it). Returns an unsubscribe function. */
  onHostDown(listener: (hostId: string) => void): () => void {
    this.#down.add(listener);
    return () => this.#down.delete(listener);
  }

  /** Every host an agent has spoken for since start (connected or not). */
  hosts(): AgentHost[] {
    return [...this.#hosts.values()];
  }

  host(hostId: string): AgentHost | undefined {
    return this.#hosts.get(hostId);
  }

  /** Open control sockets (accepted or still saying hello). */
  sessionCount(): number {
    return this.#sessions.size;
  }

  /** A control socket connected: sends it a challenge; returns its session id. */
  openSession(channel: AgentChannel): string {
    const sessionId = randomUUID();
    const nonce = randomBytes(16).toString("hex");
    const timeoutMs = this.#p.helloTimeoutMs ?? 10_000;
    const timer = setTimeout(() => this.#refuse(sessionId, "no hello", `no hello within ${timeoutMs} ms`), timeoutMs);
    timer.unref();
    this.#sessions.set(sessionId, { channel, nonce, hostId: undefined, timer });
    channel.send({ type: "challenge", nonce, controlAddress: this.controlAddress });
    return sessionId;
  }

  /** A frame from a control socket. Malformed frames are ignored. */
  onFrame(sessionId: string, raw: unknown): void {
    const session = this.#sessions.get(sessionId);
    if (!session) return;
    const parsed = AgentToCoordinatorSchema.safeParse(raw);
    if (!parsed.success) return;
    const frame = parsed.data;
    if (frame.type === "agent-hello") {
      if (session.hostId !== undefined) return; // one hello per connection
      this.#hello(sessionId, session, frame.message as SignedNodeMessage);
      return;
    }
    if (session.hostId === undefined) return;
    this.#hosts.get(session.hostId)?.receive(frame);
  }

  /** A control socket closed. */
  closeSession(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (!session) return;
    this.#sessions.delete(sessionId);
    clearTimeout(session.timer);
    const hostId = session.hostId;
    if (hostId === undefined || this.#hostSessions.get(hostId) !== sessionId) return;
    this.#hostSessions.delete(hostId);
    this.#hosts.get(hostId)?.detach("its agent's control socket closed");
    this.#p.logger?.info({ hostId }, "host agent disconnected");
    for (const listener of this.#down) listener(hostId);
  }

  /** Closes every control socket. */
  close(): void {
    for (const [sessionId, session] of this.#sessions) {
      session.channel.close("coordinator shutting down");
      this.closeSession(sessionId);
    }
  }

  #refuse(sessionId: string, reason: string, detail: string): void {
    const session = this.#sessions.get(sessionId);
    if (!session) return;
    this.refusals[reason] = (this.refusals[reason] ?? 0) + 1;
    this.#p.logger?.warn({ reason, detail }, "host agent refused");
    try {
      session.channel.send({ type: "refused", reason: `${reason}: ${detail}`.slice(0, 500) });
    } catch {
      // gone already
    }
    session.channel.close(reason);
    this.closeSession(sessionId);
  }

  #hello(sessionId: string, session: Session, message: SignedNodeMessage): void {
    let payload: AgentHelloPayload;
    try {
      const decoded = AgentHelloPayloadSchema.safeParse(JSON.parse(message.payload));
      if (!decoded.success) return this.#refuse(sessionId, "malformed", decoded.error.issues.map((i) => `payload.${i.path.join(".")}: ${i.message}`).join("; "));
      payload = decoded.data;
    } catch {
      return this.#refuse(sessionId, "malformed", "payload is not JSON");
    }
    if (payload.nonce !== session.nonce) return this.#refuse(sessionId, "wrong-nonce", "the hello does not answer this connection's challenge");
    const skew = message.sentAt - this.#now();
    const maxSkew = this.#p.maxClockSkewMs ?? 60_000;
    if (Math.abs(skew) > maxSkew) return this.#refuse(sessionId, "clock-skew", `sentAt is ${skew} ms off the coordinator's clock (max ${maxSkew})`);
    if (!payload.nodeIds.includes(message.nodeId)) return this.#refuse(sessionId, "malformed", `signed by ${message.nodeId}, which is not among the host's nodes`);
    const signerNode = this.#p.admitted(message.nodeId);
    if (!signerNode) return this.#refuse(sessionId, "unknown-node", `${message.nodeId} is not admitted`);
    const signer = recoverNodeMessageSigner(message);
    if (!signer) return this.#refuse(sessionId, "bad-signature", "the signature does not recover to a key");
    if (signer !== signerNode.address) return this.#refuse(sessionId, "wrong-key", `signed by ${signer}, ${message.nodeId}'s admitted key is ${signerNode.address}`);
    if (new Set(payload.nodeIds).size !== payload.nodeIds.length) return this.#refuse(sessionId, "malformed", "a node id is listed twice");
    for (const nodeId of payload.nodeIds) {
      const admitted = this.#p.admitted(nodeId);
      if (!admitted) return this.#refuse(sessionId, "unknown-node", `${nodeId} is not admitted`);
      if (admitted.hostId !== payload.hostId) return this.#refuse(sessionId, "wrong-host", `${nodeId} is admitted to host ${admitted.hostId}, not ${payload.hostId}`);
    }
    clearTimeout(session.timer);
    session.timer = undefined;
    session.hostId = payload.hostId;
    let host = this.#hosts.get(payload.hostId);
    if (!host) {
      host = new AgentHost({
        hostId: payload.hostId,
        nodeIds: payload.nodeIds,
        signer: this.#signer,
        ...(this.#p.commandTimeoutMs !== undefined ? { commandTimeoutMs: this.#p.commandTimeoutMs } : {}),
        ...(this.#p.startTimeoutMs !== undefined ? { startTimeoutMs: this.#p.startTimeoutMs } : {}),
        ...(this.#p.logger ? { logger: this.#p.logger } : {}),
      });
      this.#hosts.set(payload.hostId, host);
    }
    const previous = this.#hostSessions.get(payload.hostId);
    this.#hostSessions.set(payload.hostId, sessionId);
    host.attach({ channel: session.channel, session: payload.session, agentPid: payload.agentPid, linkProxy: payload.linkProxy }, payload.nodeIds);
    if (previous !== undefined && previous !== sessionId) {
      // The older connection is closed without a host-down: the host is reachable on the new one.
      const old = this.#sessions.get(previous);
      if (old) {
        this.#sessions.delete(previous);
        old.channel.close("replaced by a newer connection of this host's agent");
      }
    }
    session.channel.send({ type: "welcome", hostId: payload.hostId });
    this.#p.logger?.info({ hostId: payload.hostId, nodes: payload.nodeIds.length, agentPid: payload.agentPid }, "host agent connected");
    for (const listener of this.#up) listener(host);
  }
}
