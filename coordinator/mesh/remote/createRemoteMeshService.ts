/**
 * Remote mesh nodes as a coordinator service: the {@link RemoteMesh} registry, its
 * routes and host socket (`coordinator/api/mesh.ts`), a health check and metrics.
 * Node keys of the deployment manifest's live batches are admitted at start; the
 * deployer admits more (and deregisters rolled-back ones) through the admin API.
 * Registered nodes join FL through `fl` (`FlService.registerClient`).
 */
import { Gauge } from "prom-client";
import { meshRoutes } from "../../api/mesh.ts";
import type { FlClient } from "../../fl/client.ts";
import type { CoordinatorServiceFactory } from "../../server.ts";
import { manifestNodes, manifestPath, readManifest } from "../deploy/deploymentManifest.ts";
import { RemoteFlClient } from "./remoteFlClient.ts";
import { RemoteMesh } from "./remoteMesh.ts";

/** Where registered remote nodes go to be trained (FlService has these two methods). */
export type FlClientSink = { registerClient(client: FlClient): void; unregisterClient(nodeId: string): void };

/** Options of {@link remoteMeshService}. */
export type RemoteMeshServiceOptions = {
  /** The FL service remote nodes join; a function because it is started by another service. */
  fl?: () => FlClientSink | undefined;
  /**
   * Reads the node keys MeshPolicy bans (e.g. `readPolicy(chain).then((p) => p.banned)`);
   * read at start and every `policyRefreshMs`. A failed read keeps the last list.
   */
  policyBans?: () => Promise<readonly string[] | undefined>;
  /** How often `policyBans` is read, ms; default 30 000. */
  policyRefreshMs?: number;
  /** Hands out the registry (chaos, MAPE-K, tests). */
  onReady?: (mesh: RemoteMesh) => void;
  /** Ping period of host sockets, ms (default 10 s). */
  socketPingMs?: number;
};

/**
 * @example
 * import { startCoordinator, knowledgeService } from "../../server.ts";
 * import { remoteMeshService } from "./createRemoteMeshService.ts";
 * let fl: FlService | undefined;
 * await startCoordinator({ services: [knowledgeService, flServiceFactory((s) => (fl = s)), remoteMeshService({ fl: () => fl })] });
 */
export function remoteMeshService(options: RemoteMeshServiceOptions = {}): CoordinatorServiceFactory {
  return async ({ config, logger, metrics }) => {
    const log = logger.child({ component: "remote-mesh" });
    let banned: ReadonlySet<string> = new Set();
    const refreshBans = async () => {
      try {
        const list = await options.policyBans?.();
        if (list) banned = new Set(list.map((address) => address.toLowerCase()));
      } catch (err) {
        log.warn({ err }, "could not read MeshPolicy's banned nodes; keeping the last list");
      }
    };
    await refreshBans();
    const bansTimer = options.policyBans ? setInterval(() => void refreshBans(), options.policyRefreshMs ?? 30_000) : undefined;
    bansTimer?.unref();
    const mesh: RemoteMesh = new RemoteMesh({
      logger: log,
      // Checked on every message: a ban voted on chain takes effect at the next refresh.
      bannedAddresses: () => banned,
      onNodeUp: (node) => options.fl?.()?.registerClient(new RemoteFlClient({ mesh, nodeId: node.nodeId, address: node.address })),
      onNodeDown: (nodeId) => options.fl?.()?.unregisterClient(nodeId),
    });
    const manifest = await readManifest(manifestPath(config.dataDir));
    if (manifest) {
      const nodes = manifestNodes(manifest);
      mesh.admit(nodes);
      log.info({ nodes: nodes.length, batches: manifest.batches.length }, "admitted the deployment manifest's node keys");
    }
    new Gauge({
      name: "synod_mesh_remote_nodes",
      help: "Remote mesh nodes by state (admitted keys, registered, connected, heartbeating).",
      labelNames: ["state"] as const,
      registers: [metrics.registry],
      collect() {
        const nodes = mesh.nodes();
        const now = Date.now();
        this.set({ state: "admitted" }, mesh.admitted().length);
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
        const s = mesh.stats;
        this.set({ kind: "registration" }, s.registrations);
        this.set({ kind: "heartbeat" }, s.heartbeats);
        this.set({ kind: "fit" }, s.fitsSent);
        this.set({ kind: "update" }, s.updatesReceived);
        this.set({ kind: "update-late" }, s.updatesLate);
        for (const [reason, n] of Object.entries(s.rejected)) this.set({ kind: `refused-${reason}` }, n ?? 0);
      },
    });
    options.onReady?.(mesh);
    return {
      routes: () => [meshRoutes({ mesh, logger, ...(options.socketPingMs ? { socketPingMs: options.socketPingMs } : {}) })],
      healthChecks: () => [
        {
          name: "mesh-nodes",
          // Nodes come and go (chaos, rollbacks): reported, never a reason to be unready.
          critical: false,
          check: async () => {
            const nodes = mesh.nodes();
            const now = Date.now();
            const stale = nodes.filter((n) => !n.connected || now - n.lastSeenAt > n.heartbeatMs * 2.5).length;
            return { ok: true, details: { admitted: mesh.admitted().length, registered: nodes.length, stale, sockets: mesh.sessionCount() } };
          },
        },
      ],
      close: async () => {
        clearInterval(bansTimer);
        mesh.close();
        metrics.registry.removeSingleMetric("synod_mesh_remote_nodes");
        metrics.registry.removeSingleMetric("synod_mesh_node_messages");
      },
    };
  };
}
