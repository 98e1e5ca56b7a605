/**
 * Turning bytes into a UnixFS DAG exactly as `ipfs add --cid-version 1` does in Kubo,
 * so a CID Synod publishes can be reproduced by anyone with the same bytes and Kubo.
 */
import { importBytes, type WritableStorage } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import type { CID } from "multiformats/cid";

/** Kubo's default chunk: `size-262144`. */
export const KUBO_CHUNK_SIZE = 262_144;
/** Kubo's default `Import.UnixFSFileMaxLinks`: links per node of the balanced DAG. */
export const KUBO_MAX_LINKS = 174;

/**
 * The `ipfs add` options the Kubo backend sends, spelled out so that a node whose
 * `Import.*` config differs still builds the same DAG (and a CID check catches it if not).
 */
export const KUBO_ADD_OPTIONS = {
  cidVersion: 1,
  rawLeaves: true,
  hashAlg: "sha2-256",
  chunker: `size-${KUBO_CHUNK_SIZE}`,
} as const;

export type ImportUnixfsFileParameters = {
  /** The file's bytes. */
  bytes: Uint8Array;
  /** Where the blocks go; `{ put }` that discards them just computes the CID. */
  blockstore: WritableStorage;
  /** Aborts the import. */
  signal?: AbortSignal;
};

/**
 * Imports bytes as a UnixFS file: CIDv1, raw leaves, sha2-256, fixed 256 KiB chunks,
 * balanced layout with at most 174 links per node — Kubo's `ipfs add --cid-version 1`.
 * A file of one chunk (≤ 256 KiB, the empty file included) is a single raw block whose
 * CID is simply sha2-256 of the bytes.
 *
 * @param parameters.bytes - the file.
 * @param parameters.blockstore - receives every block.
 * @returns the root CID and the file size.
 *
 * @example
 * import { importUnixfsFile } from "./importUnixfsFile.ts";
 * const { cid } = await importUnixfsFile({ bytes, blockstore: { put: async (cid) => cid } });
 */
export async function importUnixfsFile({
  bytes,
  blockstore,
  signal,
}: ImportUnixfsFileParameters): Promise<{ cid: CID; size: number }> {
  const result = await importBytes(bytes, blockstore, {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: KUBO_CHUNK_SIZE }),
    layout: balanced({ maxChildrenPerNode: KUBO_MAX_LINKS }),
    fieldOrder: "links-first",
    ...(signal ? { signal } : {}),
  });
  return { cid: result.cid, size: bytes.length };
}

/**
 * Computes the CID `ipfs add --cid-version 1` gives `bytes`, storing nothing.
 *
 * @example
 * import { computeFileCid } from "./importUnixfsFile.ts";
 * (await computeFileCid(new TextEncoder().encode("hello world"))).toString();
 * // "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
 */
export async function computeFileCid(bytes: Uint8Array): Promise<CID> {
  const { cid } = await importUnixfsFile({ bytes, blockstore: { put: async (key: CID) => key } });
  return cid;
}
