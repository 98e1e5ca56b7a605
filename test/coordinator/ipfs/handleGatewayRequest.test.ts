/**
 * The trustless gateway answers what a browser needs to verify content itself:
 * the raw block (hash it, compare with the CID) or a CAR of the whole DAG.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { CarReader } from "@ipld/car";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { handleGatewayRequest } from "../../../coordinator/ipfs/handleGatewayRequest.ts";
import { heliaContentStore, type HeliaContentStoreReturnType } from "../../../coordinator/ipfs/heliaContentStore.ts";
import { kuboContentStore } from "../../../coordinator/ipfs/kuboContentStore.ts";
import { readVerifiedFile } from "../../../coordinator/ipfs/verifiedDag.ts";
import { startKuboRpcServer } from "../../fixtures/kuboRpcServer.ts";

/** Deterministic bytes with no period, so no two 256 KiB chunks are equal (xorshift32). */
function patternBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = 2463534242;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe("GET /ipfs/{cid} (trustless gateway)", () => {
  let dataDir: string;
  let store: HeliaContentStoreReturnType;
  let fileCid: string;
  let recordCid: string;
  const file = patternBytes(600 * 1024);
  const record = { kind: "ChaosReport", schemaVersion: 1, resilienceScore: 87.5 };

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-gateway-"));
    store = await heliaContentStore({ dataDir });
    fileCid = (await store.addBytes(file)).cid;
    recordCid = (await store.addJson(record)).cid;
  });
  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("serves a raw block that hashes to its CID (?format=raw)", async () => {
    const response = await handleGatewayRequest(store, { cid: recordCid, format: "raw" });
    assert.equal(response.status, 200);
    assert.equal(response.headers["Content-Type"], "application/vnd.ipld.raw");
    assert.equal(response.headers["X-Content-Type-Options"], "nosniff");
    assert.match(response.headers["Cache-Control"]!, /immutable/);
    const digest = await sha256.digest(response.body!);
    assert.deepEqual(digest.bytes, CID.parse(recordCid).multihash.bytes);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(response.body!)), record);
    // Nothing from the raw path segment reaches a header (no CRLF injection).
    const padded = await handleGatewayRequest(store, { cid: `${recordCid}\r\nX-Evil: 1`, format: "raw" });
    assert.equal(padded.status, 400);
    const trailing = await handleGatewayRequest(store, { cid: `${recordCid}\r\n`, format: "raw" });
    assert.equal(trailing.headers["X-Ipfs-Path"], `/ipfs/${recordCid}`);
  });

  it("serves a CAR from which a client rebuilds and verifies the file (Accept: application/vnd.ipld.car)", async () => {
    const response = await handleGatewayRequest(store, { cid: fileCid, accept: "application/vnd.ipld.car; version=1" });
    assert.equal(response.status, 200);
    assert.equal(response.headers["Content-Type"], "application/vnd.ipld.car; version=1; order=dfs; dups=n");
    const car = await CarReader.fromBytes(response.body!);
    assert.deepEqual((await car.getRoots()).map(String), [fileCid]);
    const blocks = [];
    for await (const block of car.blocks()) blocks.push(block);
    assert.equal(blocks.length, 4); // root + three 256 KiB leaves, depth-first
    assert.equal(blocks[0]?.cid.toString(), fileCid);
    // What the dApp does: read the file back from the CAR's blocks, verifying each.
    const fromCar = await readVerifiedFile(
      async (cid) => (await car.get(cid))!.bytes,
      CID.parse(fileCid),
      { backend: "car" },
    );
    assert.deepEqual(fromCar, file);
  });

  it("serves the plain file bytes, and JSON records as application/json", async () => {
    const bin = await handleGatewayRequest(store, { cid: fileCid });
    assert.equal(bin.status, 200);
    assert.equal(bin.headers["Content-Type"], "application/octet-stream");
    assert.equal(bin.headers["Content-Length"], String(file.length));
    assert.deepEqual(bin.body, file);
    const json = await handleGatewayRequest(store, { cid: recordCid, accept: "text/html,*/*" });
    assert.equal(json.headers["Content-Type"], "application/json; charset=utf-8");
  });

  it("answers HEAD without a body and If-None-Match with 304", async () => {
    const head = await handleGatewayRequest(store, { cid: fileCid, format: "car", method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.body, null);
    const etag = head.headers.Etag!;
    assert.equal(etag, `"${fileCid}.car"`);
    const cached = await handleGatewayRequest(store, { cid: fileCid, format: "car", ifNoneMatch: etag });
    assert.equal(cached.status, 304);
  });

  it("maps failures to statuses: 400 bad CID or format, 404 missing, 406 CAR v2", async () => {
    assert.equal((await handleGatewayRequest(store, { cid: "Qm-not-a-cid" })).status, 400);
    assert.equal((await handleGatewayRequest(store, { cid: fileCid, format: "tar" })).status, 400);
    const missing = await handleGatewayRequest(store, { cid: "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e" });
    assert.equal(missing.status, 404);
    assert.match(new TextDecoder().decode(missing.body!), /not found/);
    assert.equal((await handleGatewayRequest(store, { cid: fileCid, accept: "application/vnd.ipld.car; version=2" })).status, 406);
  });

  it("refuses to serve tampered content (502) and reports Kubo down as 503 with Retry-After", async () => {
    const kubo = await startKuboRpcServer();
    const kuboStore = kuboContentStore({ url: kubo.url, timeoutMs: 2_000 });
    const { cid } = await kuboStore.addBytes(patternBytes(300 * 1024));
    let leafCid: CID | undefined;
    for await (const block of kuboStore.blocks(cid)) {
      if (block.cid.toString() !== cid) {
        leafCid = block.cid;
        break;
      }
    }
    kubo.tamper(leafCid!.toString(), new TextEncoder().encode("forged"));
    for (const format of ["car", undefined] as const) {
      const response = await handleGatewayRequest(kuboStore, { cid, format });
      assert.equal(response.status, 502);
      assert.match(new TextDecoder().decode(response.body!), /does not match its CID/);
    }
    await kubo.close();
    const down = await handleGatewayRequest(kuboStore, { cid, format: "raw" });
    assert.equal(down.status, 503);
    assert.equal(down.headers["Retry-After"], "5");
  });
});
