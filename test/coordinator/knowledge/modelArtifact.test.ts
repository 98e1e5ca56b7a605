/**
 * The model weights artifact: binary little-endian Float32 + JSON manifest, published
 * together; read back byte for byte; a manifest that disagrees with the bytes is refused.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { InvalidModelWeightsError, ModelArtifactMismatchError, RecordValidationError } from "../../../coordinator/errors/knowledge.ts";
import { heliaContentStore, type HeliaContentStoreReturnType } from "../../../coordinator/ipfs/heliaContentStore.ts";
import { computeFileCid } from "../../../coordinator/ipfs/importUnixfsFile.ts";
import {
  buildModelManifest,
  decodeWeights,
  encodeWeights,
  publishModel,
  readModel,
  verifyModelArtifact,
} from "../../../coordinator/knowledge/modelArtifact.ts";

/** An MLP 784→64→10 (50 890 parameters) with deterministic, awkward values. */
function mlp(): { weights: Float32Array; layers: Array<{ name: string; shape: number[] }> } {
  const layers = [
    { name: "dense1.weight", shape: [784, 64] },
    { name: "dense1.bias", shape: [64] },
    { name: "dense2.weight", shape: [64, 10] },
    { name: "dense2.bias", shape: [10] },
  ];
  const weights = new Float32Array(784 * 64 + 64 + 64 * 10 + 10);
  for (let i = 0; i < weights.length; i++) weights[i] = Math.sin(i * 12.9898) * 0.05 * (i % 7 === 0 ? 1e-30 : 1);
  weights[0] = -0; // sign of zero must survive
  weights[1] = 3.4028234663852886e38; // largest float32
  weights[2] = 1.401298464324817e-45; // smallest subnormal
  return { weights, layers };
}

describe("model weights artifact", () => {
  let dataDir: string;
  let store: HeliaContentStoreReturnType;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-model-"));
    store = await heliaContentStore({ dataDir });
  });
  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("encodes little-endian Float32 regardless of the host", () => {
    assert.deepEqual([...encodeWeights(new Float32Array([1, -2]))], [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    assert.deepEqual([...decodeWeights(new Uint8Array([0x00, 0x00, 0x80, 0x3f]))], [1]);
  });

  it("publishes weights + manifest and reads them back byte for byte, as named tensors", async () => {
    const { weights, layers } = mlp();
    const published = await publishModel(store, { weights, layers });
    assert.equal(published.manifest.byteLength, weights.length * 4);
    assert.equal((await store.stat(published.weightsCid)).size, weights.length * 4); // binary, not JSON numbers
    assert.equal((await store.stat(published.weightsCid)).pinned, true);
    assert.equal((await store.stat(published.manifestCid)).pinned, true);

    const read = await readModel(store, published.manifestCid);
    assert.deepEqual(encodeWeights(read.weights), encodeWeights(weights)); // bit-exact, -0 included
    assert.ok(Object.is(read.weights[0], -0));
    assert.deepEqual(read.tensors.get("dense2.bias")?.shape, [10]);
    assert.deepEqual([...read.tensors.get("dense2.bias")!.values], [...weights.subarray(weights.length - 10)]);

    // Same weights → same CIDs: a retried publish is idempotent.
    const again = await publishModel(store, { weights, layers });
    assert.deepEqual([again.manifestCid, again.weightsCid], [published.manifestCid, published.weightsCid]);
  });

  it("refuses weights whose bytes disagree with the manifest", () => {
    const { weights, layers } = mlp();
    const bytes = encodeWeights(weights);
    const manifest = buildModelManifest({ bytes, layers, weightsCid: "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku" });
    verifyModelArtifact(manifest, bytes); // the honest pair passes
    const flipped = new Uint8Array(bytes);
    flipped[1234] = flipped[1234]! ^ 0x01;
    assert.throws(() => verifyModelArtifact(manifest, flipped), (error: unknown) => {
      assert.ok(error instanceof ModelArtifactMismatchError);
      assert.equal(error.field, "sha256");
      return true;
    });
    assert.throws(() => verifyModelArtifact(manifest, bytes.subarray(4)), /byteLength is 203556, the manifest says 203560/);
  });

  it("refuses, on read, a published manifest that points at other weights", async () => {
    const { weights, layers } = mlp();
    const real = await publishModel(store, { weights, layers });
    const other = await store.addBytes(encodeWeights(new Float32Array(weights.length).fill(0.5)));
    // A manifest that is well formed but names weights it was not computed from.
    const { cid: lyingManifest } = await store.addJson({ ...real.manifest, weightsCid: other.cid });
    await assert.rejects(readModel(store, lyingManifest), (error: unknown) => {
      assert.ok(error instanceof ModelArtifactMismatchError);
      assert.equal(error.field, "sha256");
      return true;
    });
    // …and one whose layers do not add up is rejected by the manifest schema, with paths.
    const { cid: brokenManifest } = await store.addJson({ ...real.manifest, elementCount: 1 });
    await assert.rejects(readModel(store, brokenManifest), (error: unknown) => {
      assert.ok(error instanceof RecordValidationError);
      assert.deepEqual(error.issues.map((issue) => issue.path), ["elementCount"]);
      return true;
    });
  });

  it("refuses to publish NaN/Infinity or layers that do not cover the weights, writing nothing", async () => {
    const { layers } = mlp();
    const fresh = mlp().weights.map((value) => value * 0.5); // never published by another test
    const poisoned = fresh.slice();
    poisoned[42] = Number.NaN;
    await assert.rejects(publishModel(store, { weights: poisoned, layers }), /value 42 is NaN/);
    await assert.rejects(publishModel(store, { weights: fresh, layers: layers.slice(1) }), InvalidModelWeightsError);
    const freshCid = (await computeFileCid(encodeWeights(fresh))).toString();
    assert.equal(await store.has(freshCid), false);
  });
});
