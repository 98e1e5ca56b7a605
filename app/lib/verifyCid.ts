/**
 * Checks content against its CID in the browser: the gateway is not trusted, the
 * bytes it returns are hashed here and compared with the digest inside the CID.
 */
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { hexToBytes, type Hex } from "viem";

export const RAW_CODE = 0x55;
export const DAG_PB_CODE = 0x70;
export const SHA2_256_CODE = 0x12;

/** The CID stored on chain (binary CIDv1 as hex) in its usual base32 text form. */
export function cidFromHex(hex: Hex): CID {
  return CID.decode(hexToBytes(hex));
}

export type VerificationStatus = "verified" | "mismatch" | "unsupported";

export type VerifyBlockBytesParameters = {
  /** The CID the bytes were requested by. */
  cid: CID;
  /** The bytes the gateway returned. */
  bytes: Uint8Array;
};

/**
 * Hashes `bytes` with the CID's hash function and compares the digest.
 *
 * @returns `verified` when the digests match, `mismatch` when not, `unsupported`
 * when the CID uses a hash function this browser code does not implement.
 *
 * @example
 * import { CID } from "multiformats/cid";
 * import { verifyBlockBytes } from "./verifyCid.ts";
 * const cid = CID.parse("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
 * await verifyBlockBytes({ cid, bytes: new TextEncoder().encode("hello world") }); // "verified"
 */
export async function verifyBlockBytes({ cid, bytes }: VerifyBlockBytesParameters): Promise<VerificationStatus> {
  if (cid.multihash.code !== SHA2_256_CODE) return "unsupported";
  const digest = await sha256.digest(bytes);
  return bytesEqual(digest.digest, cid.multihash.digest) ? "verified" : "mismatch";
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The URL of a raw block on a trustless gateway. */
export function gatewayBlockUrl(gatewayUrl: string, cid: CID): string {
  return `${gatewayUrl.replace(/\/+$/, "")}/ipfs/${cid.toString()}?format=raw`;
}

export type FetchVerifiedBlockParameters = {
  gatewayUrl: string;
  cid: CID;
  /** Injected for tests; the browser's `fetch` otherwise. */
  fetchFn?: typeof fetch;
  signal?: AbortSignal;
};

export type FetchVerifiedBlockReturnType =
  | { status: "verified"; bytes: Uint8Array }
  | { status: "mismatch" | "unsupported"; bytes: Uint8Array }
  | { status: "unavailable"; error: string };

/** Fetches the raw block from the gateway and verifies it. Network failures are `unavailable`, not thrown. */
export async function fetchVerifiedBlock({
  gatewayUrl,
  cid,
  fetchFn = fetch,
  signal,
}: FetchVerifiedBlockParameters): Promise<FetchVerifiedBlockReturnType> {
  let response: Response;
  try {
    response = await fetchFn(gatewayBlockUrl(gatewayUrl, cid), {
      headers: { accept: "application/vnd.ipld.raw" },
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    return { status: "unavailable", error: `gateway not reachable: ${(error as Error).message}` };
  }
  if (!response.ok) return { status: "unavailable", error: `gateway answered ${response.status}` };
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: await verifyBlockBytes({ cid, bytes }), bytes };
}

/**
 * The file bytes inside a verified block: the block itself for raw CIDs, the UnixFS
 * data of a single-block dag-pb file; `undefined` for content spread over several
 * blocks (the block is still verified, but it is not the whole file).
 */
export function blockContent(cid: CID, bytes: Uint8Array): Uint8Array | undefined {
  if (cid.code === RAW_CODE) return bytes;
  if (cid.code === DAG_PB_CODE) {
    const node = dagPb.decode(bytes);
    if (node.Links.length > 0 || !node.Data) return undefined;
    return UnixFS.unmarshal(node.Data).data;
  }
  return undefined;
}

/** Parses JSON content; `undefined` when the bytes are not JSON. */
export function parseJsonContent(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}
