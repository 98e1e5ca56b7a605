import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NodeUnavailableError } from "../../../coordinator/errors/fl.ts";
import { createSignFlip } from "../../../coordinator/fl/attacks/signFlip.ts";
import { loadMnist } from "../../../coordinator/fl/datasets/mnist.ts";
import { createLogisticRegression } from "../../../coordinator/fl/model/logisticRegression.ts";
import { ReplayGuard, validateUpdate } from "../../../coordinator/fl/validation/validateUpdate.ts";
import { MeshNode } from "../../../coordinator/mesh/meshNode.ts";
import { createNodeIdentity } from "../../../coordinator/mesh/nodeIdentity.ts";

describe("MeshNode", () => {
  const dataset = loadMnist();
  const model = createLogisticRegression({ numFeatures: 784, numClasses: 10 });
  const makeNode = (i: number): MeshNode =>
    new MeshNode({ nodeId: `n${i}`, identity: createNodeIdentity({ seed: `n${i}` }), model, dataset, rows: Uint32Array.from({ length: 20 }, (_, k) => i * 20 + k), seed: i });
  const instruction = { round: 1, modelVersion: 0, params: model.init(1), config: { localEpochs: 1, learningRate: 0.1, batchSize: 10 } };

  it("trains on its shard and returns an update that passes validation", async () => {
    const node = makeNode(0);
    const update = await node.fit(instruction, new AbortController().signal);
    assert.equal(update.numExamples, 20);
    assert.notDeepEqual(update.params, instruction.params);
    assert.deepEqual(validateUpdate(update, { round: 1, modelVersion: 0, numParams: model.numParams, address: node.address, maxExamples: 100 }, new ReplayGuard()), { ok: true });
    const t = node.telemetry();
    assert.equal(t.roundsTrained, 1);
    assert.equal(t.lastRound, 1);
    assert.ok(t.lastLoss !== null && t.lastTrainMs !== null);
  });

  it("sends a poisoned update once turned Byzantine, and fails when crashed", async () => {
    const honest = await makeNode(1).fit(instruction, new AbortController().signal);
    const node = makeNode(1);
    node.setAttack(createSignFlip());
    const flipped = await node.fit(instruction, new AbortController().signal);
    const g = instruction.params;
    for (const j of [0, 100, 7849]) assert.ok(Math.abs((flipped.params[j] as number) - (g[j] as number) + ((honest.params[j] as number) - (g[j] as number))) < 1e-6);
    assert.equal(node.telemetry().attack, "sign-flip");
    node.setFault({ kind: "crash" });
    await assert.rejects(node.fit(instruction, new AbortController().signal), NodeUnavailableError);
    assert.equal(node.telemetry().failures, 1);
  });

  it("500 nodes share one dataset in one process", async () => {
    const before = process.memoryUsage().heapUsed;
    const nodes = Array.from({ length: 500 }, (_, i) => makeNode(i % 400));
    const grown = process.memoryUsage().heapUsed - before;
    assert.equal(nodes.length, 500);
    assert.ok(grown < 50 * 1024 * 1024, `500 nodes took ${(grown / 1048576).toFixed(1)} MiB of heap`);
  });
});
