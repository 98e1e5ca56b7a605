/**
 * A mesh of real node-host processes behind fault-injecting links, with the FL round
 * runner and the MAPE-K monitor on the coordinator side: the system the chaos engine
 * breaks and MAPE-K heals, in tests, benchmarks and `npm start`.
 *
 *   coordinator (this process)                         node hosts (child processes)
 *   RoundRunner ─ RemoteNodeClient ─▶ down link ─────▶ HTTP /fit/<node> → MeshNode
 *   HeartbeatServer ◀───────────────── up link ◀────── heartbeats every intervalMs
 *   chaos engine / MAPE-K ─────────── IPC (out of band) ─▶ kill, stop, attack, clock, stress
 */
import type { Address } from "viem";
import type { EventBus } from "../../events.ts";
import type { AttackSpec } from "../../fl/attacks/createAttack.ts";
import type { FitInstruction, FlClient, SignedUpdate } from "../../fl/client.ts";
import { subsetDataset, type Dataset } from "../../fl/datasets/dataset.ts";
import type { RoundConfigInput } from "../../fl/roundConfig.ts";
import type { RoundRecord, RoundRunner } from "../../fl/roundRunner.ts";
import type { Strategy } from "../../fl/strategies/strategy.ts";
import type { Logger } from "../../logger.ts";
import { createSimulatedMesh } from "../../mesh/createSimulatedMesh.ts";
import type { HostHealth, MeshActuator } from "../../mapek/actuator.ts";
import { HeartbeatServer } from "../../mapek/heartbeatServer.ts";
import { Monitor } from "../../mapek/monitor.ts";
import { HostProcessPool } from "../host/hostProcessPool.ts";
import { NodeHost } from "../host/nodeHost.ts";
import { linkRequest, RemoteNodeClient } from "../host/remoteNodeClient.ts";
import type { ChaosSystem, NodeLinks } from "../system.ts";
import { LinkProxy } from "../transport/linkProxy.ts";

/** Options of {@link createHostedMesh}. */
export type CreateHostedMeshParameters = {
  dataset: Dataset;
  model: "logistic-regression" | "mlp";
  numNodes: number;
  /** Nodes per host process (many nodes share a process: 500 processes do not fit). */
  nodesPerHost: number;
  strategy: Strategy;
  roundConfig?: RoundConfigInput;
  maxExamples?: number;
  partition?: { kind: "dirichlet"; alpha: number } | { kind: "iid" };
  heartbeatMs: number;
  seed: number;
  /** Warm spare host processes kept for fast restarts; default 1. */
  spareHosts?: number;
  /** Pause between FL rounds of the round loop, ms; default 0. */
  roundGapMs?: number;
  events?: EventBus;
  logger?: Logger;
  /**
   * Where the nodes train: without it the mesh runs its own rounds (`startRounds`);
   * with it (the coordinator's FL service) the federation runs them and reports each
   * one to {@link HostedMesh.observeRound}.
   */
  federation?: Federation;
  /** The API request floods hit; default the mesh's own heartbeat server. */
  apiUrl?: () => string;
};

/** A round runner that takes clients from outside (the coordinator's FL service). */
export type Federation = { registerClient(client: FlClient): void; unregisterClient(nodeId: string): void };

/** The running mesh. */
export type HostedMesh = ChaosSystem &
  MeshActuator & {
    runner: RoundRunner;
    monitor: Monitor;
    server: HeartbeatServer;
    hosts: NodeHost[];
    /** FL rounds so far (run by the loop, or observed from the federation). */
    rounds(): readonly RoundRecord[];
    /** Tells the monitor how a round went (the runner's record, with the runner's round number). */
    observeRound(record: RoundRecord): void;
    /** Starts running FL rounds back to back. */
    startRounds(): void;
    /** Stops after the current round. */
    stopRounds(): Promise<void>;
    /** Runs `n` rounds now (the loop must be stopped). */
    runRounds(n: number): Promise<RoundRecord[]>;
    /** Stops everything: rounds, hosts, links, server. */
    close(): Promise<void>;
  };

/**
 * Starts the hosts (in parallel), their links and the heartbeat server, and registers
 * every node with the round runner and the monitor.
 *
 * @example
 * import { createHostedMesh } from "./createHostedMesh.ts";
 * const mesh = await createHostedMesh({ dataset: loadMnist(), model: "logistic-regression", numNodes: 12, nodesPerHost: 2,
 *   strategy: createStrategy({ name: "fedmedian" }), heartbeatMs: 200, seed: 1 });
 * mesh.startRounds();
 * await mesh.close();
 */
export async function createHostedMesh(parameters: CreateHostedMeshParameters): Promise<HostedMesh> {
  const logger = parameters.logger?.child({ component: "hosted-mesh" });
  const sim = createSimulatedMesh({
    dataset: parameters.dataset,
    model: parameters.model,
    numNodes: parameters.numNodes,
    partition: parameters.partition ?? { kind: "iid" },
    strategy: parameters.strategy,
    seed: parameters.seed,
    ...(parameters.maxExamples !== undefined ? { maxExamples: parameters.maxExamples } : {}),
    ...(parameters.roundConfig ? { config: parameters.roundConfig } : {}),
    ...(parameters.logger ? { logger: parameters.logger } : {}),
  });
  const runner = sim.runner;
  const federation: Federation = parameters.federation ?? { registerClient: (client) => runner.register(client), unregisterClient: (nodeId) => runner.unregister(nodeId) };
  const ownRounds = parameters.federation === undefined;
  const monitor = new Monitor({ heartbeatMs: parameters.heartbeatMs });
  const server = new HeartbeatServer({ monitor });
  const serverPort = await server.listen();
  const links = new Map<string, NodeLinks>();
  const hostOfNode = new Map<string, NodeHost>();
  const clients = new Map<string, RemoteNodeClient>();
  const excluded = new Map<string, string>();
  const globals = new Map<string, { update: SignedUpdate; global: Float32Array }[]>();
  const hosts: NodeHost[] = [];

  const pool = new HostProcessPool({ spares: parameters.spareHosts ?? 1 });
  const closers: (() => Promise<void>)[] = [() => pool.close()];
  try {
    for (const [i, node] of sim.nodes.entries()) {
      const up = new LinkProxy({ name: `${node.nodeId}/up`, target: { host: "127.0.0.1", port: serverPort }, initiator: "node", seed: parameters.seed * 7919 + 2 * i });
      // The down link's target is set when the host reports its port.
      const down = new LinkProxy({ name: `${node.nodeId}/down`, target: { host: "127.0.0.1", port: 1 }, initiator: "coordinator", seed: parameters.seed * 7919 + 2 * i + 1 });
      await Promise.all([up.listen(), down.listen()]);
      closers.push(() => up.close(), () => down.close());
      links.set(node.nodeId, { up, down });
    }
    const model = parameters.model === "mlp" ? { kind: "mlp" as const, numFeatures: sim.train.numFeatures, numClasses: sim.train.numClasses, hidden: 64 } : { kind: "logistic-regression" as const, numFeatures: sim.train.numFeatures, numClasses: sim.train.numClasses };
    for (let h = 0; h * parameters.nodesPerHost < sim.nodes.length; h++) {
      const members = sim.nodes.slice(h * parameters.nodesPerHost, (h + 1) * parameters.nodesPerHost);
      const hostId = `host-${String(h).padStart(3, "0")}`;
      const host: NodeHost = new NodeHost({
        hostId,
        model,
        spawn: () => pool.take(),
        nodes: members.map((node) => {
          const index = sim.nodes.indexOf(node);
          const shard = subsetDataset(sim.train, node.rows);
          return { nodeId: node.nodeId, identitySeed: `${parameters.seed}:${index}`, seed: parameters.seed * 1000 + index, features: shard.features, labels: shard.labels };
        }),
        heartbeat: { intervalMs: parameters.heartbeatMs, ports: Object.fromEntries(members.map((n) => [n.nodeId, links.get(n.nodeId)!.up.port])) },
        onReady: ({ port }) => {
          for (const node of members) links.get(node.nodeId)!.down.retarget({ host: "127.0.0.1", port });
        },
        onExit: ({ signal }) => logger?.warn({ hostId, signal }, "node host exited"),
      });
      hosts.push(host);
      closers.push(() => host.stop());
      for (const node of members) hostOfNode.set(node.nodeId, host);
    }
    // Two at a time: module loading is CPU-bound and this machine has 2 cores. The
    // first start gets a generous timeout (a cold start under load takes many seconds).
    const queue = [...hosts];
    await Promise.all(
      Array.from({ length: Math.min(2, queue.length) }, async () => {
        for (let host = queue.shift(); host; host = queue.shift()) await host.start({ timeoutMs: 120_000 });
      }),
    );
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await server.close();
    throw error;
  }

  for (const node of sim.nodes) {
    runner.unregister(node.nodeId);
    const host = hostOfNode.get(node.nodeId)!;
    const link = links.get(node.nodeId)!;
    const client = new RemoteNodeClient({
      nodeId: node.nodeId,
      address: host.addresses[node.nodeId] ?? node.address,
      linkPort: () => link.down.port,
      numExamples: node.rows.length,
      onUpdate: (update: SignedUpdate, instruction: FitInstruction) => {
        const list = globals.get(String(instruction.round)) ?? [];
        list.push({ update, global: instruction.params });
        globals.set(String(instruction.round), list);
      },
    });
    clients.set(node.nodeId, client);
    federation.registerClient(client);
    monitor.register(node.nodeId, host.hostId);
  }
  logger?.info({ nodes: sim.nodes.length, hosts: hosts.length, heartbeatMs: parameters.heartbeatMs, api: `http://127.0.0.1:${serverPort}` }, "hosted mesh up");

  const history: RoundRecord[] = [];
  let loop: Promise<void> | undefined;
  let looping = false;
  let gapTimer: NodeJS.Timeout | undefined;
  let endGap: (() => void) | undefined;
  // Membership changes wait for the round boundary: the round runner looks clients up
  // again after the fit phase, so unregistering one mid-round would break that round.
  const pendingMembership = new Map<string, boolean>();
  let inRound = false;
  const setMember = (nodeId: string, member: boolean): void => {
    if (inRound) {
      pendingMembership.set(nodeId, member);
      return;
    }
    const client = clients.get(nodeId);
    if (member && client) federation.registerClient(client);
    else federation.unregisterClient(nodeId);
  };
  const runOne = async (): Promise<RoundRecord> => {
    for (const [nodeId, member] of pendingMembership) {
      const client = clients.get(nodeId);
      if (member && client) federation.registerClient(client);
      else federation.unregisterClient(nodeId);
    }
    pendingMembership.clear();
    inRound = true;
    let record: RoundRecord;
    try {
      record = await runner.runRound();
    } finally {
      inRound = false;
    }
    observeRound(record);
    parameters.events?.publish("fl.round.finished", {
      round: record.round,
      status: record.status,
      participants: record.accepted.length,
      ...(record.evaluation ? { holdoutAccuracy: record.evaluation.accuracy } : {}),
      ...(record.reason ? { reason: record.reason } : {}),
    });
    return record;
  };

  const observeRound = (record: RoundRecord): void => {
    const updates = globals.get(String(record.round)) ?? [];
    globals.clear();
    monitor.observeRound(record, updates);
    history.push(record);
    // Bounded for a coordinator that runs for days (10 000 rounds of records is a few MB).
    if (history.length > 10_000) history.shift();
  };
  const ownRoundsOnly = (): void => {
    if (!ownRounds) throw new Error("this mesh trains in a federation that runs its own rounds");
  };

  const mesh: HostedMesh = {
    runner,
    monitor,
    server,
    hosts,
    rounds: () => history,
    observeRound,
    startRounds() {
      ownRoundsOnly();
      if (looping) return;
      looping = true;
      loop = (async () => {
        while (looping) {
          await runOne();
          if (looping && parameters.roundGapMs) {
            await new Promise<void>((resolve) => {
              endGap = resolve;
              gapTimer = setTimeout(resolve, parameters.roundGapMs);
            });
          }
        }
      })();
    },
    async stopRounds() {
      looping = false;
      // Clearing the gap's timer alone would leave the loop awaiting it forever.
      if (gapTimer) clearTimeout(gapTimer);
      endGap?.();
      await loop;
    },
    async runRounds(n) {
      ownRoundsOnly();
      const out: RoundRecord[] = [];
      for (let i = 0; i < n; i++) out.push(await runOne());
      return out;
    },
    async close() {
      await mesh.stopRounds();
      // Each closer gets 10 s: a shutdown must end even if one part misbehaves.
      const bounded = (work: Promise<void>): Promise<void> =>
        Promise.race([work.catch(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref())]);
      for (const close of closers.reverse()) await bounded(close());
      await bounded(server.close());
    },
    // --- ChaosSystem ---
    nodeIds: () => [...clients.keys()],
    isReady: (nodeId) => hostOfNode.get(nodeId)?.state === "running",
    host: (nodeId) => hostOfNode.get(nodeId),
    links: (nodeId) => links.get(nodeId),
    async setAttack(nodeId: string, spec: AttackSpec | null) {
      const host = hostOfNode.get(nodeId);
      if (!host) throw new Error(`unknown node ${nodeId}`);
      await host.setAttack(nodeId, spec);
    },
    apiUrl: parameters.apiUrl ?? (() => `http://127.0.0.1:${serverPort}`),
    // --- MeshActuator ---
    hostOf: (nodeId) => hostOfNode.get(nodeId)?.hostId ?? null,
    async hostHealth(hostId): Promise<HostHealth> {
      const host = hosts.find((h) => h.hostId === hostId);
      if (!host || host.state === "dead" || host.state === "stopped") return "dead";
      if (host.state === "starting") return "restarting";
      // 1 s: on a loaded machine a live host can take hundreds of ms to answer.
      return (await host.isResponsive(1000)) ? "alive" : "frozen";
    },
    async restartHost(hostId) {
      const host = hosts.find((h) => h.hostId === hostId);
      if (!host) throw new Error(`unknown host ${hostId}`);
      await host.restart();
    },
    excludeFromFl(nodeId, reason) {
      excluded.set(nodeId, reason);
      setMember(nodeId, false);
    },
    readmitToFl(nodeId) {
      excluded.delete(nodeId);
      setMember(nodeId, true);
    },
    isExcluded: (nodeId) => excluded.has(nodeId),
    async pingNode(nodeId, timeoutMs) {
      const link = links.get(nodeId);
      if (!link) return false;
      try {
        const response = await linkRequest(link.down.port, `/ping/${encodeURIComponent(nodeId)}`, undefined, undefined, timeoutMs);
        return response.status === 200;
      } catch {
        return false;
      }
    },
    async resyncClock(nodeId) {
      await hostOfNode.get(nodeId)?.setClockOffset(0);
    },
    setLoadShedding(enabled) {
      server.setShedding(enabled);
    },
    async measureApiLatency(timeoutMs) {
      const started = performance.now();
      const response = await linkRequest(serverPort, "/health", undefined, undefined, timeoutMs);
      if (response.status !== 200) throw new Error(`health answered ${response.status}`);
      return performance.now() - started;
    },
    nodeAddress: (nodeId): Address | undefined => clients.get(nodeId)?.address,
  };
  return mesh;
}
