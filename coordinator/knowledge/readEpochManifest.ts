/**
 * Reads an epoch manifest by CID and trusts nothing: the bytes are verified against the
 * CID (the store), the JSON against the manifest schema, and the Merkle root is
 * recomputed from its `records` and compared with the manifest's root and, when the
 * caller knows it, the root ratified on chain.
 */
import { z } from "zod";
import { EpochRootMismatchError, RecordValidationError } from "../errors/knowledge.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import { epochTree } from "./epochTree.ts";
import { epochManifestV1Schema, type EpochManifestV1 } from "./schemas/epochManifest.ts";

export type ReadEpochManifestParameters = {
  /** What the registry says about the epoch (`getEpoch`), to cross-check. */
  expected?: { epoch?: number; root?: string };
  /** Refuse larger manifests (default 64 MiB: about 250,000 records). */
  maxBytes?: number;
  signal?: AbortSignal;
};

/**
 * @returns the manifest, verified.
 * @throws {BlockVerificationError} when the bytes do not match the CID.
 * @throws {RecordValidationError} when it is not a valid manifest (every problem with its path), or is another epoch's.
 * @throws {EpochRootMismatchError} when its records do not give its root, or the expected one.
 */
export async function readEpochManifest(
  store: ContentStore,
  cid: string,
  { expected, maxBytes = 64 * 1024 * 1024, signal }: ReadEpochManifestParameters = {},
): Promise<EpochManifestV1> {
  return verifyEpochManifest(await store.getJson(cid, { maxBytes, ...(signal ? { signal } : {}) }), expected);
}

/** The checks of {@link readEpochManifest} on a parsed value (bytes already verified). */
export function verifyEpochManifest(value: unknown, expected: ReadEpochManifestParameters["expected"] = {}): EpochManifestV1 {
  const parsed = epochManifestV1Schema.safeParse(value);
  if (!parsed.success) throw new RecordValidationError({ kind: "EpochManifest", issues: toIssues(parsed.error) });
  const manifest = parsed.data;
  if (expected.epoch !== undefined && expected.epoch !== manifest.epoch) {
    throw new RecordValidationError({ kind: "EpochManifest", issues: [{ path: "epoch", message: `is ${manifest.epoch}, expected ${expected.epoch}` }] });
  }
  const root = epochTree(manifest.epoch, manifest.records).root;
  if (root !== manifest.root) throw new EpochRootMismatchError({ epoch: manifest.epoch, expected: manifest.root, actual: root });
  if (expected.root !== undefined && expected.root.toLowerCase() !== root) throw new EpochRootMismatchError({ epoch: manifest.epoch, expected: expected.root, actual: root });
  return manifest;
}

function toIssues(error: z.ZodError) {
  const path = (segments: readonly PropertyKey[]) =>
    segments.reduce<string>((out, segment) => (typeof segment === "number" ? `${out}[${segment}]` : out ? `${out}.${String(segment)}` : String(segment)), "");
  return error.issues.map((issue) => ({ path: path(issue.path), message: issue.message }));
}
