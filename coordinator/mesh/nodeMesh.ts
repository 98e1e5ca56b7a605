/**
 * The one mesh: every node the coordinator knows, in node-host processes wherever they
 * run, behind one registry ({@link RemoteMesh}: signed registration, heartbeats and
 * updates) and one control interface per host ({@link HostControl}).
 *
 *   node hosts (child processes, or remote with an agent)      coordinator
 *   worker ── link proxy ── WS /api/mesh/ws + signed POSTs ──▶ RemoteMesh ─▶ FL, MAPE-K monitor
 *   worker ◀── pid signals / IPC (child) or signed control (agent) ── HostControl ◀── chaos, MAPE-K
 *
 * It is what the chaos engine breaks (nodes, hosts, links) and what MAPE-K heals
 * (restart, exclude from FL, ping, resync clocks), and it feeds FL its clients. Nodes of
 * `synod nodes deploy` and the coordinator's own hosts are the same kind of node.
 */
import path from "node:path";
import type { Address } from "viem";
import type { AttackSpec } from "../fl/attacks/createAttack.ts";
import type { FitInstruction, FlClient, SignedUpdate } from "../fl/client.ts";
import type { RoundRecord } from "../fl/roundRunner.ts";
import type { Logger } from "../logger.ts";
import { ChildHost } from "./hosts/childHost.ts";
import type { HostControl, HostLink } from "./hosts/hostControl.ts";
import { WorkerPool } from "./nodeHost/forkWorker.ts";
import { loadOrCreateNodeKeys, nodeIdOf } from "./nodeHost/nodeHostOptions.ts";
import type { WorkerInit } from "./nodeHost/workerChannel.ts";
import { addressOfKey } from "./remote/nodeMessage.ts";
import { RemoteMesh, type RemoteMeshParameters, type RemoteNodeView } from "./remote/remoteMesh.ts";
import type { HeartbeatPayload } from "./remote/wire.ts";

/** Where FL clients go (the coordinator's FL service, or a test's round loop). */
export type Federation = { registerClient(client: FlClient): void; unregisterClient(nodeId: string): void };

/** A verified heartbeat, as MAPE-K's monitor takes it. */
export type MeshHeartbeat = { nodeId: string; hostId: string; bootId: string; pid: number; receivedAt: number; sentAt: number } & Omit<HeartbeatPayload, "bootId">;

/** A host process's health as MAPE-K's actuator sees it. */
export type MeshHostHealth = "alive" | "frozen" | "dead" | "restarting";

/** Options of {@link NodeMesh}. */
export type NodeMeshParameters = Pick<RemoteMeshParameters, "bannedAddresses" | "maxClockSkewMs" | "now"> & {
  /** Where registered nodes train. */
  federation: Federation;
  /** The coordinator API's base URL (hosts dial it; request floods and latency probes hit it). */
  apiUrl: () => string;
  /** Turns request shedding on the API on or off (MAPE-K's lever under a flood). */
  setLoadShedding?: (enabled: boolean) => void;
  /** Sees every verified heartbeat. */
  onHeartbeat?: (heartbeat: MeshHeartbeat) => void;
  /** Sees every node that registers for the first time (the monitor starts watching it). */
  onNodeUp?: (node: RemoteNodeView) => void;
  /** Sees every finished round with the updates that arrived and the global model they started from. */
  onRound?: (record: RoundRecord, updates: readonly { update: SignedUpdate; global: Float32Array }[]) => void;
  logger?: Logger;
};

/** Options of {@link NodeMesh.startLocalHosts}. */
export type StartLocalHostsParameters = {
  /** Nodes in all, `<idPrefix>-000` … */
  numNodes: number;
  /**
   * Names the nodes; the coordinator's own are `local-…`, apart from the `node-…` that
   * `synod nodes deploy` starts, so both can join one mesh.
   */
  idPrefix: string;
  nodesPerHost: number;
  /** Node keys are kept here, one file per host (mode 0600), so identities survive restarts. */
  keysDir: string;
  data: WorkerInit["data"];
  model: WorkerInit["model"];
  heartbeatMs: number;
  /** Warm spare workers kept for fast restarts; default 1. */
  spares?: number;
  /** Seeds the links' jitter and loss. */
  seed: number;
  /** How long the first start may take per host; default 120 s (cold starts under load are slow). */
  startTimeoutMs?: number;
};

/** Rounds kept for the chaos probes and the status page (10 000 records is a few MB). */
const HISTORY = 10_000;

/**
 * @example
 * import { NodeMesh } from "./nodeMesh.ts";
 * const mesh = new NodeMesh({ federation: fl, apiUrl: () => coordinator.url });
 * // mount meshRoutes({ mesh: mesh.remote, … }) on the API, then:
 * await mesh.startLocalHosts({ numNodes: 50, nodesPerHost: 5, keysDir, data, model, heartbeatMs: 250, seed: 1 });
 * await mesh.close();
 */
export class NodeMesh {
  readonly remote: RemoteMesh;
  #p: NodeMeshParameters;
  #hosts = new Map<string, HostControl>();
  #hostOfNode = new Map<string, HostControl>();
  #clients = new Map<string, FlClient & { numExamples: number }>();
  #excluded = new Map<string, string>();
  #globals = new Map<number, { update: SignedUpdate; global: Float32Array }[]>();
  #history: RoundRecord[] = [];
  #pool: WorkerPool | undefined;
  #closed = false;

  constructor(parameters: NodeMeshParameters) {
    this.#p = parameters;
    this.remote = new RemoteMesh({
      ...(parameters.bannedAddresses ? { bannedAddresses: parameters.bannedAddresses } : {}),
      ...(parameters.maxClockSkewMs !== undefined ? { maxClockSkewMs: parameters.maxClockSkewMs } : {}),
      ...(parameters.now ? { now: parameters.now } : {}),
      ...(parameters.logger ? { logger: parameters.logger.child({ component: "remote-mesh" }) } : {}),
      onNodeUp: (node) => this.#nodeUp(node),
      onNodeDown: (nodeId) => this.#nodeDown(nodeId),
      onHeartbeat: (node, beat) => {
        const { bootId, ...rest } = beat;
        parameters.onHeartbeat?.({ ...rest, nodeId: node.nodeId, hostId: node.hostId, bootId, pid: node.pid, receivedAt: node.lastSeenAt });
      },
    });
  }

  #nodeUp(node: RemoteNodeView): void {
    const remote = this.remote;
    const record = (update: SignedUpdate, instruction: FitInstruction) => {
      const list = this.#globals.get(instruction.round) ?? [];
      list.push({ update, global: instruction.params });
      this.#globals.set(instruction.round, list);
    };
    const client = {
      nodeId: node.nodeId,
      address: node.address,
      numExamples: node.numExamples,
      async fit(instruction: FitInstruction, signal: AbortSignal): Promise<SignedUpdate> {
        const update = await remote.fit(node.nodeId, instruction, signal);
        record(update, instruction);
        return update;
      },
    };
    this.#clients.set(node.nodeId, client);
    this.#p.onNodeUp?.(node);
    if (!this.#excluded.has(node.nodeId)) this.#p.federation.registerClient(client);
  }

  #nodeDown(nodeId: string): void {
    this.#clients.delete(nodeId);
    this.#p.federation.unregisterClient(nodeId);
  }

  // --- hosts ---

  /** Puts a host under the mesh's control (a child host, or a remote host whose agent connected). */
  attachHost(host: HostControl): void {
    const previous = this.#hosts.get(host.hostId);
    if (previous) for (const nodeId of previous.nodeIds) this.#hostOfNode.delete(nodeId);
    this.#hosts.set(host.hostId, host);
    for (const nodeId of host.nodeIds) this.#hostOfNode.set(nodeId, host);
  }

  /** Forgets a host's control (its nodes stay registered while they heartbeat). */
  detachHost(hostId: string): void {
    const host = this.#hosts.get(hostId);
    if (!host) return;
    this.#hosts.delete(hostId);
    for (const nodeId of host.nodeIds) if (this.#hostOfNode.get(nodeId) === host) this.#hostOfNode.delete(nodeId);
  }

  /** Every host under control. */
  hosts(): HostControl[] {
    return [...this.#hosts.values()];
  }

  /**
   * Starts the coordinator's own hosts as child processes: keys are created (or read
   * back) in `keysDir` and admitted, then the hosts start two at a time (module loading
   * is CPU-bound and this machine kind has 2 cores), each resolving once all its nodes
   * have registered through the API.
   */
  async startLocalHosts(parameters: StartLocalHostsParameters): Promise<ChildHost[]> {
    this.#pool ??= new WorkerPool({ spares: parameters.spares ?? 1 });
    const pool = this.#pool;
    const api = () => {
      const url = new URL(this.#p.apiUrl());
      return { host: url.hostname === "localhost" ? "127.0.0.1" : url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 80) };
    };
    const hosts: ChildHost[] = [];
    for (let first = 0, h = 0; first < parameters.numNodes; first += parameters.nodesPerHost, h++) {
      const hostId = `${parameters.idPrefix}-host-${String(h).padStart(3, "0")}`;
      const count = Math.min(parameters.nodesPerHost, parameters.numNodes - first);
      const keys = await loadOrCreateNodeKeys(path.join(parameters.keysDir, `node-keys-${hostId}.json`), { count, firstIndex: first, prefix: parameters.idPrefix });
      if (keys.some((k, i) => k.nodeId !== nodeIdOf(first + i, parameters.idPrefix))) throw new Error(`${hostId}: its keys file names other nodes; remove ${parameters.keysDir} to start afresh`);
      this.remote.admit(keys.map((k) => ({ nodeId: k.nodeId, address: addressOf(k.privateKey), hostId })));
      const host = new ChildHost({
        init: { hostId, nodes: keys, data: parameters.data, model: parameters.model, heartbeatMs: parameters.heartbeatMs, maxOfflineMs: 60_000 },
        api,
        seed: parameters.seed * 7919 + h,
        spawn: () => pool.take(),
        ...(parameters.startTimeoutMs !== undefined ? { startTimeoutMs: parameters.startTimeoutMs } : { startTimeoutMs: 120_000 }),
        onExit: ({ signal }) => this.#p.logger?.warn({ hostId, signal }, "node host exited"),
      });
      hosts.push(host);
      this.attachHost(host);
    }
    const queue = [...hosts];
    await Promise.all(
      Array.from({ length: Math.min(2, queue.length) }, async () => {
        for (let host = queue.shift(); host && !this.#closed; host = queue.shift()) await host.start();
      }),
    );
    this.#p.logger?.info({ nodes: parameters.numNodes, hosts: hosts.length, heartbeatMs: parameters.heartbeatMs }, "local node hosts up");
    return hosts;
  }

  // --- FL rounds ---

  /** Tells the mesh how a round went (the FL service's record): the monitor sees it with the updates. */
  observeRound(record: RoundRecord): void {
    const updates = this.#globals.get(record.round) ?? [];
    this.#globals.clear();
    this.#p.onRound?.(record, updates);
    this.#history.push(record);
    if (this.#history.length > HISTORY) this.#history.shift();
  }

  /** FL rounds so far, oldest first. */
  rounds(): readonly RoundRecord[] {
    return this.#history;
  }

  // --- what chaos acts on ---

  /** Every node under control or registered. */
  nodeIds(): string[] {
    return [...new Set([...this.#hostOfNode.keys(), ...this.#clients.keys()])].sort();
  }

  /** Whether a node runs and is connected (selectors pick among these, as Chaos Mesh picks running pods). */
  isReady(nodeId: string): boolean {
    const host = this.#hostOfNode.get(nodeId);
    if (host && host.state !== "running") return false;
    return this.remote.node(nodeId)?.connected === true;
  }

  /** The host a node runs in, if the mesh controls it. */
  host(nodeId: string): HostControl | undefined {
    return this.#hostOfNode.get(nodeId);
  }

  /** The link between the node's host and the coordinator. */
  link(nodeId: string): HostLink | undefined {
    return this.#hostOfNode.get(nodeId)?.link;
  }

  /** Turns a node Byzantine (or honest with `null`). */
  async setAttack(nodeId: string, spec: AttackSpec | null): Promise<void> {
    const host = this.#hostOfNode.get(nodeId);
    if (!host) throw new Error(`node ${nodeId} is not in a host under control`);
    await host.setAttack(nodeId, spec);
  }

  apiUrl(): string {
    return this.#p.apiUrl();
  }

  // --- what MAPE-K acts with ---

  hostOf(nodeId: string): string | null {
    return this.#hostOfNode.get(nodeId)?.hostId ?? null;
  }

  async hostHealth(hostId: string): Promise<MeshHostHealth> {
    const host = this.#hosts.get(hostId);
    if (!host || host.state === "dead" || host.state === "stopped") return "dead";
    if (host.state === "starting") return "restarting";
    // 1 s: on a loaded machine a live host can take hundreds of ms to answer.
    return (await host.isResponsive(1000)) ? "alive" : "frozen";
  }

  hostExited(hostId: string): boolean {
    return this.#hosts.get(hostId)?.state === "dead";
  }

  async restartHost(hostId: string): Promise<void> {
    const host = this.#hosts.get(hostId);
    if (!host) throw new Error(`unknown host ${hostId}`);
    await host.restart();
  }

  excludeFromFl(nodeId: string, reason: string): void {
    this.#excluded.set(nodeId, reason);
    this.#p.federation.unregisterClient(nodeId);
  }

  readmitToFl(nodeId: string): void {
    this.#excluded.delete(nodeId);
    const client = this.#clients.get(nodeId);
    if (client) this.#p.federation.registerClient(client);
  }

  isExcluded(nodeId: string): boolean {
    return this.#excluded.has(nodeId);
  }

  /** Whether the node answers a signed probe over its host's socket within `timeoutMs`. */
  async pingNode(nodeId: string, timeoutMs: number): Promise<boolean> {
    try {
      await this.remote.probe(nodeId, timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  async resyncClock(nodeId: string): Promise<void> {
    await this.#hostOfNode.get(nodeId)?.setClockOffset(0);
  }

  setLoadShedding(enabled: boolean): void {
    this.#p.setLoadShedding?.(enabled);
  }

  /** One real request to the API's health route, ms. */
  async measureApiLatency(timeoutMs: number): Promise<number> {
    const started = performance.now();
    const response = await fetch(new URL("/health", this.#p.apiUrl()), { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    if (response.status !== 200 && response.status !== 503) throw new Error(`health answered ${response.status}`);
    return performance.now() - started;
  }

  nodeAddress(nodeId: string): Address | undefined {
    return this.#clients.get(nodeId)?.address ?? this.remote.admitted().find((n) => n.nodeId === nodeId)?.address;
  }

  /** Stops the hosts this coordinator started, closes host sockets, fails requests in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    // Each host gets 10 s: a shutdown must end even if one part misbehaves.
    const bounded = (work: Promise<void>): Promise<void> =>
      Promise.race([work.catch(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref())]);
    await Promise.all([...this.#hosts.values()].filter((h) => h.location === "child").map((h) => bounded(h.stop())));
    await this.#pool?.close();
    this.remote.close();
  }
}

/** The address of a node key (the admitted identity). */
function addressOf(privateKey: string): Address {
  return addressOfKey(privateKey as `0x${string}`);
}
