/**
 * `kill -9` of the whole coordinator process in the middle of an FL round: after a
 * restart on the same data directory the interrupted round is closed as failed (with
 * its reason), training resumes from the last published model, round numbers go on,
 * and every model record queued before the crash is still there, proposed once. A chaos
 * run the crash cut short is closed as interrupted, and the node hosts and the faults
 * they carried died with the coordinator.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { isAlive } from "../../coordinator/mesh/deploy/hostProcesses.ts";
import { descendants } from "../fixtures/processes.ts";
import { freePort, until } from "../fixtures/waiting.ts";
import type { JsonRpcServer } from "../fixtures/jsonRpcServer.ts";
import { serveSynod, type Synod } from "../fixtures/synod.ts";

const root = path.resolve(import.meta.dirname, "../..");

describe("coordinator crash (kill -9) and restart", () => {
  let synod: Synod;
  let rpc: JsonRpcServer;
  let dataDir: string;
  let apiUrl: string;
  let env: Record<string, string>;
  let coordinator: ChildProcess | undefined;

  const get = async <T,>(pathname: string) => (await (await fetch(`${apiUrl}${pathname}`)).json()) as T;

  function startCoordinator(extraEnv: Record<string, string> = {}): ChildProcess {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "coordinator/server.ts")], { cwd: root, env: { ...env, ...extraEnv }, stdio: ["ignore", "ignore", "pipe"] });
    child.stderr!.resume();
    return child;
  }

  before(async () => {
    let addressEnv: Record<string, string>;
    ({ synod, rpc, env: addressEnv } = await serveSynod());
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-crash-"));
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    env = {
      ...(process.env as Record<string, string>),
      RPC_URL: rpc.url,
      SYNOD_NETWORK_PROFILE: "local",
      SYNOD_DATA_DIR: dataDir,
      SYNOD_API_PORT: String(port),
      ...addressEnv,
      SYNOD_MESH_NODES: "16",
      SYNOD_FL_ROUND_INTERVAL_MS: "0",
      SYNOD_KEEPER_TICK_MS: "300",
      LOG_LEVEL: "warn",
    };
  });

  after(async () => {
    coordinator?.kill("SIGKILL");
    await rpc.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("closes the interrupted round, resumes from the last model and proposes nothing twice", async () => {
    coordinator = startCoordinator();
    await until("the coordinator", async () => ((await fetch(`${apiUrl}/health`)).ok ? true : undefined));
    const token = (await readFile(path.join(dataDir, "admin-token"), "utf8")).trim();
    const startRound = () => fetch(`${apiUrl}/api/fl/rounds`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" });

    // round 1 completes and its model is proposed
    assert.equal((await startRound()).status, 202);
    const first = await until("round 1's model", async () => {
      const model = await get<{ round: number | null; recordCid: string | null; holdoutAccuracy: number | null }>("/api/fl/model");
      return model.round === 1 && model.recordCid ? model : undefined;
    });
    // The epoch closes every knowledge.epochSeconds (300 s locally); an operator closes it now.
    const closeEpochWith = (cid: string) =>
      until(`an epoch carrying ${cid}`, async () => {
        const record = await get<{ status: string; epoch: { epoch: number } | null }>(`/api/knowledge/${cid}`);
        if (record.epoch) return record.epoch.epoch;
        if (record.status === "pending") await fetch(`${apiUrl}/api/knowledge/epochs/close`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
        return undefined;
      });
    await closeEpochWith(first.recordCid!);
    const proposalsBefore = await synod.governor.read.proposalCount();

    // round 2 starts; the process is killed while it runs
    assert.equal((await startRound()).status, 202);
    coordinator.kill("SIGKILL");
    await new Promise((resolve) => coordinator!.once("exit", resolve));

    coordinator = startCoordinator();
    await until("the restarted coordinator", async () => ((await fetch(`${apiUrl}/health`)).ok ? true : undefined));
    const metrics = await get<{ failures: Array<{ round: number; reason: string }>; rounds: { completed: number } }>("/api/fl/metrics");
    const model = await get<{ round: number; recordCid: string }>("/api/fl/model");
    if (model.round === 1) {
      // killed mid-round: the round is closed, not lost or left open
      assert.deepEqual(metrics.failures, [{ round: 2, reason: "coordinator-restarted" }]);
    } else {
      // the round finished just before the kill: it stands, with its model
      assert.equal(model.round, 2);
      assert.deepEqual(metrics.failures, []);
    }
    assert.equal((await startRound()).status, 202);
    const next = await until("the next round", async () => {
      const current = await get<{ round: number; holdoutAccuracy: number; recordCid: string }>("/api/fl/model");
      return current.round === 3 ? current : undefined;
    });
    assert.ok(next.holdoutAccuracy >= first.holdoutAccuracy! - 0.05, `resumed, not restarted: ${first.holdoutAccuracy} → ${next.holdoutAccuracy}`);

    const { records } = await get<{ records: Array<{ cid: string; status: string }> }>("/api/knowledge?kind=Model");
    assert.ok(records.some((r) => r.cid === first.recordCid && r.status === "proposed"), "round 1's record survived");
    await closeEpochWith(next.recordCid);
    await until("round 3's proposal", async () => ((await synod.governor.read.proposalCount()) > proposalsBefore ? true : undefined));
    const { epochs } = await get<{ epochs: Array<{ epoch: number }> }>("/api/knowledge/epochs");
    const carrying: number[] = [];
    for (const { epoch } of epochs) {
      const page = await get<{ records: Array<{ cid: string }> }>(`/api/knowledge/epochs/${epoch}?limit=1000`);
      if (page.records.some((r) => r.cid === first.recordCid)) carrying.push(epoch);
    }
    assert.equal(carrying.length, 1, "round 1's model was proposed in exactly one epoch");
    assert.equal((await get<{ ok: boolean }>("/api/knowledge/audit")).ok, true, "nothing lost");
    coordinator.kill("SIGTERM");
    assert.equal(await new Promise((resolve) => coordinator!.once("exit", (code) => resolve(code))), 0, "clean shutdown");
  });

  it("closes a chaos run the crash cut short as interrupted; the node hosts die with the coordinator", async () => {
    // Rounds on a schedule: the experiment's steady state needs recent completed rounds.
    const rounds = { SYNOD_FL_ROUND_INTERVAL_MS: "300" };
    coordinator = startCoordinator(rounds);
    await until("the coordinator", async () => ((await fetch(`${apiUrl}/health`)).ok ? true : undefined));
    await until("rounds completing", async () => ((await get<{ rounds: { completed: number } }>("/api/fl/status")).rounds.completed >= 5 ? true : undefined));
    const token = (await readFile(path.join(dataDir, "admin-token"), "utf8")).trim();
    const startRun = () =>
      fetch(`${apiUrl}/api/chaos/runs`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name: "latency-spike" }) });
    const started = await startRun();
    assert.equal(started.status, 202, await started.clone().text());
    const { runId } = (await started.json()) as { runId: number };
    await until("the fault injected", async () => {
      const run = await get<{ status: string; progress: { phase: string; detail: string } | null }>(`/api/chaos/runs/${runId}`);
      if (run.status !== "running") throw new Error(`the run ended before its fault: ${run.status} (${run.progress?.detail})`);
      return run.progress?.phase === "fault-applied" || run.progress?.phase === "probe-sample" ? true : undefined;
    });
    const hosts = descendants(coordinator.pid!);
    assert.ok(hosts.length >= 2, `16 nodes, 10 per host: ${hosts.length} host processes`);
    coordinator.kill("SIGKILL");
    await new Promise((resolve) => coordinator!.once("exit", resolve));
    // The hosts notice their parent is gone (the IPC channel closes) and exit.
    await until("the node hosts gone", async () => (hosts.every((pid) => !isAlive(pid)) ? true : undefined), 15_000);

    coordinator = startCoordinator(rounds);
    await until("the restarted coordinator", async () => ((await fetch(`${apiUrl}/health`)).ok ? true : undefined));
    const run = await get<{ status: string; endedAt: number | null }>(`/api/chaos/runs/${runId}`);
    assert.equal(run.status, "interrupted");
    assert.ok(run.endedAt);
    const { runs } = await get<{ runs: Array<{ runId: number }> }>("/api/chaos/runs");
    assert.deepEqual(runs.map((r) => r.runId), [runId], "the run is kept, once");
    // nothing is left running: a new run is accepted
    const again = await startRun();
    assert.equal(again.status, 202, await again.clone().text());
    coordinator.kill("SIGTERM");
    assert.equal(await new Promise((resolve) => coordinator!.once("exit", (code) => resolve(code))), 0, "clean shutdown during a run");
  });
});
