/**
 * The coordinator's FL service: a real round on MNIST publishes the global model to
 * IPFS and queues a valid Model record; rounds survive a restart (the interrupted one
 * is closed as failed, training resumes from the last published model); one round at
 * a time; MeshPolicy values change how rounds run.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createEventBus } from "../../../coordinator/events.ts";
import { loadMnist } from "../../../coordinator/fl/datasets/mnist.ts";
import { FlService, RoundInProgressError, type FlPolicy } from "../../../coordinator/fl/flService.ts";
import { kuboContentStore } from "../../../coordinator/ipfs/kuboContentStore.ts";
import { readModel } from "../../../coordinator/knowledge/modelArtifact.ts";
import { parseKnowledgeRecord } from "../../../coordinator/knowledge/schemas/index.ts";
import { createLogger } from "../../../coordinator/logger.ts";
import { KnowledgeRepository } from "../../../coordinator/store/knowledgeRepository.ts";
import { openDatabase, type Database } from "../../../coordinator/store/openDatabase.ts";
import { startKuboRpcServer, type KuboRpcServer } from "../../fixtures/kuboRpcServer.ts";

const dataset = loadMnist();

describe("FlService", () => {
  let kubo: KuboRpcServer;
  before(async () => {
    kubo = await startKuboRpcServer();
  });
  after(async () => {
    await kubo.close();
  });

  function service(db: Database, policy?: FlPolicy) {
    const events = createEventBus();
    const finished: unknown[] = [];
    events.subscribe((event) => finished.push(event.data), { types: ["fl.round.finished"] });
    const create = () =>
      FlService.create({
        db,
        outbox: new KnowledgeRepository(db),
        content: kuboContentStore({ url: kubo.url }),
        events,
        logger: createLogger({ level: "silent" }),
        dataset,
        numNodes: 12,
        maxExamples: 3000,
        seed: 7,
        ...(policy ? { policy: async () => policy } : {}),
      });
    return { create, finished };
  }

  it("runs a real round, publishes the model and queues a valid Model record", async () => {
    const db = openDatabase(":memory:");
    const { create, finished } = service(db, { "fl.strategy": 0n, "fl.targetParticipants": 8n, "fl.roundDeadlineMs": 30_000n });
    const fl = await create();
    const started = await fl.startRound();
    assert.deepEqual(started, { round: 1, participants: 8, timeoutMs: 30_000 });
    await assert.rejects(fl.startRound(), RoundInProgressError);
    await fl.whenIdle();

    const model = fl.model();
    assert.equal(model.round, 1);
    assert.ok(model.holdoutAccuracy! > 0.5, `accuracy ${model.holdoutAccuracy}`);
    assert.equal(model.status, "unpublished", "queued for the keeper");
    const outbox = new KnowledgeRepository(db);
    const record = parseKnowledgeRecord(JSON.parse(outbox.getRecordByCid(model.recordCid!)!.content));
    assert.equal(record.kind, "Model");
    if (record.kind === "Model") {
      assert.equal(record.strategy.name, "fedavg");
      assert.equal(record.participants.length, 8);
      const { weights } = await readModel(kuboContentStore({ url: kubo.url }), record.artifact.manifestCid);
      assert.equal(weights.length, 7850, "the published weights are the global model");
    }
    assert.deepEqual(finished, [{ round: 1, status: "completed", participants: 8, modelCid: model.recordCid, holdoutAccuracy: model.holdoutAccuracy }]);
    assert.equal(fl.status().rounds.completed, 1);
    assert.equal(fl.metrics().accuracy.length, 1);
    db.close();
  });

  it("after a restart, closes the interrupted round as failed and resumes from the last model", async () => {
    const db = openDatabase(":memory:");
    const first = await service(db, { "fl.strategy": 0n }).create();
    await first.startRound();
    await first.whenIdle();
    const before = first.model();
    // a round was running when the process died
    db.prepare("INSERT INTO fl_rounds (round, status, started_at) VALUES (2, 'running', ?)").run(Date.now());

    const restarted = await service(db, { "fl.strategy": 0n }).create();
    assert.deepEqual(restarted.metrics().failures, [{ round: 2, reason: "coordinator-restarted" }]);
    assert.equal(restarted.model().recordCid, before.recordCid, "the last model is still the current one");
    const { round } = await restarted.startRound();
    await restarted.whenIdle();
    assert.equal(round, 3, "round numbers continue");
    const after = restarted.model();
    assert.ok(after.holdoutAccuracy! >= before.holdoutAccuracy! - 0.05, `resumed training: ${before.holdoutAccuracy} → ${after.holdoutAccuracy}`);
    const outbox = new KnowledgeRepository(db);
    const record = JSON.parse(outbox.getRecordByCid(after.recordCid!)!.content) as { parentModelCid: string };
    assert.equal(record.parentModelCid, before.recordCid, "lineage to the model it resumed from");
    db.close();
  });

  it("lifts fl.minParticipants to what the strategy needs instead of failing every round (the original's Krum bug)", async () => {
    const db = openDatabase(":memory:");
    const fl = await service(db, { "fl.strategy": 7n, "fl.byzantineF": 1n, "fl.minParticipants": 3n, "fl.targetParticipants": 3n }).create();
    const { participants } = await fl.startRound();
    assert.equal(participants, 5, "Multi-Krum with f = 1 needs 5 updates");
    await fl.whenIdle();
    assert.equal(fl.metrics().rounds.completed, 1);
    db.close();
  });

  it("follows MeshPolicy: the strategy and the participant count come from the chain's values", async () => {
    const db = openDatabase(":memory:");
    const policy: FlPolicy = { "fl.strategy": 6n, "fl.byzantineF": 1n, "fl.minParticipants": 5n, "fl.targetParticipants": 6n };
    const fl = await service(db, policy).create();
    assert.deepEqual(fl.status().strategy, { name: "krum", numMalicious: 1 });
    const { participants } = await fl.startRound();
    assert.equal(participants, 6);
    await fl.whenIdle();
    policy["fl.strategy"] = 4n; // governance switches to FedMedian
    await fl.startRound();
    await fl.whenIdle();
    assert.deepEqual(fl.status().strategy, { name: "fedmedian" });
    assert.equal(fl.metrics().rounds.completed, 2);
    db.close();
  });
});
