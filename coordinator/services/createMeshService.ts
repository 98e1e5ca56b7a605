/**
 * The one mesh as a coordinator service: the {@link NodeMesh} (registry of signed node
 * messages, hosts under control, FL membership), its routes and host socket
 * (`coordinator/api/mesh.ts`), MAPE-K's monitor fed from it, a health check and
 * metrics. With `SYNOD_MESH_NODES_PER_HOST` > 0 the coordinator starts its own
 * `SYNOD_MESH_NODES` nodes as child node hosts once the API listens; node keys of the
 * deployment manifest's live batches are admitted at start, and the deployer admits
 * more (and deregisters rolled-back ones) through the admin API. Registered nodes
 * join FL (`deps.services.fl`) unless MAPE-K excluded them.
 */
import path from "node:path";
import { Gauge } from "prom-client";
import { agentRoutes, meshRoutes } from "../api/mesh.ts";
import { Monitor } from "../mapek/monitor.ts";
import { ObserverHealth } from "../mapek/observerHealth.ts";
import { manifestNodes, manifestPath, readManifest } from "../mesh/deploy/deploymentManifest.ts";
import { AgentRegistry } from "../mesh/hosts/agentRegistry.ts";
import { loadOrCreateControlKey } from "../mesh/hosts/controlKey.ts";
import { NodeMesh, type Federation } from "../mesh/nodeMesh.ts";
import type { RemoteMesh } from "../mesh/remote/remoteMesh.ts";
import type { CoordinatorService, CoordinatorServiceFactory } from "./coordinatorService.ts";
import { MESH_SEED } from "./createFlService.ts";

/** Options of {@link createMeshService}. */
export type CreateMeshServiceParameters = {
  /** Where registered nodes train; default the FL service started before (`deps.services.fl`). */
  federation?: Federation;
  /**
   * Reads the node keys MeshPolicy bans (e.g. `readPolicy(chain).then((p) => p.banned)`);
   * read at start and every `policyRefreshMs`. A failed read keeps the last list.
   */
  policyBans?: () => Promise<readonly string[] | undefined>;
  /** How often `policyBans` is read, ms; default 30 000. */
  policyRefreshMs?: number;
  /** Hands out the registry, the mesh and the host agents (tests, benchmarks). */
  onReady?: (remote: RemoteMesh, mesh: NodeMesh, agents: AgentRegistry) => void;
  /** Ping period of host sockets, ms (default 10 s). */
  socketPingMs?: number;
};

/**
 * @example
 * import { startCoordinator } from "../server.ts";
 * import { createMeshService } from "./createMeshService.ts";
 * await startCoordinator({ services: [flService, createMeshService({ policyBans })] });
 */
export function createMeshService(parameters: CreateMeshServiceParameters = {}): CoordinatorServiceFactory {
  return async ({ config, logger, metrics, apiUrl, loadShedder, services }): Promise<CoordinatorService> => {
    const log = logger.child({ component: "mesh" });
    let banned: ReadonlySet<string> = new Set();
    const refreshBans = async () => {
      try {
        const list = await parameters.policyBans?.();
        if (list) banned = new Set(list.map((address) => address.toLowerCase()));
      } catch (err) {
        log.warn({ err }, "could not read MeshPolicy's banned nodes; keeping the last list");
      }
    };
    await refreshBans();
    const bansTimer = parameters.policyBans ? setInterval(() => void refreshBans(), parameters.policyRefreshMs ?? 30_000) : undefined;
    bansTimer?.unref();

    // The observer watches its own event loop, so its stalls are never blamed on nodes.
    const monitor = new Monitor({ heartbeatMs: config.mesh.heartbeatMs, observer: new ObserverHealth({ heartbeatMs: config.mesh.heartbeatMs }) });
    const nobody: Federation = { registerClient: () => undefined, unregisterClient: () => undefined };
    const mesh = new NodeMesh({
      federation: parameters.federation ?? services.fl ?? nobody,
      apiUrl,
      // Checked on every message: a ban voted on chain takes effect at the next refresh.
      bannedAddresses: () => banned,
      setLoadShedding: (enabled) => loadShedder.setEnabled(enabled),
      onNodeUp: (node) => monitor.register(node.nodeId, node.hostId),
      onHeartbeat: (beat) => monitor.ingestHeartbeat(beat),
      onRound: (record, updates) => monitor.observeRound(record, updates),
      logger: log,
    });
    const stopObserving = services.fl?.observeRounds((record) => mesh.observeRound(record));
    // Hosts on other machines come under control when their agent connects, signed by
    // their nodes' keys; the agents obey only what the control key signs.
    const controlKey = await loadOrCreateControlKey(config.dataDir);
    const agents = new AgentRegistry({ controlKey: controlKey.privateKey, admitted: (nodeId) => mesh.remote.admittedNode(nodeId), logger: log });
    agents.onHostUp((host) => mesh.attachHost(host));
    agents.onHostDown((hostId) => mesh.detachHost(hostId));
    const manifest = await readManifest(manifestPath(config.dataDir));
    if (manifest) {
      const nodes = manifestNodes(manifest);
      mesh.remote.admit(nodes);
      log.info({ nodes: nodes.length, batches: manifest.batches.length }, "admitted the deployment manifest's node keys");
    }
    const remote = mesh.remote;
    new Gauge({
      name: "synod_mesh_remote_nodes",
      help: "Mesh nodes by state (admitted keys, registered, connected, heartbeating).",
      labelNames: ["state"] as const,
      registers: [metrics.registry],
      collect() {
        const nodes = remote.nodes();
        const now = Date.now();
        this.set({ state: "admitted" }, remote.admitted().length);
        this.set({ state: "registered" }, nodes.length);
        this.set({ state: "connected" }, nodes.filter((n) => n.connected).length);
        this.set({ state: "heartbeating" }, nodes.filter((n) => now - n.lastSeenAt <= n.heartbeatMs * 2.5).length);
      },
    });
    new Gauge({
      name: "synod_mesh_node_messages",
      help: "Node messages since start: heartbeats, registrations, refusals by reason, fits sent, updates received.",
      labelNames: ["kind"] as const,
      registers: [metrics.registry],
      collect() {
        const s = remote.stats;
        this.set({ kind: "registration" }, s.registrations);
        this.set({ kind: "heartbeat" }, s.heartbeats);
        this.set({ kind: "fit" }, s.fitsSent);
        this.set({ kind: "update" }, s.updatesReceived);
        this.set({ kind: "update-late" }, s.updatesLate);
        for (const [reason, n] of Object.entries(s.rejected)) this.set({ kind: `refused-${reason}` }, n ?? 0);
      },
    });
    parameters.onReady?.(remote, mesh, agents);
    const ownNodes = config.mesh.nodesPerHost > 0 ? config.fl.meshNodes : 0;
    return {
      provides: { mesh, monitor },
      routes: () => [meshRoutes({ mesh: remote, logger, ...(parameters.socketPingMs ? { socketPingMs: parameters.socketPingMs } : {}) }), agentRoutes({ agents, logger })],
      async start() {
        if (ownNodes === 0) return;
        await mesh.startLocalHosts({
          numNodes: ownNodes,
          idPrefix: "local",
          nodesPerHost: config.mesh.nodesPerHost,
          // Generated once per data dir (mode 0600), never derived from a public seed.
          keysDir: path.join(config.dataDir, "mesh", "local"),
          data: { dataset: "mnist", totalShards: ownNodes, seed: MESH_SEED },
          model: { kind: "logistic-regression" },
          heartbeatMs: config.mesh.heartbeatMs,
          seed: MESH_SEED,
        });
      },
      healthChecks: () => [
        {
          name: "mesh-nodes",
          // Nodes come and go (chaos, rollbacks): reported, never a reason to be unready.
          critical: false,
          check: async () => {
            const nodes = remote.nodes();
            const now = Date.now();
            const stale = nodes.filter((n) => !n.connected || now - n.lastSeenAt > n.heartbeatMs * 2.5).length;
            return { ok: true, details: { admitted: remote.admitted().length, registered: nodes.length, stale, sockets: remote.sessionCount(), hosts: mesh.hosts().length } };
          },
        },
      ],
      close: async () => {
        clearInterval(bansTimer);
        stopObserving?.();
        agents.close();
        await mesh.close();
        metrics.registry.removeSingleMetric("synod_mesh_remote_nodes");
        metrics.registry.removeSingleMetric("synod_mesh_node_messages");
      },
    };
  };
}
