import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { identity } from "multiformats/hashes/identity";
import { sha256 } from "multiformats/hashes/sha2";
import { bytesToHex } from "viem";
import {
  blockContent,
  cidFromHex,
  fetchVerifiedBlock,
  gatewayBlockUrl,
  parseJsonContent,
  verifyBlockBytes,
} from "../../app/lib/verifyCid.ts";

const encoder = new TextEncoder();

async function rawCid(bytes: Uint8Array) {
  return CID.createV1(raw.code, await sha256.digest(bytes));
}

describe("verifyBlockBytes", () => {
  it("verifies the hello-world vector and rejects one changed byte", async () => {
    const cid = CID.parse("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
    assert.equal(await verifyBlockBytes({ cid, bytes: encoder.encode("hello world") }), "verified");
    assert.equal(await verifyBlockBytes({ cid, bytes: encoder.encode("hello worle") }), "mismatch");
    assert.equal(await verifyBlockBytes({ cid, bytes: new Uint8Array() }), "mismatch");
  });

  it("reports hash functions it cannot check as unsupported", async () => {
    const bytes = encoder.encode("x");
    const cid = CID.createV1(raw.code, identity.digest(bytes));
    assert.equal(await verifyBlockBytes({ cid, bytes }), "unsupported");
  });

  it("decodes the binary CID the registry stores", async () => {
    const cid = await rawCid(encoder.encode("{}"));
    assert.equal(cidFromHex(bytesToHex(cid.bytes)).toString(), cid.toString());
  });
});

describe("fetchVerifiedBlock", () => {
  const json = encoder.encode(JSON.stringify({ kind: "Model", evaluation: { holdoutAccuracy: 0.91 } }));

  function gateway(body: Uint8Array | Error, status = 200) {
    const requests: Array<{ url: string; accept: string | null }> = [];
    const fetchFn = (async (url: string, init?: RequestInit) => {
      requests.push({ url, accept: new Headers(init?.headers).get("accept") });
      if (body instanceof Error) throw body;
      return new Response(body, { status });
    }) as typeof fetch;
    return { fetchFn, requests };
  }

  it("asks for the raw block and verifies it", async () => {
    const cid = await rawCid(json);
    const { fetchFn, requests } = gateway(json);
    const result = await fetchVerifiedBlock({ gatewayUrl: "http://gw.test/", cid, fetchFn });
    assert.equal(result.status, "verified");
    assert.deepEqual(requests, [{ url: `http://gw.test/ipfs/${cid}?format=raw`, accept: "application/vnd.ipld.raw" }]);
    assert.equal(gatewayBlockUrl("http://gw.test", cid), requests[0]!.url);
  });

  it("says mismatch when the gateway returns other bytes", async () => {
    const cid = await rawCid(json);
    const result = await fetchVerifiedBlock({ gatewayUrl: "http://gw.test", cid, fetchFn: gateway(encoder.encode("{\"forged\":1}")).fetchFn });
    assert.equal(result.status, "mismatch");
  });

  it("says unavailable on HTTP errors and network failures", async () => {
    const cid = await rawCid(json);
    const notFound = await fetchVerifiedBlock({ gatewayUrl: "http://gw.test", cid, fetchFn: gateway(new Uint8Array(), 404).fetchFn });
    assert.deepEqual(notFound, { status: "unavailable", error: "gateway answered 404" });
    const down = await fetchVerifiedBlock({ gatewayUrl: "http://gw.test", cid, fetchFn: gateway(new Error("ECONNREFUSED")).fetchFn });
    assert.equal(down.status, "unavailable");
  });
});

describe("blockContent", () => {
  it("returns raw blocks as they are and unwraps single-block UnixFS files", async () => {
    const cid = await rawCid(json());
    assert.deepEqual(blockContent(cid, json()), json());
    const file = new UnixFS({ type: "file", data: json() });
    const block = dagPb.encode(dagPb.prepare({ Data: file.marshal(), Links: [] }));
    const pbCid = CID.createV1(dagPb.code, await sha256.digest(block));
    assert.deepEqual(blockContent(pbCid, block), json());
    assert.deepEqual(parseJsonContent(json()), { a: 1 });
    assert.equal(parseJsonContent(encoder.encode("not json")), undefined);
  });
  function json() {
    return encoder.encode('{"a":1}');
  }
});
