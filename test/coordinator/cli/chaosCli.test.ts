/**
 * `synod chaos …` and `synod mapek …` against a real coordinator started in-process:
 * 8 mesh nodes in 4 node-host processes, the MAPE-K loop and the chaos engine over
 * them, reached through HTTP and the event stream as an operator's terminal reaches them.
 * The local chain is served too: the keeper (which runs once the chain is connected) puts
 * a run's ChaosReport on IPFS, and the test reads the report through the gateway.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { main } from "../../../coordinator/cli/main.ts";
import { startCoordinator } from "../../../coordinator/server.ts";
import { chaosService, flService, knowledgeService, meshService } from "../../../coordinator/services/defaultServices.ts";
import type { JsonRpcServer } from "../../fixtures/jsonRpcServer.ts";
import { serveSynod } from "../../fixtures/synod.ts";

const root = path.resolve(import.meta.dirname, "../../..");

describe("synod CLI: chaos and mapek", () => {
  let coordinator: Awaited<ReturnType<typeof startCoordinator>>;
  let rpc: JsonRpcServer | undefined;
  let dir: string;
  let env: Record<string, string>;

  async function synodCli(argv: string[], io: { interrupt?: AbortSignal; onWrite?: (stdout: string) => void } = {}) {
    let stdout = "";
    let stderr = "";
    const write = (text: string) => {
      stdout += text;
      io.onWrite?.(stdout);
    };
    const code = await main(argv, { env, write, error: (text) => (stderr += text), ...(io.interrupt ? { interrupt: io.interrupt } : {}) });
    return { code, stdout, stderr };
  }

  const api = async <T>(pathname: string): Promise<T> => {
    const response = await fetch(coordinator.url + pathname);
    assert.equal(response.status, 200, `GET ${pathname}`);
    return (await response.json()) as T;
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "synod-chaos-cli-"));
    const served = await serveSynod();
    rpc = served.rpc;
    coordinator = await startCoordinator({
      env: {
        ...served.env,
        SYNOD_DATA_DIR: path.join(dir, "data"),
        SYNOD_API_PORT: "0",
        LOG_LEVEL: "silent",
        RPC_URL: served.rpc.url,
        SYNOD_KEEPER_TICK_MS: "300",
        SYNOD_NETWORK_PROFILE: "local",
        SYNOD_MESH_NODES: "8",
        SYNOD_MESH_NODES_PER_HOST: "2",
        SYNOD_FL_ROUND_INTERVAL_MS: "500",
      },
      services: [knowledgeService, flService, meshService, chaosService],
    });
    env = { SYNOD_API_URL: coordinator.url, SYNOD_ADMIN_TOKEN: coordinator.adminToken.token };
    // The experiments' steady state needs completed FL rounds and a MAPE-K verdict.
    const deadline = Date.now() + 20_000;
    while ((await api<{ rounds: { completed: number } }>("/api/fl/status")).rounds.completed < 2) {
      assert.ok(Date.now() < deadline, "FL rounds did not start");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  after(async () => {
    await coordinator?.close();
    await rpc?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("chaos ls lists every experiment file", async () => {
    const files = (await readdir(path.join(root, "experiments"))).filter((f) => /\.ya?ml$/.test(f));
    assert.equal(files.length, 8);

    const { code, stdout } = await synodCli(["chaos", "ls"]);

    assert.equal(code, 0);
    for (const file of files) assert.match(stdout, new RegExp(`^${file.replace(/\.ya?ml$/, "")}\\s`, "m"), file);
    assert.match(stdout, /^node-failure\s+node-crash\s+30 s\s/m);
    const json = JSON.parse((await synodCli(["chaos", "ls", "--json"])).stdout) as Array<{ valid: boolean }>;
    assert.equal(json.length, 8);
    assert.ok(json.every((e) => e.valid));
  });

  it("refuses an invalid experiment file locally, with each problem's path, and starts nothing", async () => {
    const file = path.join(dir, "broken.yaml");
    await writeFile(file, "version: 1\nname: broken\ntitle: Broken\nmethod:\n  - type: fault\n    name: crash\n    kind: node-crash\n    spec: { durationMs: -5 }\n");
    const syntax = path.join(dir, "syntax.yaml");
    await writeFile(syntax, "version: 1\nmethod: [\n");

    const invalid = await synodCli(["chaos", "run", file]);
    const unparsable = await synodCli(["chaos", "run", syntax]);

    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /Invalid chaos experiment .*broken\.yaml/);
    assert.match(invalid.stderr, /- steady-state-hypothesis: /);
    assert.equal(unparsable.code, 1);
    assert.match(unparsable.stderr, /- line \d+: /);
    assert.deepEqual((await api<{ runs: unknown[] }>("/api/chaos/runs")).runs, []);
  });

  it("chaos run FILE follows the run live and prints its summary; the report resolves through the gateway", async () => {
    // Time scale 0.1 (the host stays down 3 s), not 0.05: with 1.5 s the fault's own
    // recovery can start the host just as MAPE-K restarts it, and the restart kills the
    // process the recovery is starting ("exited during start"): a race in the engine, not the CLI.
    const { code, stdout, stderr } = await synodCli(["chaos", "run", "experiments/node-failure.yaml", "--time-scale", "0.1"]);

    assert.equal(code, 0, `${stdout}\n${stderr}`);
    assert.equal(stderr, "");
    const killed = /fault-applied\s+.*node-crash on (local-\d+)/.exec(stdout)?.[1];
    assert.ok(killed, `no fault-applied line naming the node:\n${stdout}`);
    assert.match(stdout, new RegExp(`fault injected\\s+node-crash on ${killed}`));
    assert.match(stdout, /incident detected\s+\S+ on local-\d+/);
    assert.match(stdout, /chaos run #1 node-failure: completed, steady state held/);
    assert.match(stdout, /^nodes-healthy\s+✓ \S+\s+✓ \S+/m);
    // Under load the heal can come after the run's recovery wait: MTTR is then "—".
    assert.match(stdout, /MTTD \d+ ms · MTTR (\d+ ms|—) · resilience score [\d.]+\/100/);
    const reportCid = /^ChaosReport (\S+)$/m.exec(stdout)?.[1];
    const run = await api<{ status: string; reportCid: string; journal: { records: { incidentCids: string[] } } }>("/api/chaos/runs/1");
    assert.equal(run.status, "completed");
    assert.equal(reportCid, run.reportCid);
    for (const cid of run.journal.records.incidentCids) assert.ok(stdout.includes(cid), cid);
    // The keeper stores the record on IPFS at its next tick (the epoch's proposal comes later).
    let report = await fetch(`${coordinator.url}/ipfs/${reportCid}`);
    for (const deadline = Date.now() + 10_000; report.status !== 200 && Date.now() < deadline; ) {
      await report.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 250));
      report = await fetch(`${coordinator.url}/ipfs/${reportCid}`);
    }
    assert.equal(report.status, 200, `GET /ipfs/${reportCid}`);
    const content = (await report.json()) as { kind?: string; experiment?: { name?: string } };
    assert.equal(content.kind, "ChaosReport");
    assert.equal(content.experiment?.name, "node-failure");
  });

  it("refuses a second run while one runs, and Ctrl-C aborts the running one with a summary", async () => {
    const interrupt = new AbortController();
    let refused: Awaited<ReturnType<typeof synodCli>> | undefined;
    let checking: Promise<void> | undefined;
    // Once the fault is applied, try a second run, then press "Ctrl-C".
    const onWrite = (stdout: string) => {
      if (checking || !/fault-applied/.test(stdout)) return;
      checking = (async () => {
        refused = await synodCli(["chaos", "run", "node-failure"]);
        interrupt.abort();
      })();
    };

    const first = await synodCli(["chaos", "run", "node-failure", "--time-scale", "0.5"], { interrupt: interrupt.signal, onWrite });
    await checking;

    assert.equal(refused?.code, 1);
    assert.match(refused!.stderr, /Refused: chaos run #2 \(node-failure\) is still running/);
    assert.match(refused!.stderr, /synod chaos abort 2/);
    assert.equal(first.code, 1, first.stdout);
    assert.match(first.stdout, /interrupt\s+asking the coordinator to abort run #2/);
    assert.match(first.stdout, /chaos run #2 node-failure: interrupted/);
    assert.equal((await api<{ status: string }>("/api/chaos/runs/2")).status, "interrupted");
    assert.equal((await api<{ runs: unknown[] }>("/api/chaos/runs")).runs.length, 2);
    assert.equal((await api<{ activeFaults: unknown[] }>("/api/chaos/status")).activeFaults.length, 0);
  });

  it("chaos runs, show, status and abort read the coordinator's runs", async () => {
    const runs = await synodCli(["chaos", "runs"]);
    const show = await synodCli(["chaos", "show", "1", "--json"]);
    const status = await synodCli(["chaos", "status"]);
    const abortFinished = await synodCli(["chaos", "abort", "1"]);
    const abortUnknown = await synodCli(["chaos", "abort", "99"]);

    assert.equal(runs.code, 0);
    assert.match(runs.stdout, /^#2\s+node-failure\s+interrupted/m);
    assert.match(runs.stdout, /^#1\s+node-failure\s+completed/m);
    assert.equal(show.code, 0);
    assert.equal((JSON.parse(show.stdout) as { runId: number; status: string }).status, "completed");
    assert.equal(status.code, 0);
    assert.match(status.stdout, /^running: none$/m);
    assert.match(status.stdout, /^node-crash\s+2\s+2\s+0\s/m);
    // Aborting a finished run changes nothing and shows it.
    assert.equal(abortFinished.code, 0);
    assert.match(abortFinished.stdout, /chaos run #1 node-failure: completed/);
    assert.equal(abortUnknown.code, 1);
  });

  it("mapek prints the state, φ and nodes; mapek history charts φ", async () => {
    const view = await synodCli(["mapek"]);
    const history = await synodCli(["mapek", "history", "--limit", "20"]);

    assert.equal(view.code, 0);
    assert.match(view.stdout, /^state (EUPHORIC|HARMONIC|QUIESCENT|[A-Z]+) · φ \d\.\d{3} · epoch \d+/m);
    assert.match(view.stdout, /^nodes 8 total · \d+ healthy/m);
    assert.match(view.stdout, /^open incidents: \d+$/m);
    assert.equal(history.code, 0);
    // The loop ticks every 250 ms and has run for well over 20 ticks by now.
    assert.match(history.stdout, /^φ over 20 ticks/m);
    assert.match(history.stdout, /^ {2}[▁▂▃▄▅▆▇█]{20}$/m);
    assert.match(history.stdout, /^state changes:/m);
  });
});
