/**
 * The coordinator's FL service training over its mesh in node-host processes: a round
 * runs over the hosted nodes, the MAPE-K monitor sees it, and the Model record credits
 * each participant with the examples of its shard.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startCoordinator, type StartCoordinatorReturnType } from "../../../coordinator/server.ts";
import { chaosService, flService, knowledgeService, meshService } from "../../../coordinator/services/defaultServices.ts";
import { until } from "../../fixtures/waiting.ts";

describe("FL over the hosted mesh", () => {
  let dataDir: string;
  let coordinator: StartCoordinatorReturnType;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-hosted-fl-"));
    coordinator = await startCoordinator({
      env: { SYNOD_DATA_DIR: dataDir, SYNOD_API_PORT: "0", LOG_LEVEL: "silent", RPC_URL: "http://127.0.0.1:9", SYNOD_NETWORK_PROFILE: "local", SYNOD_MESH_NODES: "8", SYNOD_MESH_NODES_PER_HOST: "2", SYNOD_FL_ROUND_INTERVAL_MS: "0" },
      services: [knowledgeService, flService, meshService, chaosService],
    });
  });
  after(async () => {
    await coordinator.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("trains a round over the node-host processes, credits each participant with its shard, and MAPE-K sees the round", async () => {
    const status = (await (await fetch(`${coordinator.url}/api/fl/status`)).json()) as { nodes: { total: number } };
    assert.equal(status.nodes.total, 8);
    const started = await fetch(`${coordinator.url}/api/fl/rounds`, { method: "POST", headers: { authorization: `Bearer ${coordinator.adminToken.token}`, "content-type": "application/json" }, body: "{}" });
    assert.equal(started.status, 202);
    const model = await until("round 1's model", async () => {
      const body = (await (await fetch(`${coordinator.url}/api/fl/model`)).json()) as { round: number | null; recordCid: string | null };
      return body.round === 1 && body.recordCid ? body : undefined;
    }, 60_000);
    const record = (await (await fetch(`${coordinator.url}/api/knowledge/${model.recordCid}`)).json()) as { content: { participants: Array<{ nodeId: string; examples: number }>; totalExamples: number } };
    const { participants, totalExamples } = record.content;
    assert.ok(participants.length >= 5, `multikrum needs 5: ${participants.length}`);
    // the mnist package's 10 000 digits, 20 % held out, split over 8 nodes
    for (const p of participants) assert.equal(p.examples, 1000, p.nodeId);
    assert.equal(totalExamples, 1000 * participants.length);
    // MAPE-K's monitor saw the round through the FL service
    const mapek = await until("a MAPE-K tick after the round", async () => {
      const body = (await (await fetch(`${coordinator.url}/api/mapek`)).json()) as { metrics: Record<string, number>; nodes: { total: number } | null };
      return body.nodes?.total === 8 && body.metrics["fl.completed"] === 1 ? body : undefined;
    });
    assert.equal(mapek.metrics["fl.rounds"], 1);
    const { holdoutAccuracy } = (await (await fetch(`${coordinator.url}/api/fl/model`)).json()) as { holdoutAccuracy: number };
    assert.equal(mapek.metrics["fl.accuracy"], holdoutAccuracy);
  });
});
