/**
 * Picks the content store from the environment: Kubo when `IPFS_API_URL` is set,
 * otherwise embedded Helia under `SYNOD_DATA_DIR` (default `.synod`).
 */
import type { ContentStore } from "./contentStore.ts";
import { heliaContentStore } from "./heliaContentStore.ts";
import { kuboContentStore } from "./kuboContentStore.ts";

export type CreateContentStoreParameters = {
  /** Kubo RPC URL (`IPFS_API_URL`); when set, Kubo is used. */
  ipfsApiUrl?: string | undefined;
  /** Data directory for the embedded node (`SYNOD_DATA_DIR`). Default `.synod`. */
  dataDir?: string | undefined;
  /** Kubo per-request timeout, ms. */
  timeoutMs?: number;
};

/**
 * Opens the content store the configuration asks for.
 *
 * @param parameters.ipfsApiUrl - `IPFS_API_URL`.
 * @param parameters.dataDir - `SYNOD_DATA_DIR`.
 * @returns a {@link ContentStore}; `close()` it on shutdown.
 *
 * @example
 * import { createContentStore } from "./createContentStore.ts";
 * const store = await createContentStore({ ipfsApiUrl: process.env.IPFS_API_URL, dataDir: process.env.SYNOD_DATA_DIR });
 */
export async function createContentStore(parameters: CreateContentStoreParameters = {}): Promise<ContentStore> {
  const url = parameters.ipfsApiUrl?.trim();
  if (url) return kuboContentStore({ url, ...(parameters.timeoutMs ? { timeoutMs: parameters.timeoutMs } : {}) });
  return heliaContentStore({ dataDir: parameters.dataDir?.trim() || ".synod" });
}
