/**
 * Publishing and reading knowledge records through the content store: only valid
 * records get a CID; what is read back is verified, valid, and agrees with the registry.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { RecordValidationError } from "../../../coordinator/errors/knowledge.ts";
import { canonicalJson } from "../../../coordinator/ipfs/canonicalJson.ts";
import { heliaContentStore, type HeliaContentStoreReturnType } from "../../../coordinator/ipfs/heliaContentStore.ts";
import { computeFileCid } from "../../../coordinator/ipfs/importUnixfsFile.ts";
import { publishKnowledgeRecord } from "../../../coordinator/knowledge/publishKnowledgeRecord.ts";
import { readKnowledgeRecord } from "../../../coordinator/knowledge/readKnowledgeRecord.ts";
import { directive, incident } from "../../fixtures/knowledgeRecords.ts";

describe("publishing and reading knowledge records", () => {
  let dataDir: string;
  let store: HeliaContentStoreReturnType;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-records-"));
    store = await heliaContentStore({ dataDir });
  });
  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("publishes a valid record with its registry fields, and reads it back checked against them", async () => {
    const published = await publishKnowledgeRecord(store, directive());
    assert.deepEqual(published.registry, { kind: 4, schemaVersion: 1, round: 340 });
    assert.equal((await store.stat(published.cid)).pinned, true);
    const read = await readKnowledgeRecord(store, published.cid, { expected: published.registry });
    assert.deepEqual(read, directive());
  });

  it("refuses content that disagrees with what the registry says about its CID", async () => {
    const { cid } = await publishKnowledgeRecord(store, incident());
    await assert.rejects(readKnowledgeRecord(store, cid, { expected: { kind: 0, round: 13 } }), (error: unknown) => {
      assert.ok(error instanceof RecordValidationError);
      assert.deepEqual(error.issues.map((issue) => issue.path), ["kind", "round"]);
      return true;
    });
  });

  it("publishes nothing for an invalid record", async () => {
    const bad = { ...incident(), affectedNodes: [] };
    await assert.rejects(publishKnowledgeRecord(store, bad), (error: unknown) => {
      assert.ok(error instanceof RecordValidationError);
      assert.deepEqual(error.issues.map((issue) => issue.path), ["affectedNodes"]);
      return true;
    });
    const wouldBe = await computeFileCid(new TextEncoder().encode(canonicalJson(bad)));
    assert.equal(await store.has(wouldBe.toString()), false);
  });

  it("rejects valid JSON on IPFS that is not a valid record", async () => {
    const { cid } = await store.addJson({ kind: "Model", schemaVersion: 1 });
    await assert.rejects(readKnowledgeRecord(store, cid), RecordValidationError);
  });
});
