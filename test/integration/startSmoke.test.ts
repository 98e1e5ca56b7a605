/**
 * `npm start`, headless: the whole system comes up (embedded chain, DAO deployed,
 * coordinator with embedded IPFS, mesh in node-host processes, MAPE-K loop, keeper), is
 * healthy, runs an FL round whose model the keeper proposes to the Governor, and shuts
 * down cleanly on SIGINT, leaving no process behind.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { isAlive } from "../../coordinator/mesh/deploy/hostProcesses.ts";
import { descendants } from "../fixtures/processes.ts";
import { startSystem, type StartedSystem } from "../fixtures/startProcess.ts";
import { freePort, until } from "../fixtures/waiting.ts";

describe("npm start (smoke)", () => {
  let child: ChildProcess;
  let dataDir: string;
  let apiUrl: string;
  let chainPort: number;
  let system: StartedSystem;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-smoke-"));
    chainPort = await freePort();
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    system = startSystem({
      chainPort,
      apiPort,
      dataDir,
      env: { SYNOD_MESH_NODES: "12", SYNOD_FL_ROUND_INTERVAL_MS: "0", SYNOD_KEEPER_TICK_MS: "500" },
    });
    child = system.child;
  });

  after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
  });

  it("starts, runs a round, proposes its model, and stops cleanly", async () => {
    await until("Synod is up", async () => (system.stdout().includes("Synod is up.") ? true : child.exitCode !== null ? Promise.reject(new Error(`exited: ${system.stderr().slice(-2000)}`)) : undefined), 240_000);
    assert.match(system.stdout(), /MeshGovernor\s+0x[0-9a-fA-F]{40}/);
    assert.match(system.stdout(), /#1 0x70997970C51812dc3A010C7d01b50e0d17dc79C8\s+225000 MESH votes/);

    const health = await fetch(`${apiUrl}/health`);
    assert.equal(health.status, 200);
    // the mesh runs in node-host processes (12 nodes, 10 per host) watched by MAPE-K
    const mapek = await until("a MAPE-K tick over every node", async () => {
      const body = (await (await fetch(`${apiUrl}/api/mapek`)).json()) as { state: string | null; nodes: { total: number; healthy: number } | null };
      return body.state && body.nodes?.healthy === 12 ? body : undefined;
    });
    assert.equal(mapek.nodes!.total, 12);
    const tree = descendants(child.pid!);
    assert.ok(tree.length >= 4, `chain, coordinator and 2 node hosts at least: ${tree.length} processes`);

    const token = (await readFile(path.join(dataDir, "admin-token"), "utf8")).trim();
    const started = await fetch(`${apiUrl}/api/fl/rounds`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" });
    assert.equal(started.status, 202, await started.clone().text());
    const { round } = (await started.json()) as { round: number };
    assert.equal(round, 1);

    const model = await until(
      "a completed round",
      async () => {
        const body = (await (await fetch(`${apiUrl}/api/fl/model`)).json()) as { round: number | null; recordCid: string | null; holdoutAccuracy: number | null };
        return body.round === 1 ? body : undefined;
      },
      120_000,
    );
    assert.ok(model.holdoutAccuracy! > 0.5, `accuracy ${model.holdoutAccuracy}`);

    // The epoch closes every knowledge.epochSeconds (300 s locally); an operator closes it now.
    const inEpoch = await until(
      "the model in a closed epoch",
      async () => {
        const record = (await (await fetch(`${apiUrl}/api/knowledge/${model.recordCid}`)).json()) as { status: string; proposalId: string | null; epoch: { epoch: number } | null };
        if (record.epoch) return record;
        if (record.status === "pending") await fetch(`${apiUrl}/api/knowledge/epochs/close`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
        return undefined;
      },
      60_000,
    );
    const proposal = await until(
      "the model's proposal",
      async () => {
        const { proposals } = (await (await fetch(`${apiUrl}/api/proposals`)).json()) as { proposals: Array<{ id: string; state: string; epoch: { headlines: string[] } | null }> };
        return proposals.find((p) => p.id === inEpoch.proposalId && p.epoch?.headlines.includes(model.recordCid!));
      },
      60_000,
    );
    assert.ok(["Pending", "Active"].includes(proposal.state), proposal.state);

    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    assert.equal(code, 0, system.stderr().slice(-2000));
    await assert.rejects(fetch(`${apiUrl}/health`), "the coordinator is down");
    await until("every process of the system gone", async () => (tree.every((pid) => !isAlive(pid)) ? true : undefined), 15_000);
    await assert.rejects(fetch(`http://127.0.0.1:${chainPort}`, { method: "POST", body: "{}" }), "the chain is down");
  });
});
