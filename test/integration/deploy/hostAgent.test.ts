/**
 * A remote node host under the coordinator's control, for real: one `synod node-host`
 * agent process (with its worker process and link proxy) against a coordinator with
 * the mesh routes and the agents' control socket, driven only through `AgentHost`
 * (the `HostControl` the chaos engine and MAPE-K use):
 *
 * - kill → the worker's pid is gone, its nodes' socket closes and heartbeats stop;
 * - restart → every node registers again with a new boot id within 5 s (warm spare);
 * - pause → not responsive, resume → responsive again;
 * - link blackhole → heartbeats stop while the agent stays reachable on its control
 *   socket; restore → they come back;
 * - attack → the node's next update is scaled, and honest again once lifted;
 * - SIGTERM → the worker writes its stats and exits, then the agent.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { generatePrivateKey } from "viem/accounts";
import { agentRoutes, meshRoutes } from "../../../coordinator/api/mesh.ts";
import { createLogisticRegression } from "../../../coordinator/fl/model/logisticRegression.ts";
import { isAlive, killNodeHost, rssOf, spawnNodeHost, treeRssOf } from "../../../coordinator/mesh/deploy/hostProcesses.ts";
import type { AgentHost } from "../../../coordinator/mesh/hosts/agentHost.ts";
import { AgentRegistry } from "../../../coordinator/mesh/hosts/agentRegistry.ts";
import { loadOrCreateControlKey } from "../../../coordinator/mesh/hosts/controlKey.ts";
import { nodeIdOf, writeNodeKeys } from "../../../coordinator/mesh/nodeHost/nodeHostOptions.ts";
import { addressOfKey } from "../../../coordinator/mesh/remote/nodeMessage.ts";
import { RemoteMesh } from "../../../coordinator/mesh/remote/remoteMesh.ts";
import { startCoordinator, type StartCoordinatorReturnType } from "../../../coordinator/server.ts";
import type { CoordinatorServiceFactory } from "../../../coordinator/services/coordinatorService.ts";
import { descendants } from "../../fixtures/processes.ts";
import { until } from "../../fixtures/waiting.ts";

const HOST_ID = "agent-h0";
const HEARTBEAT_MS = 200;
const NODES = 3;
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

describe("a remote node host under coordinator control (real agent and worker processes)", () => {
  let dataDir: string;
  let coordinator: StartCoordinatorReturnType;
  let mesh: RemoteMesh;
  let agents: AgentRegistry;
  let host: AgentHost;
  let agentPid: number;
  let statsFile: string;
  const workerPids = new Set<number>();
  const keys = Array.from({ length: NODES }, (_, i) => ({ nodeId: nodeIdOf(900 + i), index: 900 + i, privateKey: generatePrivateKey() }));
  const nodeIds = keys.map((k) => k.nodeId);

  // The coordinator's side as a service: the mesh routes, and the agents' control socket.
  const meshWithAgents: CoordinatorServiceFactory = async ({ config, logger }) => {
    mesh = new RemoteMesh({ logger });
    const key = await loadOrCreateControlKey(config.dataDir);
    agents = new AgentRegistry({ controlKey: key.privateKey, admitted: (nodeId) => mesh.admittedNode(nodeId), logger, commandTimeoutMs: 5000, startTimeoutMs: 30_000 });
    return { routes: () => [meshRoutes({ mesh, logger }), agentRoutes({ agents, logger })] };
  };

  /** Every node registered with the host's current boot, connected and heartbeating. */
  const allHeartbeating = async () => {
    const health = await mesh.health(nodeIds, { probe: false });
    return health.every((h) => h.healthy) && nodeIds.every((id) => mesh.node(id)?.bootId === host.bootId) ? true : undefined;
  };
  /** No node has heartbeated for 2.5 periods (what the health check calls not heartbeating). */
  const noneHeartbeating = async () => ((await mesh.health(nodeIds, { probe: false })).every((h) => !h.heartbeating) ? true : undefined);

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-agent-"));
    coordinator = await startCoordinator({
      env: { SYNOD_DATA_DIR: dataDir, SYNOD_API_PORT: "0", LOG_LEVEL: "silent", IPFS_API_URL: "http://127.0.0.1:9", RPC_URL: "http://127.0.0.1:9", SYNOD_NETWORK_PROFILE: "local", SYNOD_NODE_RATE_LIMIT_MAX: "100000" },
      services: [meshWithAgents],
    });
    // What the deployer does: keys, admission, then the host with the control address.
    const meshDir = path.join(dataDir, "mesh");
    await mkdir(path.join(meshDir, "logs"), { recursive: true });
    const keysFile = path.join(meshDir, "keys", `${HOST_ID}.json`);
    await writeNodeKeys(keysFile, keys);
    mesh.admit(keys.map((k) => ({ nodeId: k.nodeId, address: addressOfKey(k.privateKey), hostId: HOST_ID })));
    const { address } = (await (await fetch(`${coordinator.url}/api/mesh/control`)).json()) as { address: string };
    assert.equal(address, agents.controlAddress);
    statsFile = path.join(dataDir, "stats.json");
    const hostUp = new Promise<AgentHost>((resolve) => agents.onHostUp(resolve));
    agentPid = spawnNodeHost(
      ["--nodes", String(NODES), "--coordinator", coordinator.url, "--first-index", "900", "--keys", keysFile, "--host-id", HOST_ID, "--heartbeat-ms", String(HEARTBEAT_MS),
        "--total-shards", "1000", "--max-examples", "2000", "--seed", "7", "--max-offline-ms", "20000", "--control-address", address, "--stats-file", statsFile],
      path.join(meshDir, "logs", `${HOST_ID}.log`),
    );
    host = await hostUp;
    host.onChange((h) => h.pid && workerPids.add(h.pid));
    await until("the first worker ready and its nodes heartbeating", async () => (host.state === "running" ? allHeartbeating() : undefined), 45_000, 100);
  });

  after(async () => {
    if (agentPid && isAlive(agentPid)) await killNodeHost(agentPid, HOST_ID);
    for (const pid of workerPids) if (isAlive(pid)) process.kill(pid, "SIGKILL");
    await coordinator?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("is accepted for its host, on a control socket of its own", async (t) => {
    await until("the spare worker warm", async () => (host.spare === "warm" ? true : undefined), 30_000, 100);
    t.diagnostic(`RSS MiB: agent ${mib(rssOf(agentPid))}, host (agent, worker, spare) ${mib(treeRssOf(agentPid))}`);
    assert.deepEqual([host.hostId, host.location, host.connected, host.agentPid, [...host.nodeIds]], [HOST_ID, "remote", true, agentPid, nodeIds]);
    assert.ok(host.pid && host.pid !== agentPid && isAlive(host.pid), `worker pid ${host.pid}`);
    for (const nodeId of nodeIds) assert.equal(mesh.node(nodeId)?.pid, host.pid);
  });

  it("kill: the worker is gone, its nodes' socket closes and their heartbeats stop", async () => {
    const pid = host.pid!;
    await host.kill();
    assert.equal(isAlive(pid), false);
    assert.equal(host.state, "dead");
    assert.deepEqual(host.lastExit, { code: null, signal: "SIGKILL" });
    await until("the nodes' socket closed", async () => (nodeIds.every((id) => mesh.node(id)?.connected === false) ? true : undefined), 5000, 50);
    await until("heartbeats stopped", noneHeartbeating, 5000, 50);
    // Not restarted behind the coordinator's back.
    assert.equal(host.state, "dead");
    assert.equal(await host.isResponsive(500), false);
  });

  it("restart: every node registers again with a new boot id within 5 s", async (t) => {
    // The agent keeps a spare worker with its modules loaded; a restart takes it.
    await until("the spare worker warm", async () => (host.spare === "warm" ? true : undefined), 30_000, 100);
    // The agent keeps a spare worker with its modules loaded; a restart takes it.
    const before = { bootId: mesh.node(nodeIds[0]!)!.bootId, restarts: host.restarts };
    const started = performance.now();
    await host.restart();
    const elapsedMs = performance.now() - started;
    t.diagnostic(`restart (kill, warm spare, every node registered): ${Math.round(elapsedMs)} ms`);
    assert.ok(elapsedMs < 5000, `restart took ${Math.round(elapsedMs)} ms`);
    assert.equal(host.state, "running");
    assert.notEqual(host.bootId, before.bootId);
    assert.equal(host.restarts, before.restarts + 1);
    for (const nodeId of nodeIds) assert.deepEqual([mesh.node(nodeId)?.bootId, mesh.node(nodeId)?.connected, mesh.node(nodeId)?.pid], [host.bootId, true, host.pid]);
    await until("heartbeats again", allHeartbeating, 5000, 50);
  });

  it("pause: not responsive while frozen, responsive once resumed", async () => {
    assert.equal(await host.isResponsive(1000), true);
    await host.pause();
    assert.equal(host.state, "paused");
    assert.equal(await host.isResponsive(500), false);
    await host.resume();
    assert.equal(host.state, "running");
    assert.equal(await host.isResponsive(2000), true);
    await until("heartbeats after the pause", allHeartbeating, 10_000, 50);
  });

  it("link blackhole: heartbeats stop while the agent stays reachable; restore brings them back", async () => {
    await host.link.impair("to", { blackhole: true });
    await host.link.impair("from", { blackhole: true });
    try {
      await until("heartbeats stopped behind the blackhole", noneHeartbeating, 5000, 50);
      // The control socket does not cross the proxy: the worker still answers through its agent.
      assert.equal(host.connected, true);
      assert.equal(await host.isResponsive(1000), true);
      assert.equal(host.state, "running");
    } finally {
      await host.link.restore("to");
      await host.link.restore("from");
    }
    await until("heartbeats after the blackhole", allHeartbeating, 15_000, 50);
  });

  it("attack: the node's next update is scaled, and honest again once lifted", async () => {
    const nodeId = nodeIds[0]!;
    const model = createLogisticRegression({ numFeatures: 784, numClasses: 10 });
    let round = 0;
    const fitNorm = async () => {
      const update = await mesh.fit(nodeId, { round: ++round, modelVersion: 0, params: new Float32Array(model.numParams), config: { localEpochs: 1, learningRate: 0.1, batchSize: 32 } }, AbortSignal.timeout(20_000));
      return Math.hypot(...update.params);
    };
    const honest = await fitNorm();
    assert.ok(honest > 0);
    await host.setAttack(nodeId, { kind: "scaling", factor: 50 });
    const attacked = await fitNorm();
    // From zero parameters the scaled update is λ times an honest one.
    assert.ok(attacked > 20 * honest, `attacked norm ${attacked} vs honest ${honest}`);
    await host.setAttack(nodeId, null);
    const lifted = await fitNorm();
    assert.ok(lifted < 2 * honest, `after lifting: ${lifted} vs honest ${honest}`);
  });

  it("SIGTERM: the worker writes its stats and exits, then the agent", async () => {
    const workerPid = host.pid!;
    // The worker and the warm spare.
    const children = descendants(agentPid);
    assert.ok(children.includes(workerPid));
    process.kill(agentPid, "SIGTERM");
    await until("the agent exited", async () => (isAlive(agentPid) ? undefined : true), 15_000, 50);
    for (const pid of new Set([...children, ...workerPids])) assert.equal(isAlive(pid), false, `process ${pid} outlived its agent`);
    assert.ok(existsSync(statsFile));
    const stats = JSON.parse(await readFile(statsFile, "utf8")) as { hostId: string; counters: { heartbeatsSent: number } };
    assert.equal(stats.hostId, HOST_ID);
    assert.ok(stats.counters.heartbeatsSent > 0);
    await until("the host reported down", async () => (host.connected ? undefined : true), 5000, 50);
  });
});
