/**
 * The browser's Merkle check of a record against an epoch root: the leaf encoding of
 * SPEC.md recomputed with viem, proofs from a real `StandardMerkleTree`, and every way a
 * listing could lie (another record, one changed field, a proof from another epoch).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { encodeAbiParameters, keccak256, type Hex } from "viem";
import {
  cidBytesHex,
  epochLeafHash,
  epochTree,
  epochTreeRoot,
  verifyEpochRecord,
  ZERO_ROOT,
  type EpochLeafFields,
} from "../../app/lib/verifyEpochRecord.ts";

async function cidOf(text: string): Promise<string> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(text))).toString();
}

/** SPEC.md: keccak256(bytes.concat(keccak256(abi.encode(epoch, kind, schemaVersion, round, cid, refCid)))). */
function specLeafHash(epoch: number, kind: number, schemaVersion: number, round: number, cid: Hex, refCid: Hex): Hex {
  const encoded = encodeAbiParameters(
    [{ type: "uint64" }, { type: "uint8" }, { type: "uint16" }, { type: "uint32" }, { type: "bytes" }, { type: "bytes" }],
    [BigInt(epoch), kind, schemaVersion, round, cid, refCid],
  );
  return keccak256(keccak256(encoded));
}

async function epochRecords(epoch: number, n: number): Promise<EpochLeafFields[]> {
  const records: EpochLeafFields[] = [];
  for (let i = 0; i < n; i++) {
    records.push({
      epoch,
      kind: (["Model", "Incident", "MapekSnapshot"] as const)[i % 3]!,
      schemaVersion: 1,
      round: 100 + i,
      cid: await cidOf(`record ${epoch}/${i}`),
      refCid: i % 3 === 0 && i > 0 ? records[i - 3]!.cid : null,
    });
  }
  return records;
}

describe("epochLeafHash", () => {
  it("is the leaf hash SPEC.md defines (double keccak of the ABI encoding, binary CIDs, 0x for no ref)", async () => {
    const cid = await cidOf("model 12");
    const parent = await cidOf("model 11");
    assert.equal(epochLeafHash({ epoch: 7, kind: "Model", schemaVersion: 1, round: 12, cid, refCid: parent }), specLeafHash(7, 0, 1, 12, cidBytesHex(cid), cidBytesHex(parent)));
    assert.equal(epochLeafHash({ epoch: 7, kind: "Incident", schemaVersion: 2, round: 3, cid, refCid: null }), specLeafHash(7, 1, 2, 3, cidBytesHex(cid), "0x"));
    assert.equal(epochLeafHash({ epoch: 7, kind: 4, schemaVersion: 1, round: 0, cid, refCid: null }), specLeafHash(7, 4, 1, 0, cidBytesHex(cid), "0x"));
  });
});

describe("verifyEpochRecord", () => {
  it("verifies every record of an epoch against its root, and nothing else", async () => {
    const records = await epochRecords(3, 11);
    const tree = epochTree(3, records);
    const root = tree.root as Hex;
    assert.equal(epochTreeRoot(3, records), root);
    records.forEach((record, i) => {
      assert.equal(verifyEpochRecord({ root, record, proof: tree.getProof(i) }), "in-root", `record ${i}`);
    });

    const proof = tree.getProof(4);
    const record = records[4]!;
    // One changed field, each in turn: the leaf is another leaf.
    const changed: Array<Partial<EpochLeafFields>> = [
      { epoch: 4 },
      { kind: "Model" },
      { schemaVersion: 2 },
      { round: record.round + 1 },
      { cid: await cidOf("another record") },
      { refCid: records[0]!.cid },
    ];
    for (const change of changed) {
      assert.equal(verifyEpochRecord({ root, record: { ...record, ...change }, proof }), "not-in-root", JSON.stringify(change));
    }
    // A record outside the epoch, with a proof that belongs to another record or another epoch.
    const outsider = { ...record, cid: await cidOf("not in epoch 3") };
    assert.equal(verifyEpochRecord({ root, record: outsider, proof }), "not-in-root");
    const other = await epochRecords(4, 5);
    const otherTree = epochTree(4, other);
    assert.equal(verifyEpochRecord({ root, record: other[1]!, proof: otherTree.getProof(1) }), "not-in-root");
    assert.equal(verifyEpochRecord({ root: otherTree.root as Hex, record: other[1]!, proof: otherTree.getProof(1) }), "in-root");
    // A record with the right fields but a wrong or truncated proof.
    assert.equal(verifyEpochRecord({ root, record, proof: tree.getProof(5) }), "not-in-root");
    assert.equal(verifyEpochRecord({ root, record, proof: proof.slice(1) }), "not-in-root");
    assert.equal(verifyEpochRecord({ root, record, proof: ["0x1234"] }), "not-in-root");
  });

  it("says when there is no root to check against, or no leaf to check", async () => {
    const records = await epochRecords(1, 2);
    const tree = epochTree(1, records);
    assert.equal(verifyEpochRecord({ root: ZERO_ROOT, record: records[0]!, proof: tree.getProof(0) }), "unratified");
    assert.equal(verifyEpochRecord({ root: undefined, record: records[0]!, proof: tree.getProof(0) }), "unratified");
    assert.equal(verifyEpochRecord({ root: tree.root as Hex, record: { ...records[0]!, cid: "not a cid" }, proof: tree.getProof(0) }), "invalid");
    assert.equal(verifyEpochRecord({ root: tree.root as Hex, record: { ...records[0]!, kind: 9 }, proof: tree.getProof(0) }), "invalid");
  });
});
