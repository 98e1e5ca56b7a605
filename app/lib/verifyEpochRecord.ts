/**
 * Checks in the browser that a record belongs to a ratified knowledge epoch: its leaf,
 * rebuilt here from the record's own fields, must lead with the Merkle proof to the root
 * the KnowledgeRegistry stores for the epoch (`epochRoot` / `getEpoch`). Whoever lists
 * the records (the coordinator API) is trusted for nothing: a record outside the epoch,
 * a changed field or a made-up proof gives another root.
 *
 * The tree is OpenZeppelin's `StandardMerkleTree` (`@openzeppelin/merkle-tree`, the
 * library the keeper builds it with; the registry checks proofs with OZ `MerkleProof`),
 * the leaf `[epoch, kind, schemaVersion, round, cid, refCid]` encoded as
 * `["uint64","uint8","uint16","uint32","bytes","bytes"]` with binary CIDs (`0x` for no
 * ref): `keccak256(bytes.concat(keccak256(abi.encode(…))))`.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Hex } from "viem";
// The keeper's own leaf and tree code: the browser rebuilds leaves exactly as they were built.
import { cidToBytes, epochTree as keeperEpochTree, LEAF_ENCODING, recordLeaf, type RecordLeafValue } from "../../coordinator/knowledge/epochTree.ts";
import { KNOWLEDGE_KINDS, type KnowledgeKind } from "./knowledge.ts";

export { LEAF_ENCODING };

/** A leaf's values in `LEAF_ENCODING` order. */
export type EpochLeafValue = RecordLeafValue;

/** What a leaf commits to about a record; CIDs in their text form (`bafk…`). */
export type EpochLeafFields = {
  epoch: number;
  /** Kind name, or its on-chain index. */
  kind: KnowledgeKind | number;
  schemaVersion: number;
  round: number;
  cid: string;
  /** The record this one builds on as its content names it (a model's `parentModelCid`), or null. */
  refCid: string | null;
};

/** The zero root `epochRoot` answers for an epoch that is not ratified. */
export const ZERO_ROOT: Hex = `0x${"0".repeat(64)}`;

/** Binary CID of a text CID, as the registry and the leaf encode it. */
export const cidBytesHex = cidToBytes;

/** The on-chain kind index of a name or index; throws `RangeError` on anything else. */
function kindIndex(kind: KnowledgeKind | number): number {
  const index = typeof kind === "number" ? kind : KNOWLEDGE_KINDS.indexOf(kind);
  if (!(index >= 0 && index < KNOWLEDGE_KINDS.length)) throw new RangeError(`unknown knowledge kind ${kind}`);
  return index;
}

/**
 * The leaf values of a record; throws (`RangeError`, CID parse errors) on fields no leaf
 * can hold.
 */
export function epochLeafValue(fields: EpochLeafFields): EpochLeafValue {
  return recordLeaf(fields.epoch, { ...fields, kind: kindIndex(fields.kind) });
}

/** The leaf hash of a record (what `KnowledgeRegistry.leafHash` returns for the same leaf). */
export function epochLeafHash(fields: EpochLeafFields): Hex {
  const value = epochLeafValue(fields);
  return StandardMerkleTree.of([value], [...LEAF_ENCODING]).leafHash(value) as Hex;
}

/**
 * The root of the epoch's tree over `records` (a manifest's `records`, in its order).
 *
 * @example
 * import { epochTreeRoot } from "./verifyEpochRecord.ts";
 * epochTreeRoot(7, manifest.records) === manifest.root; // the keeper built the same tree
 */
export function epochTreeRoot(epoch: number, records: ReadonlyArray<Omit<EpochLeafFields, "epoch">>): Hex {
  return epochTree(epoch, records).root as Hex;
}

/** The epoch's tree over `records`; value `i` is record `i`. */
export function epochTree(epoch: number, records: ReadonlyArray<Omit<EpochLeafFields, "epoch">>): StandardMerkleTree<EpochLeafValue> {
  return keeperEpochTree(
    epoch,
    records.map((record) => ({ ...record, kind: kindIndex(record.kind) })),
  );
}

/**
 * - `in-root`: the proof leads from the record's leaf to the on-chain root.
 * - `not-in-root`: it does not (another record, a changed field, a wrong proof).
 * - `unratified`: the chain holds no root for the epoch (yet): there is nothing to check against.
 * - `invalid`: the record's fields cannot form a leaf (a malformed CID, a kind out of range).
 */
export type EpochRecordStatus = "in-root" | "not-in-root" | "unratified" | "invalid";

export type VerifyEpochRecordParameters = {
  /** The root the registry stores for `record.epoch` (`epochRoot`), `ZERO_ROOT` or undefined when none. */
  root: Hex | undefined;
  record: EpochLeafFields;
  /** Sibling hashes from the leaf up (as the API and `getProof` give them). */
  proof: readonly string[];
};

/**
 * Whether `record` is in the epoch whose ratified root is `root`.
 *
 * @example
 * import { verifyEpochRecord } from "./verifyEpochRecord.ts";
 * verifyEpochRecord({ root: epoch.root, record: { epoch: 7, kind: "Model", schemaVersion: 1, round: 12, cid, refCid: null }, proof }); // "in-root"
 */
export function verifyEpochRecord({ root, record, proof }: VerifyEpochRecordParameters): EpochRecordStatus {
  if (root === undefined || /^0x0*$/.test(root)) return "unratified";
  let value: EpochLeafValue;
  try {
    value = epochLeafValue(record);
  } catch {
    return "invalid";
  }
  try {
    return StandardMerkleTree.verify(root, [...LEAF_ENCODING], value, [...proof]) ? "in-root" : "not-in-root";
  } catch {
    // A proof element that is not 32 bytes of hex proves nothing.
    return "not-in-root";
  }
}
