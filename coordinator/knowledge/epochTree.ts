/**
 * The Merkle commitment of a knowledge epoch: OpenZeppelin's `StandardMerkleTree` over
 * one leaf per record, `[epoch, kind, schemaVersion, round, cid, refCid]` encoded as
 * `["uint64","uint8","uint16","uint32","bytes","bytes"]` (double keccak, sorted pairs),
 * exactly what `KnowledgeRegistry.leafHash` / `verifyRecord` recompute with OZ's
 * `MerkleProof`. The dApp builds the same tree with the same library.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
// The library's low-level proof over a tree's node array (what StandardMerkleTree.getProof calls).
import { getProof } from "@openzeppelin/merkle-tree/dist/core.js";
import { CID } from "multiformats/cid";
import { toHex, type Hex } from "viem";
import { LEAF_ENCODING, type EpochManifestRecord } from "./schemas/epochManifest.ts";

export { LEAF_ENCODING };

/** One leaf's values, in `LEAF_ENCODING` order. */
export type RecordLeafValue = [epoch: number, kind: number, schemaVersion: number, round: number, cid: Hex, refCid: Hex];

/** What a leaf commits to about a record. */
export type LeafFields = Pick<EpochManifestRecord, "cid" | "kind" | "schemaVersion" | "round" | "refCid">;

/** The registry's `RecordLeaf` struct for a leaf (for `verifyRecord`, `promoteRecord`). */
export type RecordLeafStruct = { epoch: bigint; kind: number; schemaVersion: number; round: number; cid: Hex; refCid: Hex };

/** The binary CID, as the registry stores and the leaf encodes it. */
export function cidToBytes(cid: string): Hex {
  return toHex(CID.parse(cid).bytes);
}

/** @returns the leaf values of `record` in `epoch`. */
export function recordLeaf(epoch: number, record: LeafFields): RecordLeafValue {
  return [epoch, record.kind, record.schemaVersion, record.round, cidToBytes(record.cid), record.refCid ? cidToBytes(record.refCid) : "0x"];
}

/** @returns the registry's struct for the same leaf. */
export function recordLeafStruct(value: RecordLeafValue): RecordLeafStruct {
  const [epoch, kind, schemaVersion, round, cid, refCid] = value;
  return { epoch: BigInt(epoch), kind, schemaVersion, round, cid, refCid };
}

/**
 * Builds the epoch's tree; value `i` is record `i` (the manifest's order).
 *
 * @example
 * import { epochTree } from "./epochTree.ts";
 * const tree = epochTree(7, manifest.records);
 * tree.root;            // what recordEpoch(7, root, …) ratifies
 * tree.getProof(3);     // proof of manifest.records[3]
 */
export function epochTree(epoch: number, records: readonly LeafFields[]): StandardMerkleTree<RecordLeafValue> {
  return StandardMerkleTree.of(
    records.map((record) => recordLeaf(epoch, record)),
    [...LEAF_ENCODING],
  );
}

/** A tree as `tree.dump()` stored it: the node array, and each value's place in it. */
export type StoredEpochTree = { tree: Hex[]; values: Array<{ value: RecordLeafValue; treeIndex: number }> };

/** Parses a tree stored with `tree.dump()`, without re-hashing it. */
export function parseStoredEpochTree(dump: string): StoredEpochTree {
  return JSON.parse(dump) as StoredEpochTree;
}

/**
 * The proof of value `position` from a stored tree. The keeper built that tree itself
 * before storing it, so this reads the stored nodes (O(log n)) where
 * `StandardMerkleTree.load` would re-hash every leaf to validate it first (about 0.4 s
 * for 1,000 leaves, on the event loop, per request that needs a proof).
 */
export function storedTreeProof(stored: StoredEpochTree, position: number): Hex[] {
  const entry = stored.values[position];
  if (!entry) throw new RangeError(`the epoch tree has no value ${position}`);
  return getProof(stored.tree, entry.treeIndex) as Hex[];
}
