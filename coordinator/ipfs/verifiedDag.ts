/**
 * Reading content by CID without trusting whoever serves the blocks: each block is
 * fetched, hashed against its CID ({@link verifyBlock}) and only then decoded, and a
 * UnixFS file is reassembled from its verified leaves with every declared size
 * checked. Both backends (Helia, Kubo) and the gateway read through these functions.
 */
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import type { CID } from "multiformats/cid";
import {
  ContentTooLargeError,
  MalformedDagError,
  UnsupportedContentError,
} from "../errors/ipfs.ts";
import { concatBytes } from "./bytes.ts";
import { DAG_PB_CODE, IDENTITY_CODE, RAW_CODE } from "./cid.ts";
import { verifyBlock } from "./verifyBlock.ts";

/**
 * Fetches the bytes of one block from a backend, unverified.
 * Implementations throw the content store's named errors (not found, unavailable).
 */
export type BlockFetcher = (cid: CID, options?: { signal?: AbortSignal }) => Promise<Uint8Array>;

export type VerifiedReadOptions = {
  /** Name of the backend, for errors. */
  backend: string;
  /** Aborts the read. */
  signal?: AbortSignal;
  /** Refuse files larger than this many bytes (checked from the root before fetching leaves). */
  maxBytes?: number;
};

/** One verified block: its CID and bytes. */
export type VerifiedBlock = { cid: CID; bytes: Uint8Array };

/**
 * Fetches one block and verifies it against its CID. Identity CIDs carry their
 * content inline and are not fetched.
 *
 * @param fetchBlock - the backend's raw block fetch.
 * @param cid - the block to read.
 * @param options.backend - backend name for errors.
 * @param options.signal - aborts the fetch.
 * @returns the verified bytes.
 * @throws {BlockVerificationError} when the bytes do not match the CID.
 */
export async function getVerifiedBlock(
  fetchBlock: BlockFetcher,
  cid: CID,
  options: VerifiedReadOptions,
): Promise<Uint8Array> {
  if (cid.multihash.code === IDENTITY_CODE) return cid.multihash.digest;
  const bytes = await fetchBlock(cid, { signal: options.signal });
  return verifyBlock({ cid, bytes, backend: options.backend });
}

/**
 * Walks the DAG under `root` depth-first, in link order (the order CAR files with
 * `order=dfs` use), yielding each block after it has been verified.
 *
 * @param fetchBlock - the backend's raw block fetch.
 * @param root - the DAG root.
 * @param options.backend - backend name for errors.
 * @returns an async iterator of verified blocks, root first.
 * @throws {UnsupportedContentError} for codecs other than raw and dag-pb.
 *
 * @example
 * import { walkVerifiedDag } from "./verifiedDag.ts";
 * for await (const block of walkVerifiedDag(fetchBlock, root, { backend: "kubo" })) console.log(block.cid.toString());
 */
export async function* walkVerifiedDag(
  fetchBlock: BlockFetcher,
  root: CID,
  options: VerifiedReadOptions,
): AsyncGenerator<VerifiedBlock> {
  // An explicit stack instead of recursion: a deep DAG must not overflow the call stack.
  const stack: CID[] = [root];
  while (stack.length > 0) {
    const cid = stack.pop() as CID;
    assertSupportedCodec(cid);
    const bytes = await getVerifiedBlock(fetchBlock, cid, options);
    yield { cid, bytes };
    if (cid.code === DAG_PB_CODE) {
      const links = decodePb(cid, bytes).Links;
      for (let i = links.length - 1; i >= 0; i--) stack.push((links[i] as dagPb.PBLink).Hash);
    }
  }
}

/** What {@link statVerifiedFile} learns from a file's root block. */
export type FileStat = {
  /** `raw` for a single-block file, `dag-pb` for a UnixFS file node. */
  codec: "raw" | "dag-pb";
  /** The file's size in bytes. */
  size: number;
  /** How many child blocks the root links to. */
  links: number;
};

/**
 * Reads a file's size from its verified root block, without fetching the leaves.
 *
 * @throws {UnsupportedContentError} when the root is not a file (a directory, dag-cbor…).
 */
export async function statVerifiedFile(
  fetchBlock: BlockFetcher,
  root: CID,
  options: VerifiedReadOptions,
): Promise<FileStat> {
  assertSupportedCodec(root);
  const bytes = await getVerifiedBlock(fetchBlock, root, options);
  if (root.code === RAW_CODE) return { codec: "raw", size: bytes.length, links: 0 };
  const node = decodePb(root, bytes);
  const unixfs = decodeUnixfsFile(root, node);
  return { codec: "dag-pb", size: toSafeNumber(root, unixfs.fileSize()), links: node.Links.length };
}

/**
 * Reads a whole UnixFS file (or raw block) by CID, verifying every block and every
 * declared size, and returns its bytes.
 *
 * @param fetchBlock - the backend's raw block fetch.
 * @param root - the file's CID.
 * @param options.backend - backend name for errors.
 * @param options.maxBytes - refuse larger files.
 * @returns the file's bytes.
 * @throws {BlockVerificationError} when any block does not match its CID.
 * @throws {MalformedDagError} when the verified blocks do not form a consistent file.
 */
export async function readVerifiedFile(
  fetchBlock: BlockFetcher,
  root: CID,
  options: VerifiedReadOptions,
): Promise<Uint8Array> {
  assertSupportedCodec(root);
  const bytes = await getVerifiedBlock(fetchBlock, root, options);
  if (root.code === RAW_CODE) {
    checkLimit(root, bytes.length, options.maxBytes);
    return bytes;
  }
  const node = decodePb(root, bytes);
  const unixfs = decodeUnixfsFile(root, node);
  const size = toSafeNumber(root, unixfs.fileSize());
  checkLimit(root, size, options.maxBytes);
  const acc: Accumulator = { chunks: [], length: 0 };
  await collectFile(fetchBlock, root, node, unixfs, acc, options);
  const out = concatBytes(acc.chunks, acc.length);
  if (out.length !== size) {
    throw new MalformedDagError({ cid: root.toString(), reason: `declares ${size} bytes but holds ${out.length}` });
  }
  return out;
}

/** The file's chunks so far and their total length (kept to avoid re-summing). */
type Accumulator = { chunks: Uint8Array[]; length: number };

function push(acc: Accumulator, chunk: Uint8Array): void {
  acc.chunks.push(chunk);
  acc.length += chunk.length;
}

async function collectFile(
  fetchBlock: BlockFetcher,
  cid: CID,
  node: dagPb.PBNode,
  unixfs: UnixFS,
  out: Accumulator,
  options: VerifiedReadOptions,
): Promise<void> {
  if (unixfs.data && unixfs.data.length > 0) push(out, unixfs.data);
  if (node.Links.length !== unixfs.blockSizes.length) {
    throw new MalformedDagError({
      cid: cid.toString(),
      reason: `${node.Links.length} links but ${unixfs.blockSizes.length} block sizes`,
    });
  }
  for (const [index, link] of node.Links.entries()) {
    const child = link.Hash;
    assertSupportedCodec(child);
    const expected = toSafeNumber(cid, unixfs.blockSizes[index] as bigint);
    const childBytes = await getVerifiedBlock(fetchBlock, child, options);
    const before = out.length;
    if (child.code === RAW_CODE) {
      push(out, childBytes);
    } else {
      const childNode = decodePb(child, childBytes);
      await collectFile(fetchBlock, child, childNode, decodeUnixfsFile(child, childNode), out, options);
    }
    const got = out.length - before;
    if (got !== expected) {
      throw new MalformedDagError({
        cid: cid.toString(),
        reason: `link ${index} (${child.toString()}) declares ${expected} bytes but holds ${got}`,
      });
    }
  }
}

function assertSupportedCodec(cid: CID): void {
  if (cid.code !== RAW_CODE && cid.code !== DAG_PB_CODE) {
    throw new UnsupportedContentError({ cid: cid.toString(), reason: `codec 0x${cid.code.toString(16)}` });
  }
}

function decodePb(cid: CID, bytes: Uint8Array): dagPb.PBNode {
  try {
    return dagPb.decode(bytes);
  } catch (cause) {
    throw new MalformedDagError({ cid: cid.toString(), reason: "not a dag-pb block", cause });
  }
}

function decodeUnixfsFile(cid: CID, node: dagPb.PBNode): UnixFS {
  if (!node.Data) throw new MalformedDagError({ cid: cid.toString(), reason: "dag-pb node without UnixFS data" });
  let unixfs: UnixFS;
  try {
    unixfs = UnixFS.unmarshal(node.Data);
  } catch (cause) {
    throw new MalformedDagError({ cid: cid.toString(), reason: "invalid UnixFS data", cause });
  }
  if (unixfs.type !== "file" && unixfs.type !== "raw") {
    throw new UnsupportedContentError({ cid: cid.toString(), reason: `UnixFS ${unixfs.type} is not a file` });
  }
  return unixfs;
}

function toSafeNumber(cid: CID, value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MalformedDagError({ cid: cid.toString(), reason: `size ${value} is out of range` });
  }
  return Number(value);
}

function checkLimit(cid: CID, size: number, limit: number | undefined): void {
  if (limit !== undefined && size > limit) throw new ContentTooLargeError({ cid: cid.toString(), size, limit });
}
