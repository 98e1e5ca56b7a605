/**
 * The manifest of a model weights artifact, v1: how to read the binary weights file
 * (little-endian Float32, layers back to back) and how to check it (length, sha256).
 */
import { z } from "zod";
import { addIssue, cidSchema } from "./common.ts";

export const modelLayerSchema = z.strictObject({
  /** Tensor name, e.g. `dense1.weight`. */
  name: z.string().min(1).max(200),
  /** Tensor shape, row-major, e.g. `[784, 128]`. */
  shape: z.array(z.number().int().positive()).min(1),
  /** Where the tensor starts in the weights file, bytes. */
  byteOffset: z.number().int().nonnegative(),
  /** `4 × product(shape)`. */
  byteLength: z.number().int().positive(),
});

export const modelManifestV1Schema = z
  .strictObject({
    format: z.literal("synod-model-weights"),
    formatVersion: z.literal(1),
    dtype: z.literal("float32"),
    byteOrder: z.literal("little-endian"),
    /** CID of the weights file (UnixFS, as `ipfs add --cid-version 1`). */
    weightsCid: cidSchema,
    /** Size of the weights file in bytes (4 × elementCount). */
    byteLength: z.number().int().nonnegative(),
    elementCount: z.number().int().nonnegative(),
    /** sha256 of the weights file, hex: checkable without IPFS (e.g. after a plain download). */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits"),
    layers: z.array(modelLayerSchema).min(1),
  })
  .superRefine((manifest, ctx) => {
    let offset = 0;
    const names = new Set<string>();
    manifest.layers.forEach((layer, index) => {
      if (names.has(layer.name)) addIssue(ctx, ["layers", index, "name"], "appears twice");
      names.add(layer.name);
      if (layer.byteOffset !== offset) addIssue(ctx, ["layers", index, "byteOffset"], `is ${layer.byteOffset}, expected ${offset} (layers are contiguous)`);
      const expected = 4 * layer.shape.reduce((product, size) => product * size, 1);
      if (layer.byteLength !== expected) addIssue(ctx, ["layers", index, "byteLength"], `is ${layer.byteLength}, 4 × shape gives ${expected}`);
      offset = layer.byteOffset + layer.byteLength;
    });
    if (manifest.byteLength !== offset) addIssue(ctx, ["byteLength"], `is ${manifest.byteLength} but the layers cover ${offset}`);
    if (manifest.byteLength !== manifest.elementCount * 4) addIssue(ctx, ["elementCount"], `× 4 is not byteLength ${manifest.byteLength}`);
  });

export type ModelManifestV1 = z.infer<typeof modelManifestV1Schema>;
export type ModelLayer = z.infer<typeof modelLayerSchema>;
