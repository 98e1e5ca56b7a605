/**
 * The epoch manifest and its Merkle tree, off chain: a manifest verifies (bytes against
 * its CID, schema, root recomputed from its records); every record's proof verifies
 * against the root with OpenZeppelin's library; a record with one field changed, a
 * record from outside, wrong counts, tampered bytes do not; the committed JSON Schema is
 * the one the zod schema generates.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { BlockVerificationError } from "../../../coordinator/errors/ipfs.ts";
import { EpochRootMismatchError, RecordValidationError } from "../../../coordinator/errors/knowledge.ts";
import { canonicalJson } from "../../../coordinator/ipfs/canonicalJson.ts";
import { kuboContentStore } from "../../../coordinator/ipfs/kuboContentStore.ts";
import { epochTree, LEAF_ENCODING, parseStoredEpochTree, recordLeaf, storedTreeProof } from "../../../coordinator/knowledge/epochTree.ts";
import { readEpochManifest, verifyEpochManifest } from "../../../coordinator/knowledge/readEpochManifest.ts";
import { epochManifestJsonSchema, type EpochManifestV1 } from "../../../coordinator/knowledge/schemas/epochManifest.ts";
import { CID_A, CID_B, CID_C } from "../../fixtures/knowledgeRecords.ts";
import { startKuboRpcServer, type KuboRpcServer } from "../../fixtures/kuboRpcServer.ts";

const root = path.resolve(import.meta.dirname, "../../..");

function manifestOf(epoch: number, records: EpochManifestV1["records"]): EpochManifestV1 {
  const counts = { Model: 0, Incident: 0, ChaosReport: 0, MapekSnapshot: 0, Directive: 0 };
  const names = Object.keys(counts) as Array<keyof typeof counts>;
  for (const record of records) counts[names[record.kind]!]++;
  return {
    kind: "EpochManifest",
    schemaVersion: 1,
    epoch,
    chainId: 31337,
    registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    openedAt: "2026-11-27T03:00:00.000Z",
    closedAt: "2026-11-27T03:05:00.000Z",
    leafEncoding: [...LEAF_ENCODING],
    root: epochTree(epoch, records).root as `0x${string}`,
    counts,
    headlines: [records[0]!.cid],
    records,
  };
}

const RECORDS: EpochManifestV1["records"] = [
  { cid: CID_A, kind: 0, schemaVersion: 1, round: 12, refCid: CID_B, summary: "round 12 model" },
  { cid: CID_B, kind: 1, schemaVersion: 1, round: 12, refCid: null, summary: "incident" },
  { cid: CID_C, kind: 3, schemaVersion: 1, round: 340, refCid: null, summary: "snapshot" },
];

describe("epoch manifest", () => {
  let kubo: KuboRpcServer;
  before(async () => {
    kubo = await startKuboRpcServer();
  });
  after(async () => {
    await kubo.close();
  });

  it("verifies, and every record's proof verifies against the root; a changed field or an outsider does not", () => {
    const manifest = verifyEpochManifest(manifestOf(7, RECORDS));
    const tree = epochTree(7, manifest.records);
    manifest.records.forEach((record, i) => {
      const proof = tree.getProof(i);
      assert.ok(StandardMerkleTree.verify(manifest.root, [...LEAF_ENCODING], recordLeaf(7, record), proof), `record ${i} verifies`);
      assert.ok(!StandardMerkleTree.verify(manifest.root, [...LEAF_ENCODING], recordLeaf(7, { ...record, round: record.round + 1 }), proof), "round changed");
      assert.ok(!StandardMerkleTree.verify(manifest.root, [...LEAF_ENCODING], recordLeaf(8, record), proof), "another epoch");
      assert.ok(!StandardMerkleTree.verify(manifest.root, [...LEAF_ENCODING], recordLeaf(7, { ...record, refCid: record.refCid ? null : CID_A }), proof), "ref changed");
    });
    const outsider = recordLeaf(7, { cid: "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am", kind: 1, schemaVersion: 1, round: 12, refCid: null });
    assert.ok(!StandardMerkleTree.verify(manifest.root, [...LEAF_ENCODING], outsider, tree.getProof(1)));
  });

  it("proves from the stored tree exactly as the library's tree does, for every record", () => {
    const records = Array.from({ length: 37 }, (_, i) => ({ cid: [CID_A, CID_B, CID_C][i % 3]!, kind: i % 5, schemaVersion: 1, round: i, refCid: i % 2 ? CID_B : null }));
    const tree = epochTree(9, records);
    const stored = parseStoredEpochTree(JSON.stringify(tree.dump()));
    for (let i = 0; i < records.length; i++) {
      assert.deepEqual(storedTreeProof(stored, i), tree.getProof(i), `record ${i}`);
      assert.ok(StandardMerkleTree.verify(tree.root, [...LEAF_ENCODING], recordLeaf(9, records[i]!), storedTreeProof(stored, i)));
    }
    assert.throws(() => storedTreeProof(stored, records.length), RangeError);
  });

  it("refuses records that do not give the root, and a root other than the chain's", () => {
    const altered = manifestOf(7, RECORDS);
    altered.records[2] = { ...altered.records[2]!, round: 341 };
    assert.throws(() => verifyEpochManifest(altered), EpochRootMismatchError);
    assert.throws(() => verifyEpochManifest(manifestOf(7, RECORDS), { root: `0x${"11".repeat(32)}` }), EpochRootMismatchError);
    assert.throws(() => verifyEpochManifest(manifestOf(7, RECORDS), { epoch: 8 }), RecordValidationError);
  });

  it("reports every schema problem with its path", () => {
    const bad = { ...manifestOf(7, RECORDS), counts: { Model: 5, Incident: 1, ChaosReport: 0, MapekSnapshot: 1, Directive: 0 }, headlines: [CID_A, "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"] };
    bad.records = [...bad.records, bad.records[0]!];
    assert.throws(
      () => verifyEpochManifest(bad),
      (error: unknown) => {
        assert.ok(error instanceof RecordValidationError);
        assert.deepEqual(error.issues.map((issue) => issue.path).sort(), ["counts.Model", "headlines[1]", "records[3].cid"]);
        return true;
      },
    );
  });

  it("reads a published manifest verified against its CID, and refuses tampered bytes", async () => {
    const store = kuboContentStore({ url: kubo.url });
    const { cid } = await store.addJson(manifestOf(3, RECORDS));
    const manifest = await readEpochManifest(store, cid, { expected: { epoch: 3, root: manifestOf(3, RECORDS).root } });
    assert.equal(manifest.records.length, 3);
    const forged = manifestOf(3, RECORDS.slice(0, 2)); // a self-consistent manifest of other records
    kubo.tamper(cid, new TextEncoder().encode(canonicalJson(forged)));
    await assert.rejects(readEpochManifest(store, cid), BlockVerificationError);
  });

  it("the committed schemas/epochManifest.v1.json is what the zod schema generates", async () => {
    const committed = JSON.parse(await readFile(path.join(root, "schemas/epochManifest.v1.json"), "utf8"));
    assert.deepEqual(committed, epochManifestJsonSchema());
  });
});
