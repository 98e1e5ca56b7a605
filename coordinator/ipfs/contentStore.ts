/**
 * The content store: how Synod publishes to and reads from IPFS, whichever node is
 * behind it. Two backends implement {@link ContentBackend} (embedded Helia, Kubo over
 * its RPC API); {@link createContentStoreFromBackend} adds what must not depend on the
 * backend: Kubo-compatible CIDs checked on every add, and every read verified against
 * its CID.
 */
import type { CID } from "multiformats/cid";
import { CidMismatchError, ContentNotJsonError } from "../errors/ipfs.ts";
import { canonicalJson } from "./canonicalJson.ts";
import { toCid, type CidLike } from "./cid.ts";
import { computeFileCid } from "./importUnixfsFile.ts";
import {
  getVerifiedBlock,
  readVerifiedFile,
  statVerifiedFile,
  walkVerifiedDag,
  type BlockFetcher,
  type VerifiedBlock,
} from "./verifiedDag.ts";

/** Which IPFS implementation stores the content. */
export type ContentBackendName = "helia" | "kubo";

/** Options every store call accepts. */
export type ContentStoreCallOptions = {
  /** Aborts the call. */
  signal?: AbortSignal;
};

/** Options of reads that return whole files. */
export type ContentStoreGetOptions = ContentStoreCallOptions & {
  /** Refuse files larger than this many bytes (checked before the leaves are fetched). */
  maxBytes?: number;
};

/** What an add returns. */
export type AddResult = {
  /** The CIDv1 (base32) of the content, as `ipfs add --cid-version 1` gives it. */
  cid: string;
  /** The content's size in bytes. */
  size: number;
};

/** What {@link ContentStore.stat} returns. */
export type ContentStat = {
  cid: string;
  /** `raw`: the whole file is one block; `dag-pb`: a UnixFS file node with chunks. */
  codec: "raw" | "dag-pb";
  /** The file's size in bytes (from the verified root block). */
  size: number;
  /** Whether this node pins the content (recursively). */
  pinned: boolean;
};

/**
 * Publishing and reading content-addressed data. Everything added is pinned; every
 * read is verified against its CID, so a tampered or corrupted block is an error,
 * never data.
 */
export interface ContentStore {
  /** The backend behind this store. */
  readonly backend: ContentBackendName;
  /**
   * Adds bytes as a UnixFS file (CIDv1, raw leaves, sha2-256, 256 KiB chunks) and pins it.
   * @throws {IpfsUnavailableError} when the backend cannot be reached; retry the same call.
   * @throws {CidMismatchError} when the backend built a different DAG than Synod computed.
   */
  addBytes(bytes: Uint8Array, options?: ContentStoreCallOptions): Promise<AddResult>;
  /**
   * Adds a JSON value as a UnixFS file of its canonical JSON (sorted keys, no spaces)
   * and pins it. Equal values give equal CIDs.
   * @throws {InvalidJsonContentError} when the value is not plain JSON.
   */
  addJson(value: unknown, options?: ContentStoreCallOptions): Promise<AddResult>;
  /**
   * Reads a file's bytes, verifying every block.
   * @throws {BlockVerificationError} when a block does not match its CID.
   * @throws {ContentNotFoundError} when the content is not available.
   */
  get(cid: CidLike, options?: ContentStoreGetOptions): Promise<Uint8Array>;
  /** Reads a file and parses it as JSON (verified like {@link ContentStore.get}). */
  getJson(cid: CidLike, options?: ContentStoreGetOptions): Promise<unknown>;
  /** Reads one block, verified: what a trustless gateway serves as `application/vnd.ipld.raw`. */
  getBlock(cid: CidLike, options?: ContentStoreCallOptions): Promise<Uint8Array>;
  /** Every block of the DAG under `cid`, depth-first, each verified (what a CAR holds). */
  blocks(cid: CidLike, options?: ContentStoreCallOptions): AsyncIterable<VerifiedBlock>;
  /** Pins content (recursively). Content added through this store is already pinned. */
  pin(cid: CidLike, options?: ContentStoreCallOptions): Promise<void>;
  /** Whether this node holds the root block locally (never searches the network). */
  has(cid: CidLike, options?: ContentStoreCallOptions): Promise<boolean>;
  /** Size, codec and pin state of a file, from its verified root block. */
  stat(cid: CidLike, options?: ContentStoreCallOptions): Promise<ContentStat>;
  /** Releases the backend (closes the Helia repo; Kubo has nothing to close). */
  close(): Promise<void>;
}

/**
 * What a backend provides. Implementations only move blocks: verification and CID
 * checks live in {@link createContentStoreFromBackend} so no backend can skip them.
 */
export type ContentBackend = {
  name: ContentBackendName;
  /** Stores bytes as a Kubo-compatible UnixFS file, pins it, returns the root CID it got. */
  addFile(bytes: Uint8Array, options: ContentStoreCallOptions): Promise<CID>;
  /** Returns a block's bytes as stored, unverified. */
  fetchBlock: BlockFetcher;
  /** Whether the block is held locally. */
  hasBlock(cid: CID, options: ContentStoreCallOptions): Promise<boolean>;
  /** Pins recursively. */
  pin(cid: CID, options: ContentStoreCallOptions): Promise<void>;
  /** Whether the CID is pinned recursively. */
  isPinned(cid: CID, options: ContentStoreCallOptions): Promise<boolean>;
  close(): Promise<void>;
};

/**
 * Wraps a backend into a {@link ContentStore} that checks CIDs on add and verifies reads.
 *
 * @param backend - a Helia or Kubo backend (see `heliaContentStore`, `kuboContentStore`).
 * @returns the content store.
 */
export function createContentStoreFromBackend(backend: ContentBackend): ContentStore {
  const readOptions = (options: ContentStoreGetOptions = {}) => ({ backend: backend.name, ...options });

  const addBytes = async (bytes: Uint8Array, options: ContentStoreCallOptions = {}): Promise<AddResult> => {
    // Computed independently of the backend: a node with other import settings (Kubo's
    // Import.* config) would otherwise publish under a CID nobody can reproduce.
    const expected = await computeFileCid(bytes);
    const actual = await backend.addFile(bytes, options);
    // Compared as strings: CID.equals is a type guard and would narrow `actual` to never.
    if (actual.toString() !== expected.toString()) {
      throw new CidMismatchError({ backend: backend.name, expected: expected.toString(), actual: actual.toString() });
    }
    return { cid: expected.toString(), size: bytes.length };
  };

  // Every method is async (or an async generator) so that a bad CID string is a
  // rejected promise like every other failure, never a synchronous throw.
  const get = async (cid: CidLike, options: ContentStoreGetOptions = {}) =>
    readVerifiedFile(backend.fetchBlock, toCid(cid), readOptions(options));

  return {
    backend: backend.name,
    addBytes,
    addJson: async (value, options) => addBytes(new TextEncoder().encode(canonicalJson(value)), options),
    get,
    async getJson(cid, options) {
      const bytes = await get(cid, options);
      try {
        return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
      } catch (cause) {
        throw new ContentNotJsonError({ cid: toCid(cid).toString(), cause });
      }
    },
    getBlock: async (cid, options) => getVerifiedBlock(backend.fetchBlock, toCid(cid), readOptions(options)),
    async *blocks(cid, options) {
      yield* walkVerifiedDag(backend.fetchBlock, toCid(cid), readOptions(options));
    },
    pin: async (cid, options = {}) => backend.pin(toCid(cid), options),
    has: async (cid, options = {}) => backend.hasBlock(toCid(cid), options),
    async stat(cid, options = {}) {
      const parsed = toCid(cid);
      const file = await statVerifiedFile(backend.fetchBlock, parsed, readOptions(options));
      return {
        cid: parsed.toString(),
        codec: file.codec,
        size: file.size,
        pinned: await backend.isPinned(parsed, options),
      };
    },
    close: () => backend.close(),
  };
}
