/**
 * Model weights as a compact artifact: one binary file of little-endian Float32
 * (layers back to back, no JSON number arrays: a 100k-parameter MLP is 400 KB, not
 * 2 MB of decimal text that would not round-trip exactly) plus a JSON manifest that
 * says how to cut it into tensors and how to check it. Both are published and pinned;
 * the manifest's CID is the artifact's CID.
 */
import { createHash } from "node:crypto";
import { ContentTooLargeError } from "../errors/ipfs.ts";
import { InvalidModelWeightsError, ModelArtifactMismatchError, RecordValidationError } from "../errors/knowledge.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import { modelManifestV1Schema, type ModelLayer, type ModelManifestV1 } from "./schemas/modelManifest.ts";

/** A tensor in the weights: name and shape (row-major). */
export type ModelLayerSpec = { name: string; shape: readonly number[] };

/**
 * Encodes Float32 values as little-endian bytes, whatever the host's byte order.
 *
 * @param weights - all parameters, layers back to back.
 * @returns `4 × weights.length` bytes.
 */
export function encodeWeights(weights: Float32Array): Uint8Array {
  const bytes = new Uint8Array(weights.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < weights.length; i++) view.setFloat32(i * 4, weights[i] as number, true);
  return bytes;
}

/**
 * Decodes little-endian Float32 bytes.
 *
 * @throws {InvalidModelWeightsError} when the length is not a multiple of 4.
 */
export function decodeWeights(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0) throw new InvalidModelWeightsError({ reason: `${bytes.length} bytes is not a whole number of float32` });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * Lays `layers` out back to back over `byteLength` bytes of float32.
 *
 * @throws {InvalidModelWeightsError} when a shape is empty or not positive integers,
 *   or the layers do not cover the bytes exactly.
 */
export function layoutLayers(byteLength: number, layers: readonly ModelLayerSpec[]): ModelLayer[] {
  if (layers.length === 0) throw new InvalidModelWeightsError({ reason: "no layers" });
  let byteOffset = 0;
  const described = layers.map((layer) => {
    if (layer.shape.length === 0 || layer.shape.some((size) => !Number.isInteger(size) || size <= 0)) {
      throw new InvalidModelWeightsError({ reason: `layer ${layer.name} has shape [${layer.shape.join(", ")}]` });
    }
    const length = 4 * layer.shape.reduce((product, size) => product * size, 1);
    const entry = { name: layer.name, shape: [...layer.shape], byteOffset, byteLength: length };
    byteOffset += length;
    return entry;
  });
  if (byteOffset !== byteLength) {
    throw new InvalidModelWeightsError({ reason: `the layers cover ${byteOffset / 4} values but there are ${byteLength / 4}` });
  }
  return described;
}

/**
 * Builds the manifest for `bytes` (encoded weights) cut into `layers`.
 *
 * @throws {InvalidModelWeightsError} when the layers do not cover the weights exactly.
 */
export function buildModelManifest({ bytes, layers, weightsCid }: {
  bytes: Uint8Array;
  layers: readonly ModelLayerSpec[];
  weightsCid: string;
}): ModelManifestV1 {
  return {
    format: "synod-model-weights",
    formatVersion: 1,
    dtype: "float32",
    byteOrder: "little-endian",
    weightsCid,
    byteLength: bytes.length,
    elementCount: bytes.length / 4,
    sha256: sha256Hex(bytes),
    layers: layoutLayers(bytes.length, layers),
  };
}

/**
 * Checks weights bytes against their manifest: length, sha256, and (when given) CID.
 *
 * @throws {ModelArtifactMismatchError} naming the first field that disagrees.
 */
export function verifyModelArtifact(manifest: ModelManifestV1, bytes: Uint8Array): void {
  if (bytes.length !== manifest.byteLength) {
    throw new ModelArtifactMismatchError({ field: "byteLength", expected: String(manifest.byteLength), actual: String(bytes.length) });
  }
  const digest = sha256Hex(bytes);
  if (digest !== manifest.sha256) throw new ModelArtifactMismatchError({ field: "sha256", expected: manifest.sha256, actual: digest });
}

export type PublishModelParameters = {
  /** All parameters, layers back to back, in the order of `layers`. */
  weights: Float32Array;
  /** How the values split into tensors; must cover `weights` exactly. */
  layers: readonly ModelLayerSpec[];
  /** Aborts the publish. */
  signal?: AbortSignal;
};

export type PublishModelReturnType = {
  /** The artifact's CID: the manifest (reference this from the Model record). */
  manifestCid: string;
  /** The binary weights file. */
  weightsCid: string;
  manifest: ModelManifestV1;
};

/**
 * Publishes model weights as a binary file plus manifest; both pinned. Publishing the
 * same weights twice gives the same CIDs, so a retry after a failure is safe.
 *
 * @param store - the content store.
 * @param parameters.weights - the parameters (must be finite).
 * @param parameters.layers - tensor names and shapes.
 * @returns the manifest and weights CIDs and the manifest.
 * @throws {InvalidModelWeightsError} for NaN/Infinity or layers that do not cover the weights.
 * @throws {IpfsUnavailableError} when IPFS is down: nothing to undo, retry.
 *
 * @example
 * import { publishModel } from "./modelArtifact.ts";
 * const { manifestCid, weightsCid } = await publishModel(store, {
 *   weights: new Float32Array([0.1, -0.2, 0.3, 0.4, 0.5, 0.6]),
 *   layers: [{ name: "dense.weight", shape: [2, 2] }, { name: "dense.bias", shape: [2] }],
 * });
 */
export async function publishModel(
  store: ContentStore,
  { weights, layers, signal }: PublishModelParameters,
): Promise<PublishModelReturnType> {
  const bad = weights.findIndex((value) => !Number.isFinite(value));
  if (bad !== -1) throw new InvalidModelWeightsError({ reason: `value ${bad} is ${weights[bad]}` });
  const bytes = encodeWeights(weights);
  layoutLayers(bytes.length, layers); // fail on bad layers before anything is written
  const options = signal ? { signal } : {};
  const { cid: weightsCid } = await store.addBytes(bytes, options);
  const manifest = buildModelManifest({ bytes, layers, weightsCid });
  const { cid: manifestCid } = await store.addJson(manifest, options);
  return { manifestCid, weightsCid, manifest };
}

export type ReadModelReturnType = {
  manifest: ModelManifestV1;
  weights: Float32Array;
  /** The weights cut into named tensors (views into `weights`). */
  tensors: Map<string, { shape: number[]; values: Float32Array }>;
};

/**
 * Reads a model artifact by its manifest CID: the manifest is validated, the weights
 * fetched (verified against their CID by the store) and checked against the manifest.
 *
 * @throws {RecordValidationError} when the manifest is not a valid v1 manifest.
 * @throws {ModelArtifactMismatchError} when the weights do not match the manifest.
 */
export async function readModel(store: ContentStore, manifestCid: string, options: { signal?: AbortSignal } = {}): Promise<ReadModelReturnType> {
  const parsed = modelManifestV1Schema.safeParse(await store.getJson(manifestCid, options));
  if (!parsed.success) {
    throw new RecordValidationError({
      kind: "model manifest",
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
    });
  }
  const manifest = parsed.data;
  let bytes: Uint8Array;
  try {
    // One byte over the declared size is enough to prove a mismatch without fetching a huge file.
    bytes = await store.get(manifest.weightsCid, { ...options, maxBytes: manifest.byteLength + 1 });
  } catch (error) {
    if (error instanceof ContentTooLargeError) {
      throw new ModelArtifactMismatchError({ field: "byteLength", expected: String(manifest.byteLength), actual: "larger" });
    }
    throw error;
  }
  verifyModelArtifact(manifest, bytes);
  const weights = decodeWeights(bytes);
  const tensors = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const layer of manifest.layers) {
    tensors.set(layer.name, { shape: layer.shape, values: weights.subarray(layer.byteOffset / 4, (layer.byteOffset + layer.byteLength) / 4) });
  }
  return { manifest, weights, tensors };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
