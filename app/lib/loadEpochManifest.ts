/**
 * An epoch's manifest, read so that nobody has to be trusted: its CID comes from the
 * chain (`getEpoch(epoch).manifestCid`), its bytes from the gateway are hashed against
 * that CID here, and the Merkle root rebuilt from its `records` must be the root the
 * registry stores. A manifest that passes lists exactly the records governance ratified.
 */
import type { Hex } from "viem";
import { epochManifestV1Schema, type EpochManifestRecord, type EpochManifestV1 } from "../../coordinator/knowledge/schemas/epochManifest.ts";
import { blockContent, cidFromHex, fetchVerifiedBlock, parseJsonContent } from "./verifyCid.ts";
import { epochTreeRoot } from "./verifyEpochRecord.ts";

export type { EpochManifestRecord };

/** `EpochManifest` v1, as the coordinator's zod schema (the one the keeper writes it with) defines it. */
export type EpochManifest = EpochManifestV1;

export type LoadEpochManifestReturnType =
  | { status: "verified"; cid: string; manifest: EpochManifest }
  /** The gateway's bytes do not hash to the on-chain CID. */
  | { status: "mismatch"; cid: string }
  /** The bytes match, but they are no manifest of this epoch, or its records give another root. */
  | { status: "invalid"; cid: string; error: string }
  | { status: "unavailable"; cid: string; error: string };

export type LoadEpochManifestParameters = {
  gatewayUrl: string;
  epoch: number;
  /** `getEpoch(epoch).manifestCid` (binary CID). */
  manifestCid: Hex;
  /** `getEpoch(epoch).root`. */
  root: Hex;
  fetchFn?: typeof fetch;
  signal?: AbortSignal;
};

/**
 * Fetches and verifies the manifest of a ratified epoch.
 *
 * @example
 * import { loadEpochManifest } from "./loadEpochManifest.ts";
 * const onChain = await client.readContract({ ...registry, functionName: "getEpoch", args: [7n] });
 * const result = await loadEpochManifest({ gatewayUrl, epoch: 7, manifestCid: onChain.manifestCid, root: onChain.root });
 * if (result.status === "verified") result.manifest.records; // every record epoch 7 ratified
 */
export async function loadEpochManifest({ gatewayUrl, epoch, manifestCid, root, fetchFn, signal }: LoadEpochManifestParameters): Promise<LoadEpochManifestReturnType> {
  const cid = cidFromHex(manifestCid);
  const text = cid.toString();
  const block = await fetchVerifiedBlock({ gatewayUrl, cid, ...(fetchFn ? { fetchFn } : {}), ...(signal ? { signal } : {}) });
  if (block.status === "unavailable") return { status: "unavailable", cid: text, error: block.error };
  if (block.status !== "verified") return { status: "mismatch", cid: text };
  const content = blockContent(cid, block.bytes);
  const json = content ? parseJsonContent(content) : undefined;
  const problem = manifestProblem(json, epoch);
  if (problem) return { status: "invalid", cid: text, error: problem };
  const manifest = epochManifestV1Schema.parse(json);
  let rebuilt: Hex;
  try {
    rebuilt = epochTreeRoot(epoch, manifest.records);
  } catch (error) {
    return { status: "invalid", cid: text, error: `its records cannot form leaves: ${(error as Error).message}` };
  }
  if (rebuilt.toLowerCase() !== root.toLowerCase()) {
    return { status: "invalid", cid: text, error: `its records give the root ${rebuilt}, not the ratified ${root}` };
  }
  return { status: "verified", cid: text, manifest };
}

/**
 * Why `json` is not a valid v1 manifest of `epoch` (the coordinator's schema: fields,
 * CIDs, counts that match the records, headlines among them), or undefined.
 */
export function manifestProblem(json: unknown, epoch: number): string | undefined {
  if (json === undefined) return "it is not JSON";
  const parsed = epochManifestV1Schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `it is not a valid EpochManifest v1 (${issue.path.join(".") || "manifest"}: ${issue.message})`;
  }
  if (parsed.data.epoch !== epoch) return `it is the manifest of epoch ${parsed.data.epoch}`;
  return undefined;
}
