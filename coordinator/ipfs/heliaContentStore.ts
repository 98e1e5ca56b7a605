/**
 * The embedded content store: Helia with a filesystem blockstore and datastore under
 * the data directory, no libp2p, no routers, no block brokers. It never opens a
 * socket: content it does not hold is "not found", and the dApp and other nodes
 * fetch through the trustless gateway instead.
 */
import path from "node:path";
import { FsBlockstore } from "blockstore-fs";
import { FsDatastore } from "datastore-fs";
import { createHeliaLight, type Helia } from "helia";
import type { CID } from "multiformats/cid";
import { ContentNotFoundError } from "../errors/ipfs.ts";
import { concatBytes } from "./bytes.ts";
import { createContentStoreFromBackend, type ContentBackend, type ContentStore } from "./contentStore.ts";
import { importUnixfsFile } from "./importUnixfsFile.ts";

export type HeliaContentStoreParameters = {
  /** Synod's data directory (`SYNOD_DATA_DIR`, default `.synod`); the repo goes in `<dataDir>/ipfs/`. */
  dataDir: string;
};

export type HeliaContentStoreReturnType = ContentStore & {
  /** Where blocks are stored on disk (one file per block). */
  readonly blocksPath: string;
};

/**
 * Opens the embedded Helia content store.
 *
 * @param parameters.dataDir - the data directory; created if missing.
 * @returns a started {@link ContentStore}; call `close()` to release the repo.
 *
 * @example
 * import { heliaContentStore } from "./heliaContentStore.ts";
 * const store = await heliaContentStore({ dataDir: ".synod" });
 * const { cid } = await store.addJson({ hello: "world" });
 * console.log(await store.getJson(cid));
 * await store.close();
 */
export async function heliaContentStore({ dataDir }: HeliaContentStoreParameters): Promise<HeliaContentStoreReturnType> {
  const root = path.resolve(dataDir, "ipfs");
  const blocksPath = path.join(root, "blocks");
  const blockstore = new FsBlockstore(blocksPath);
  const datastore = new FsDatastore(path.join(root, "datastore"));
  // Helia starts its stores but does not open them: the fs stores create their folders in open().
  await blockstore.open();
  await datastore.open();
  // createHeliaLight: no libp2p, no HTTP gateways, no bitswap. Only raw and dag-pb
  // codecs and sha2-256/identity hashes, which is all Synod stores.
  const helia: Helia = createHeliaLight({ blockstore, datastore });
  try {
    await helia.start();
  } catch (error) {
    // e.g. a repo written by an incompatible Helia version: release the stores before failing.
    await datastore.close();
    await blockstore.close();
    throw error;
  }

  const backend: ContentBackend = {
    name: "helia",
    async addFile(bytes, { signal }) {
      const { cid } = await importUnixfsFile({ bytes, blockstore: helia.blockstore, ...(signal ? { signal } : {}) });
      await pinOnce(helia, cid, signal);
      return cid;
    },
    async fetchBlock(cid, options = {}) {
      if (!(await helia.blockstore.has(cid, options))) {
        throw new ContentNotFoundError({ cid: cid.toString(), backend: "helia" });
      }
      const chunks: Uint8Array[] = [];
      for await (const chunk of helia.blockstore.get(cid, { ...options, offline: true })) chunks.push(chunk);
      return concatBytes(chunks);
    },
    hasBlock: async (cid, options) => helia.blockstore.has(cid, options),
    pin: (cid, { signal }) => pinOnce(helia, cid, signal),
    isPinned: (cid, options) => helia.pins.isPinned(cid, options),
    async close() {
      await helia.stop();
      await datastore.close();
      await blockstore.close();
    },
  };
  return Object.assign(createContentStoreFromBackend(backend), { blocksPath });
}

/** Pins recursively; pinning what is already pinned is not an error (adds are idempotent). */
async function pinOnce(helia: Helia, cid: CID, signal: AbortSignal | undefined): Promise<void> {
  try {
    for await (const _ of helia.pins.add(cid, signal ? { signal } : {})) {
      // Draining walks the whole DAG: the pin only exists once every block is there.
    }
  } catch (error) {
    if (error instanceof Error && error.name === "AlreadyPinnedError") return;
    if (error instanceof Error && /not.*found|No block brokers/i.test(error.message)) {
      throw new ContentNotFoundError({ cid: cid.toString(), backend: "helia", cause: error });
    }
    throw error;
  }
}
