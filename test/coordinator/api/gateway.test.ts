/**
 * GET /ipfs/{cid} on the API: serves verified blocks, CARs and files from a real
 * embedded content store; a browser on the dApp's origin may read them.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { CarReader } from "@ipld/car";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { heliaContentStore, type HeliaContentStoreReturnType } from "../../../coordinator/ipfs/heliaContentStore.ts";
import { buildTestApp } from "./helper.ts";

describe("GET /ipfs/{cid}", () => {
  let dataDir: string;
  let store: HeliaContentStoreReturnType;
  let recordCid: string;
  const record = { kind: "Incident", schemaVersion: 1, fault: "partition", nodes: ["n1", "n2"] };

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-api-gateway-"));
    store = await heliaContentStore({ dataDir });
    recordCid = (await store.addJson(record)).cid;
  });
  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("serves a raw block that hashes to its CID, readable from the dApp's origin", async (t) => {
    const { app } = await buildTestApp(t, { app: { contentStore: store } });
    const response = await app.inject({
      method: "GET",
      url: `/ipfs/${recordCid}?format=raw`,
      headers: { origin: "http://localhost:3000" },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["content-type"], "application/vnd.ipld.raw");
    assert.equal(response.headers["access-control-allow-origin"], "http://localhost:3000");
    assert.match(String(response.headers["access-control-expose-headers"]), /X-Ipfs-Roots/);
    // What the browser does: hash the bytes and compare with the CID's multihash.
    const digest = await sha256.digest(response.rawPayload);
    assert.deepEqual(digest.bytes, CID.parse(recordCid).multihash.bytes);
    assert.deepEqual(JSON.parse(response.rawPayload.toString("utf8")), record);
  });

  it("serves the file as JSON, and a CAR whose root is the CID", async (t) => {
    const { app } = await buildTestApp(t, { app: { contentStore: store } });
    const file = await app.inject({ method: "GET", url: `/ipfs/${recordCid}` });
    assert.equal(file.statusCode, 200);
    assert.equal(file.headers["content-type"], "application/json; charset=utf-8");
    assert.deepEqual(file.json(), record);
    const car = await app.inject({ method: "GET", url: `/ipfs/${recordCid}`, headers: { accept: "application/vnd.ipld.car" } });
    assert.equal(car.statusCode, 200);
    const reader = await CarReader.fromBytes(car.rawPayload);
    assert.deepEqual((await reader.getRoots()).map(String), [recordCid]);
  });

  it("HEAD answers headers only", async (t) => {
    const { app } = await buildTestApp(t, { app: { contentStore: store } });
    const response = await app.inject({ method: "HEAD", url: `/ipfs/${recordCid}?format=raw` });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["content-type"], "application/vnd.ipld.raw");
    assert.equal(response.rawPayload.length, 0);
  });

  it("does not send CORS headers to other origins", async (t) => {
    const { app } = await buildTestApp(t, { app: { contentStore: store } });
    const response = await app.inject({ method: "GET", url: `/ipfs/${recordCid}`, headers: { origin: "http://evil.example" } });
    assert.equal(response.headers["access-control-allow-origin"], undefined);
  });

  it("400 for a bad CID, 404 for content the store does not hold, as plain text", async (t) => {
    const { app } = await buildTestApp(t, { app: { contentStore: store } });
    const bad = await app.inject({ method: "GET", url: "/ipfs/not-a-cid" });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /is not a valid CID/);
    const missing = await app.inject({ method: "GET", url: "/ipfs/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku" });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers["content-type"], "text/plain; charset=utf-8");
  });

  it("is rate limited per IP under SYNOD_GATEWAY_RATE_LIMIT_MAX", async (t) => {
    const { app } = await buildTestApp(t, { env: { SYNOD_GATEWAY_RATE_LIMIT_MAX: "2" }, app: { contentStore: store } });
    assert.equal((await app.inject({ method: "GET", url: `/ipfs/${recordCid}` })).statusCode, 200);
    assert.equal((await app.inject({ method: "GET", url: `/ipfs/${recordCid}` })).statusCode, 200);
    const limited = await app.inject({ method: "GET", url: `/ipfs/${recordCid}` });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.name, "RateLimitedError");
  });

  it("is not mounted without a content store", async (t) => {
    const { app } = await buildTestApp(t);
    assert.equal((await app.inject({ method: "GET", url: `/ipfs/${recordCid}` })).statusCode, 404);
  });
});
