/**
 * An epoch's manifest, read so that nobody has to be trusted: its CID comes from the
 * chain (`getEpoch(epoch).manifestCid`), its bytes from the gateway are hashed against
 * that CID here, and the Merkle root rebuilt from its `records` must be the root the
 * registry stores. A manifest that passes lists exactly the records governance ratified.
 */
import type { Hex } from "viem";
import { KNOWLEDGE_KINDS } from "./knowledge.ts";
import { blockContent, cidFromHex, fetchVerifiedBlock, parseJsonContent } from "./verifyCid.ts";
import { epochTreeRoot, LEAF_ENCODING } from "./verifyEpochRecord.ts";

/** One record of the manifest (`kind` is the on-chain index). */
export type EpochManifestRecord = { cid: string; kind: number; schemaVersion: number; round: number; refCid: string | null; summary: string };

/** The fields of `EpochManifest` v1 the dApp reads. */
export type EpochManifest = {
  kind: "EpochManifest";
  schemaVersion: 1;
  epoch: number;
  chainId: number;
  registry: string;
  openedAt: string;
  closedAt: string;
  root: Hex;
  counts: Record<string, number>;
  headlines: string[];
  records: EpochManifestRecord[];
};

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
  const manifest = json as EpochManifest;
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

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isUint = (value: unknown, max: number) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max;

/** Why `json` is not a v1 manifest of `epoch` (the fields the dApp relies on), or undefined. */
export function manifestProblem(json: unknown, epoch: number): string | undefined {
  if (!isObject(json)) return "it is not JSON";
  if (json.kind !== "EpochManifest" || json.schemaVersion !== 1) return "it is not an EpochManifest v1";
  if (json.epoch !== epoch) return `it is the manifest of epoch ${String(json.epoch)}`;
  if (!Array.isArray(json.leafEncoding) || json.leafEncoding.join() !== LEAF_ENCODING.join()) return "its leaf encoding is not the registry's";
  if (!Array.isArray(json.records) || json.records.length === 0) return "it lists no records";
  for (const [i, record] of json.records.entries()) {
    if (
      !isObject(record) ||
      typeof record.cid !== "string" ||
      !isUint(record.kind, KNOWLEDGE_KINDS.length - 1) ||
      !isUint(record.schemaVersion, 65_535) ||
      !isUint(record.round, 4_294_967_295) ||
      !(record.refCid === null || typeof record.refCid === "string")
    ) {
      return `record ${i} is malformed`;
    }
  }
  if (!Array.isArray(json.headlines) || !json.headlines.every((h) => typeof h === "string")) return "its headlines are malformed";
  return undefined;
}
