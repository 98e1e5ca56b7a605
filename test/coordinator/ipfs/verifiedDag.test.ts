/**
 * The structural checks of a verified read: blocks that each hash correctly but do
 * not form the file they claim to are rejected, not silently truncated or padded.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { MalformedDagError, UnsupportedContentError } from "../../../coordinator/errors/ipfs.ts";
import { readVerifiedFile, walkVerifiedDag, type BlockFetcher } from "../../../coordinator/ipfs/verifiedDag.ts";

async function put(blocks: Map<string, Uint8Array>, code: number, bytes: Uint8Array): Promise<CID> {
  const cid = CID.createV1(code, await sha256.digest(bytes));
  blocks.set(cid.toString(), bytes);
  return cid;
}

function fetcherOf(blocks: Map<string, Uint8Array>): BlockFetcher {
  return async (cid) => {
    const bytes = blocks.get(cid.toString());
    if (!bytes) throw new Error(`missing ${cid}`);
    return bytes;
  };
}

async function fileNode(blocks: Map<string, Uint8Array>, children: CID[], blockSizes: bigint[]): Promise<CID> {
  const data = new UnixFS({ type: "file", blockSizes }).marshal();
  const node = dagPb.encode(dagPb.prepare({ Data: data, Links: children.map((Hash) => ({ Hash, Name: "", Tsize: 0 })) }));
  return put(blocks, dagPb.code, node);
}

describe("verified reads check the DAG's structure", () => {
  it("reads a two-level file in order", async () => {
    const blocks = new Map<string, Uint8Array>();
    const a = await put(blocks, 0x55, new Uint8Array([1, 2, 3]));
    const b = await put(blocks, 0x55, new Uint8Array([4, 5]));
    const c = await put(blocks, 0x55, new Uint8Array([6]));
    const inner = await fileNode(blocks, [a, b], [3n, 2n]);
    const root = await fileNode(blocks, [inner, c], [5n, 1n]);
    const bytes = await readVerifiedFile(fetcherOf(blocks), root, { backend: "test" });
    assert.deepEqual([...bytes], [1, 2, 3, 4, 5, 6]);
    const order = [];
    for await (const block of walkVerifiedDag(fetcherOf(blocks), root, { backend: "test" })) order.push(block.cid.toString());
    assert.deepEqual(order, [root, inner, a, b, c].map(String)); // depth-first, link order
  });

  it("rejects a node whose declared block size differs from its child's content", async () => {
    const blocks = new Map<string, Uint8Array>();
    const a = await put(blocks, 0x55, new Uint8Array(10));
    const b = await put(blocks, 0x55, new Uint8Array(7));
    const root = await fileNode(blocks, [a, b], [10n, 10n]); // claims 20 bytes, holds 17
    await assert.rejects(readVerifiedFile(fetcherOf(blocks), root, { backend: "test" }), (error: unknown) => {
      assert.ok(error instanceof MalformedDagError);
      assert.match(error.shortMessage, /declares 10 bytes but holds 7/);
      return true;
    });
  });

  it("rejects a node with more links than block sizes", async () => {
    const blocks = new Map<string, Uint8Array>();
    const a = await put(blocks, 0x55, new Uint8Array(4));
    const root = await fileNode(blocks, [a, a], [4n]);
    await assert.rejects(readVerifiedFile(fetcherOf(blocks), root, { backend: "test" }), /2 links but 1 block sizes/);
  });

  it("refuses codecs it cannot verify as files (dag-cbor) and UnixFS directories", async () => {
    const blocks = new Map<string, Uint8Array>();
    const cbor = await put(blocks, 0x71, new Uint8Array([0xa0]));
    await assert.rejects(readVerifiedFile(fetcherOf(blocks), cbor, { backend: "test" }), UnsupportedContentError);
    const dir = await put(
      blocks,
      dagPb.code,
      dagPb.encode(dagPb.prepare({ Data: new UnixFS({ type: "directory" }).marshal(), Links: [] })),
    );
    await assert.rejects(readVerifiedFile(fetcherOf(blocks), dir, { backend: "test" }), /is not a file/);
  });
});
