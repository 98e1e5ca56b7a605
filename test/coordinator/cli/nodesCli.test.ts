/**
 * `synod nodes` and `synod node-host` against a running coordinator: deploy a batch
 * (real host process), see it in `status`, admit a host started by hand from its
 * printed addresses (as on another machine), roll everything back.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { main } from "../../../coordinator/cli/main.ts";
import { isAlive, NODE_HOST_ENTRY } from "../../../coordinator/mesh/deploy/hostProcesses.ts";
import { createMeshService } from "../../../coordinator/services/createMeshService.ts";
import type { RemoteMesh } from "../../../coordinator/mesh/remote/remoteMesh.ts";
import { startCoordinator, type StartCoordinatorReturnType } from "../../../coordinator/server.ts";

describe("synod nodes / synod node-host", () => {
  let dataDir: string;
  let coordinator: StartCoordinatorReturnType;
  let mesh: RemoteMesh;
  let env: Record<string, string>;
  const saved = process.env.SYNOD_DATA_DIR;
  const run = async (...argv: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { env, write: (t) => (stdout += t), error: (t) => (stderr += t) });
    return { code, stdout, stderr };
  };

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-nodes-cli-"));
    coordinator = await startCoordinator({
      env: { SYNOD_DATA_DIR: dataDir, SYNOD_API_PORT: "0", LOG_LEVEL: "silent", SYNOD_NETWORK_PROFILE: "local", IPFS_API_URL: "http://127.0.0.1:9", RPC_URL: "http://127.0.0.1:9", SYNOD_MESH_NODES: "0" },
      services: [createMeshService({ onReady: (m) => (mesh = m) })],
    });
    env = { SYNOD_API_URL: coordinator.url, SYNOD_ADMIN_TOKEN: coordinator.adminToken.token, SYNOD_DATA_DIR: dataDir };
    // The command reads SYNOD_DATA_DIR from the process environment, as it does when run.
    process.env.SYNOD_DATA_DIR = dataDir;
  });

  after(async () => {
    await run("nodes", "rollback", "--all");
    await coordinator.close();
    if (saved === undefined) delete process.env.SYNOD_DATA_DIR;
    else process.env.SYNOD_DATA_DIR = saved;
    await rm(dataDir, { recursive: true, force: true });
  });

  it("deploys, reports status, admits a hand-started host, rolls back", async () => {
    const deployed = await run("nodes", "deploy", "--count", "5", "--batch-size", "5", "--heartbeat-ms", "300", "--data", "sensor", "--json");
    assert.equal(deployed.code, 0, deployed.stderr);
    const summary = JSON.parse(deployed.stdout) as { stages: Array<{ healthy: number }>; batches: Array<{ pids: number[]; status: string }> };
    assert.equal(summary.stages[0]!.healthy, 5);
    const pid = summary.batches[0]!.pids[0]!;
    assert.equal(isAlive(pid), true);

    // A host started by hand (as on another machine): its first stdout line is the admission file.
    const keys = path.join(dataDir, "hand-keys.json");
    const host = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), NODE_HOST_ENTRY, "--nodes", "3", "--coordinator", coordinator.url, "--first-index", "100", "--keys", keys, "--host-id", "by-hand", "--data", "sensor", "--heartbeat-ms", "300", "--max-offline-ms", "20000"], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let text = "";
        host.stdout.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes("\n")) resolve(text.split("\n")[0]!);
        });
        host.once("exit", (code) => reject(new Error(`host exited ${code}`)));
      });
      const file = path.join(dataDir, "by-hand.json");
      await writeFile(file, `${line}\n`);
      const admitted = await run("nodes", "admit", file, "--json");
      assert.equal(admitted.code, 0, admitted.stderr);
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && (await mesh.health(["node-100", "node-101", "node-102"], { probe: true })).some((h) => !h.healthy)) await new Promise((r) => setTimeout(r, 200));

      const status = await run("nodes", "status", "--json");
      assert.equal(status.code, 0, status.stderr);
      const report = JSON.parse(status.stdout) as { batches: Array<{ batch: string; status: string; healthy: number; nodes: number }> };
      assert.deepEqual(report.batches.map((b) => [b.status, b.healthy, b.nodes]), [["healthy", 5, 5], ["external", 3, 3]]);

      const rolledBack = await run("nodes", "rollback", "--all", "--json");
      assert.equal(rolledBack.code, 0, rolledBack.stderr);
      assert.equal(isAlive(pid), false);
      assert.equal(mesh.nodes().length, 0);
      // Told that all its nodes were deregistered, the hand-started host exits by itself.
      const code = await new Promise<number | null>((resolve) => (host.exitCode !== null ? resolve(host.exitCode) : host.once("exit", (c) => resolve(c))));
      assert.equal(code, 0);
    } finally {
      if (host.exitCode === null && host.signalCode === null) host.kill("SIGKILL");
    }
  });

  it("refuses bad deploy options, naming the problem", async () => {
    const bad = await run("nodes", "deploy", "--stages", "100,50", "--batch-size", "0", "--data", "cifar");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--data/);
  });
});
