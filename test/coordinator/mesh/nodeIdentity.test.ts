import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashTypedData, verifyTypedData } from "viem";
import { createNodeIdentity, hashUpdate, recoverUpdateSigner, updateDigest, updateDomain, updateTypes } from "../../../coordinator/mesh/nodeIdentity.ts";

describe("node identity", () => {
  const identity = createNodeIdentity({ seed: "node-1" });
  const updateHash = hashUpdate(Float32Array.from([1, 2, 3]), 10);
  const message = { round: 3, modelVersion: 2, updateHash };

  it("derives the same key from the same seed and different keys from different seeds", () => {
    assert.equal(createNodeIdentity({ seed: "node-1" }).address, identity.address);
    assert.notEqual(createNodeIdentity({ seed: "node-2" }).address, identity.address);
  });

  it("signs EIP-712 typed data that viem verifies and the coordinator recovers", async () => {
    const signature = await identity.signUpdate(message);
    assert.ok(
      await verifyTypedData({
        address: identity.address,
        domain: updateDomain,
        types: updateTypes,
        primaryType: "ModelUpdate",
        message: { round: 3n, modelVersion: 2n, updateHash },
        signature,
      }),
    );
    assert.equal(recoverUpdateSigner(message, signature), identity.address);
  });

  it("computes the same EIP-712 digest as viem's hashTypedData", () => {
    for (const m of [message, { round: 0, modelVersion: 0, updateHash }, { round: 2 ** 40, modelVersion: 123456, updateHash }]) {
      assert.equal(updateDigest(m), hashTypedData({ domain: updateDomain, types: updateTypes, primaryType: "ModelUpdate", message: { round: BigInt(m.round), modelVersion: BigInt(m.modelVersion), updateHash } }));
    }
  });

  it("recovers a different address when any signed field changes", async () => {
    const signature = await identity.signUpdate(message);
    assert.notEqual(recoverUpdateSigner({ ...message, round: 4 }, signature), identity.address);
    assert.notEqual(recoverUpdateSigner({ ...message, modelVersion: 3 }, signature), identity.address);
    assert.notEqual(recoverUpdateSigner({ ...message, updateHash: hashUpdate(Float32Array.from([1, 2, 3]), 11) }, signature), identity.address);
    assert.equal(recoverUpdateSigner(message, "0x1234"), null);
  });

  it("binds the update hash to both parameters and example count", () => {
    assert.notEqual(hashUpdate(Float32Array.from([1, 2, 3]), 10), hashUpdate(Float32Array.from([1, 2, 3.0001]), 10));
    assert.notEqual(hashUpdate(Float32Array.from([1, 2, 3]), 10), hashUpdate(Float32Array.from([1, 2, 3]), 9));
    assert.equal(hashUpdate(Float32Array.from([1, 2, 3]).subarray(1), 10), hashUpdate(Float32Array.from([2, 3]), 10));
  });
});
