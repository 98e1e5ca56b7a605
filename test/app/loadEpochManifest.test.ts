/**
 * An epoch's manifest as the browser reads it: bytes against the CID from the chain,
 * the coordinator's schema, and the root rebuilt from its records against the root the
 * registry stores. The app's tree is the keeper's tree (same library, same leaves).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { bytesToHex, type Hex } from "viem";
import { loadEpochManifest } from "../../app/lib/loadEpochManifest.ts";
import { epochTreeRoot } from "../../app/lib/verifyEpochRecord.ts";

const encoder = new TextEncoder();
const rawCid = async (bytes: Uint8Array) => CID.createV1(raw.code, await sha256.digest(bytes));

async function manifestOf(epoch: number) {
  const records: Array<{ cid: string; kind: number; schemaVersion: number; round: number; refCid: string | null; summary: string }> = [];
  for (let i = 0; i < 6; i++) {
    const cid = (await rawCid(encoder.encode(`record ${i}`))).toString();
    records.push({ cid, kind: i % 2, schemaVersion: 1, round: i, refCid: i === 2 ? records[0]!.cid : null, summary: `record ${i}` });
  }
  const root = epochTreeRoot(epoch, records);
  return {
    kind: "EpochManifest",
    schemaVersion: 1,
    epoch,
    chainId: 31337,
    registry: "0x0165878A594ca255338adfa4d48449f69242Eb8F",
    openedAt: "2026-12-03T10:00:00.000Z",
    closedAt: "2026-12-03T10:05:00.000Z",
    leafEncoding: ["uint64", "uint8", "uint16", "uint32", "bytes", "bytes"],
    root,
    counts: { Model: 3, Incident: 3, ChaosReport: 0, MapekSnapshot: 0, Directive: 0 },
    headlines: [records[4]!.cid],
    records,
  };
}

/** A gateway that answers `bytes` for every CID. */
function gateway(bytes: Uint8Array): typeof fetch {
  return (async () => new Response(bytes, { headers: { "content-type": "application/vnd.ipld.raw" } })) as typeof fetch;
}

async function load(manifest: unknown, { epoch = 5, root, served }: { epoch?: number; root: Hex; served?: Uint8Array }) {
  const bytes = encoder.encode(JSON.stringify(manifest));
  const cid = await rawCid(bytes);
  return loadEpochManifest({ gatewayUrl: "http://gateway.test", epoch, manifestCid: bytesToHex(cid.bytes), root, fetchFn: gateway(served ?? bytes) });
}

describe("loadEpochManifest", () => {
  it("verifies a manifest whose bytes match the on-chain CID and whose records rebuild the on-chain root", async () => {
    const manifest = await manifestOf(5);
    const result = await load(manifest, { root: manifest.root });
    assert.equal(result.status, "verified");
    assert.equal(result.status === "verified" && result.manifest.records.length, 6);
  });

  it("rejects other bytes, a changed record, another epoch's manifest and a malformed one", async () => {
    const manifest = await manifestOf(5);
    const root = manifest.root;
    // The gateway lies: bytes that do not hash to the CID.
    assert.equal((await load(manifest, { root, served: encoder.encode(JSON.stringify({ ...manifest, epoch: 6 })) })).status, "mismatch");
    // Honest bytes, but one record's round changed: another root than the ratified one.
    const changed = { ...manifest, records: manifest.records.map((r, i) => (i === 3 ? { ...r, round: 99 } : r)) };
    const result = await load(changed, { root });
    assert.equal(result.status, "invalid");
    assert.match(result.status === "invalid" ? result.error : "", /give the root 0x[0-9a-f]{64}, not the ratified/);
    // A record left out.
    const fewer = { ...manifest, records: manifest.records.slice(0, 5), counts: { ...manifest.counts, Incident: 2 } };
    assert.equal((await load(fewer, { root })).status, "invalid");
    // Epoch 5's manifest presented as epoch 6's.
    assert.match(JSON.stringify(await load(manifest, { epoch: 6, root })), /manifest of epoch 5/);
    // Not the schema (counts that do not match the records).
    assert.match(JSON.stringify(await load({ ...manifest, counts: { ...manifest.counts, Model: 4 } }, { root })), /counts\.Model/);
  });

  it("says when the gateway cannot be reached", async () => {
    const manifest = await manifestOf(5);
    const cid = await rawCid(encoder.encode("x"));
    const result = await loadEpochManifest({
      gatewayUrl: "http://gateway.test",
      epoch: 5,
      manifestCid: bytesToHex(cid.bytes),
      root: manifest.root,
      fetchFn: (async () => {
        throw new TypeError("fetch failed");
      }) as typeof fetch,
    });
    assert.equal(result.status, "unavailable");
  });
});
