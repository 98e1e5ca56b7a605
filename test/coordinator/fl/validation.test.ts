import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FitInstruction, FlClient, SignedUpdate } from "../../../coordinator/fl/client.ts";
import { createNanInjection } from "../../../coordinator/fl/attacks/nanInjection.ts";
import { FedAvg } from "../../../coordinator/fl/strategies/fedAvg.ts";
import { ReplayGuard, validateUpdate } from "../../../coordinator/fl/validation/validateUpdate.ts";
import type { MeshNode } from "../../../coordinator/mesh/meshNode.ts";
import { createNodeIdentity } from "../../../coordinator/mesh/nodeIdentity.ts";
import { resign, smallMesh, TamperingClient } from "./fixtures.ts";

describe("update validation inside a round", () => {
  it("rejects bad signature, replay, wrong shape, NaN, wrong version and tampered hash, each with its reason, and the round completes", async () => {
    // Prepare: 10 nodes; six of them misbehave in different ways.
    const mesh = smallMesh({ strategy: new FedAvg(), config: { fractionFit: 1, completionFloor: 0.3 } });
    const [forger, shaper, nanNode, versioner, tamperer, victim] = mesh.nodes.slice(0, 6) as [MeshNode, MeshNode, MeshNode, MeshNode, MeshNode, MeshNode];
    const stranger = createNodeIdentity({ seed: "not-registered" });
    mesh.runner.register(new TamperingClient(forger, (u) => resign(u, stranger, {})));
    mesh.runner.register(new TamperingClient(shaper, (u) => resign(u, shaper.identity, { params: u.params.subarray(0, 100).slice() })));
    nanNode.setAttack(createNanInjection());
    mesh.runner.register(new TamperingClient(versioner, (u) => resign(u, versioner.identity, { modelVersion: u.modelVersion + 1 })));
    mesh.runner.register(new TamperingClient(tamperer, async (u) => ({ ...u, params: u.params.map((v) => v * 2) })));
    // A relay that captures the victim's signed update and submits it a second time.
    let captured: Promise<SignedUpdate> | undefined;
    const spy: FlClient = {
      nodeId: victim.nodeId,
      address: victim.address,
      fit: (instruction: FitInstruction, signal: AbortSignal) => (captured = victim.fit(instruction, signal)),
    };
    mesh.runner.register(spy);
    const relay: FlClient = {
      nodeId: "relay",
      address: victim.address,
      fit: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return captured as Promise<SignedUpdate>;
      },
    };
    mesh.runner.register(relay);
    const before = mesh.runner.modelVersion;

    // Execute
    const record = await mesh.runner.runRound();

    // Assert
    const reasonOf = (nodeId: string): string | undefined => record.rejected.find((r) => r.nodeId === nodeId)?.reason;
    assert.equal(record.status, "completed", record.reason ?? "");
    assert.equal(reasonOf(forger.nodeId), "bad-signature");
    assert.equal(reasonOf(shaper.nodeId), "wrong-shape");
    assert.equal(reasonOf(nanNode.nodeId), "non-finite");
    assert.equal(reasonOf(versioner.nodeId), "wrong-model-version");
    assert.equal(reasonOf(tamperer.nodeId), "hash-mismatch");
    assert.equal(reasonOf("relay"), "replay");
    assert.deepEqual(record.rejectionCounts, { "bad-signature": 1, "wrong-shape": 1, "non-finite": 1, "wrong-model-version": 1, "hash-mismatch": 1, replay: 1 });
    assert.equal(record.accepted.length, 5, "the 4 honest nodes and the victim's own update");
    assert.ok(record.accepted.includes(victim.nodeId));
    assert.equal(mesh.runner.modelVersion, before + 1);
    assert.ok(record.evaluation && record.evaluation.accuracy > 0.5, "the global model still learned");
    // Signed-but-invalid updates cost trust; forged ones do not hurt the impersonated node.
    assert.ok(mesh.runner.reputation.trust(nanNode.nodeId) < 1);
    assert.equal(mesh.runner.reputation.record(forger.nodeId).rejected, 0);
  });
});

describe("validateUpdate", () => {
  it("rejects an update from an earlier round as wrong-round and a re-sent one as replay", async () => {
    const identity = createNodeIdentity({ seed: "v" });
    const guard = new ReplayGuard();
    const base: SignedUpdate = { nodeId: "v", round: 1, modelVersion: 0, params: Float32Array.from([1, 2]), numExamples: 5, metrics: { loss: 0, accuracy: 0, trainMs: 0 }, updateHash: "0x", signature: "0x" };
    const update = await resign(base, identity, {});
    const expect1 = { round: 1, modelVersion: 0, numParams: 2, address: identity.address, maxExamples: 100 };
    assert.deepEqual(validateUpdate(update, expect1, guard), { ok: true });
    assert.equal((validateUpdate(update, expect1, guard) as { reason: string }).reason, "replay");
    assert.equal((validateUpdate(update, { ...expect1, round: 2, modelVersion: 1 }, guard) as { reason: string }).reason, "wrong-round");
  });

  it("rejects Infinity and an inflated example count", async () => {
    const identity = createNodeIdentity({ seed: "w" });
    const base: SignedUpdate = { nodeId: "w", round: 1, modelVersion: 0, params: Float32Array.from([1, Infinity]), numExamples: 5, metrics: { loss: 0, accuracy: 0, trainMs: 0 }, updateHash: "0x", signature: "0x" };
    const expected = { round: 1, modelVersion: 0, numParams: 2, address: identity.address, maxExamples: 100 };
    assert.equal((validateUpdate(await resign(base, identity, {}), expected, new ReplayGuard()) as { reason: string }).reason, "non-finite");
    const inflated = await resign(base, identity, { params: Float32Array.from([1, 2]), numExamples: 1e6 });
    assert.equal((validateUpdate(inflated, expected, new ReplayGuard()) as { reason: string }).reason, "bad-example-count");
  });
});
