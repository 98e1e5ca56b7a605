/**
 * The same behaviour on both backends: publish → CID → read back verified, pinning,
 * tampered blocks rejected. The Kubo backend runs against the Kubo RPC test double
 * (test/fixtures/kuboRpcServer.ts), not a real Kubo.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { FsBlockstore } from "blockstore-fs";
import { CID } from "multiformats/cid";
import { BlockVerificationError, ContentNotFoundError, InvalidCidError } from "../../../coordinator/errors/ipfs.ts";
import type { ContentStore } from "../../../coordinator/ipfs/contentStore.ts";
import { heliaContentStore, type HeliaContentStoreReturnType } from "../../../coordinator/ipfs/heliaContentStore.ts";
import { kuboContentStore } from "../../../coordinator/ipfs/kuboContentStore.ts";
import { startKuboRpcServer, type KuboRpcServer } from "../../fixtures/kuboRpcServer.ts";

/** Deterministic pseudo-random bytes (xorshift32), so multi-chunk files are not all-zero. */
function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

type Harness = {
  store: ContentStore;
  /** Overwrites a stored block with other bytes, behind the store's back. */
  tamper(cid: string, bytes: Uint8Array): Promise<void>;
  /** Re-opens the store on the same repository (Helia) or node (Kubo). */
  reopen(): Promise<ContentStore>;
  close(): Promise<void>;
};

async function heliaHarness(): Promise<Harness> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-helia-"));
  let store: HeliaContentStoreReturnType = await heliaContentStore({ dataDir });
  return {
    get store() {
      return store;
    },
    async tamper(cid, bytes) {
      // Corrupt the file on disk the way a bad disk or an intruder would: close the
      // store, rewrite the block file through a plain FsBlockstore, reopen.
      await store.close();
      const raw = new FsBlockstore(store.blocksPath);
      await raw.open();
      await raw.put(CID.parse(cid), bytes);
      await raw.close();
      store = await heliaContentStore({ dataDir });
    },
    async reopen() {
      await store.close();
      store = await heliaContentStore({ dataDir });
      return store;
    },
    async close() {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function kuboHarness(): Promise<Harness & { kubo: KuboRpcServer }> {
  const kubo = await startKuboRpcServer();
  const store = kuboContentStore({ url: kubo.url, timeoutMs: 5_000 });
  return {
    kubo,
    store,
    tamper: async (cid, bytes) => kubo.tamper(cid, bytes),
    reopen: async () => kuboContentStore({ url: kubo.url, timeoutMs: 5_000 }),
    close: () => kubo.close(),
  };
}

for (const [name, makeHarness] of [
  ["helia", heliaHarness],
  ["kubo (RPC test double)", kuboHarness],
] as const) {
  describe(`content store on ${name}`, () => {
    let h: Harness;
    before(async () => {
      h = await makeHarness();
    });
    after(async () => {
      await h.close();
    });

    it("publishes a multi-chunk file, and reads the same bytes back by CID after a restart", async () => {
      const bytes = patternBytes(700 * 1024, 7); // three 256 KiB chunks
      const added = await h.store.addBytes(bytes);
      assert.match(added.cid, /^bafybei/); // dag-pb root over raw leaves
      assert.equal(added.size, bytes.length);

      const store = await h.reopen();
      const back = await store.get(added.cid);
      assert.deepEqual(back, bytes);
      assert.deepEqual(await store.stat(added.cid), { cid: added.cid, codec: "dag-pb", size: bytes.length, pinned: true });
    });

    it("publishes JSON canonically: equal values, equal CIDs, whatever the key order", async () => {
      const a = await h.store.addJson({ kind: "Model", round: 3, nested: { b: 2, a: 1 } });
      const b = await h.store.addJson({ nested: { a: 1, b: 2 }, round: 3, kind: "Model" });
      assert.equal(a.cid, b.cid);
      assert.match(a.cid, /^bafkrei/); // a small file is one raw block
      assert.deepEqual(await h.store.getJson(a.cid), { kind: "Model", nested: { a: 1, b: 2 }, round: 3 });
      assert.equal((await h.store.stat(a.cid)).pinned, true);
    });

    it("serves single blocks and walks the DAG, every block verified", async () => {
      const bytes = patternBytes(300 * 1024, 11);
      const { cid } = await h.store.addBytes(bytes);
      const blocks = [];
      for await (const block of h.store.blocks(cid)) blocks.push(block);
      assert.equal(blocks.length, 3); // root + 2 leaves
      assert.equal(blocks[0]?.cid.toString(), cid);
      assert.deepEqual(await h.store.getBlock(blocks[1]!.cid), bytes.subarray(0, 262_144));
    });

    it("says what it holds, and reports missing content as not found", async () => {
      const { cid } = await h.store.addBytes(new TextEncoder().encode("held"));
      assert.equal(await h.store.has(cid), true);
      // sha2-256 of "hello world", never added to this store.
      const absent = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";
      assert.equal(await h.store.has(absent), false);
      await assert.rejects(h.store.get(absent), ContentNotFoundError);
      await assert.rejects(h.store.get("not-a-cid"), InvalidCidError);
    });

    it("rejects a tampered leaf with BlockVerificationError, naming the block", async () => {
      const bytes = patternBytes(600 * 1024, 23);
      const { cid } = await h.store.addBytes(bytes);
      const leaves = [];
      for await (const block of h.store.blocks(cid)) if (block.cid.toString() !== cid) leaves.push(block);
      const victim = leaves[1]!;
      const forged = new Uint8Array(victim.bytes);
      forged[0] = forged[0]! ^ 0xff;
      await h.tamper(victim.cid.toString(), forged);

      await assert.rejects(h.store.get(cid), (error: unknown) => {
        assert.ok(error instanceof BlockVerificationError);
        assert.equal(error.cid, victim.cid.toString());
        assert.match(error.shortMessage, /does not match its CID/);
        return true;
      });
      await assert.rejects(h.store.getBlock(victim.cid), BlockVerificationError);
    });

    it("rejects a tampered small record (a single raw block)", async () => {
      const { cid } = await h.store.addJson({ kind: "Incident", resolution: "healed" });
      await h.tamper(cid, new TextEncoder().encode(JSON.stringify({ kind: "Incident", resolution: "never happened" })));
      await assert.rejects(h.store.getJson(cid), BlockVerificationError);
    });

    it("refuses a file over maxBytes from its root, before fetching the leaves", async () => {
      const { cid } = await h.store.addBytes(patternBytes(300 * 1024, 5));
      await assert.rejects(h.store.get(cid, { maxBytes: 1024 }), /over the 1024-byte limit/);
    });
  });
}

describe("embedded Helia stays offline", () => {
  it("opens no listening socket and no UDP socket, and keeps its blocks under the data dir", async () => {
    const count = (kinds: string[]) => process.getActiveResourcesInfo().filter((name) => kinds.includes(name)).length;
    const listening = () => count(["TCPServerWrap", "UDPWrap"]);
    const outbound = () => count(["TCPSocketWrap"]);
    // Earlier suites' servers and idle client sockets may still be closing: counts may only go down.
    const before = { listening: listening(), outbound: outbound() };
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-offline-"));
    const store = await heliaContentStore({ dataDir });
    try {
      await store.addBytes(patternBytes(1000, 3));
      assert.ok(listening() <= before.listening, "Helia opened a listening socket");
      assert.ok(outbound() <= before.outbound, "Helia opened an outbound connection");
      assert.equal(store.blocksPath, path.join(dataDir, "ipfs", "blocks"));
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
