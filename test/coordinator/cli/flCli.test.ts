/**
 * `synod fl …` against a real coordinator running FL over an in-process mesh.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { main } from "../../../coordinator/cli/main.ts";
import { startCoordinator, type StartCoordinatorReturnType } from "../../../coordinator/server.ts";
import { flService } from "../../../coordinator/services/defaultServices.ts";
import { until } from "../../fixtures/waiting.ts";

describe("synod fl", () => {
  let dataDir: string;
  let coordinator: StartCoordinatorReturnType;
  const run = async (argv: string[], withToken = true) => {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, {
      write: (text) => void (stdout += text),
      error: (text) => void (stderr += text),
      env: { SYNOD_API_URL: coordinator.url, ...(withToken ? { SYNOD_ADMIN_TOKEN: coordinator.adminToken.token } : {}), SYNOD_DATA_DIR: path.join(dataDir, "elsewhere") },
    });
    return { code, stdout, stderr };
  };

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-fl-cli-"));
    coordinator = await startCoordinator({
      env: { SYNOD_DATA_DIR: dataDir, SYNOD_API_PORT: "0", LOG_LEVEL: "silent", RPC_URL: "http://127.0.0.1:9", SYNOD_NETWORK_PROFILE: "local", SYNOD_MESH_NODES: "8", SYNOD_MESH_NODES_PER_HOST: "0", SYNOD_FL_ROUND_INTERVAL_MS: "0" },
      services: [flService],
    });
  });
  after(async () => {
    await coordinator.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("starts a round, then shows status, the model it produced and the metrics", async () => {
    const refused = await run(["fl", "start"], false);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /token/i, refused.stderr + refused.stdout);

    const started = await run(["fl", "start"]);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /^round 1 started: \d+ participants, deadline \d+ ms/);
    await until("round 1 completed", async () => ((JSON.parse((await run(["fl", "status", "--json"])).stdout) as { rounds: { completed: number } }).rounds.completed === 1 ? true : undefined), 60_000);

    const status = await run(["fl", "status"]);
    assert.match(status.stdout, /nodes +8 \(online 8, banned 0\)/);
    assert.match(status.stdout, /rounds +1 completed, 0 failed/);

    const model = JSON.parse((await run(["fl", "model", "--json"])).stdout) as { round: number; recordCid: string; holdoutAccuracy: number };
    assert.equal(model.round, 1);
    const human = await run(["fl", "model"]);
    assert.ok(human.stdout.includes(model.recordCid), human.stdout);
    assert.match(human.stdout, new RegExp(`holdout accuracy ${(model.holdoutAccuracy * 100).toFixed(1)} %`));

    const metrics = await run(["fl", "metrics"]);
    assert.match(metrics.stdout, /ROUND +ACCURACY +LOSS\n1 +\d+\.\d %/);

    const wrong = await run(["fl", "nonsense"]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /synod fl status\|start\|model\|metrics/);
  });
});
