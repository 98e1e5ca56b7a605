/**
 * The Kubo content store: a Kubo node reached through its RPC API (`IPFS_API_URL`).
 * Kubo is trusted with nothing: the CID of every add is recomputed here, every block
 * read back is verified, and a node that is down gives {@link IpfsUnavailableError}
 * with the caller's data untouched, to retry.
 */
import { create, type KuboRPCClient } from "kubo-rpc-client";
import type { CID } from "multiformats/cid";
import { ContentNotFoundError, IpfsRequestError, IpfsUnavailableError } from "../errors/ipfs.ts";
import { createContentStoreFromBackend, type ContentBackend, type ContentStore } from "./contentStore.ts";
import { KUBO_ADD_OPTIONS } from "./importUnixfsFile.ts";

export type KuboContentStoreParameters = {
  /** The RPC API's URL, e.g. `http://127.0.0.1:5001` (the client adds `/api/v0`). */
  url: string;
  /** Per-request timeout in ms; a node that does not answer in time counts as unavailable. Default 30 000. */
  timeoutMs?: number;
};

/**
 * Creates a content store backed by a Kubo node. Nothing is contacted until the
 * first call, so a node that is down is reported by the call that needed it.
 *
 * @param parameters.url - the Kubo RPC URL (`IPFS_API_URL`).
 * @param parameters.timeoutMs - per-request timeout.
 * @returns the {@link ContentStore}.
 *
 * @example
 * import { kuboContentStore } from "./kuboContentStore.ts";
 * const store = kuboContentStore({ url: process.env.IPFS_API_URL ?? "http://127.0.0.1:5001" });
 * const { cid } = await store.addBytes(new TextEncoder().encode("hello world"));
 * // cid === "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
 */
export function kuboContentStore({ url, timeoutMs = 30_000 }: KuboContentStoreParameters): ContentStore {
  // fetch() refuses URLs with credentials, so `https://user:pass@host` (hosted RPC
  // endpoints) becomes a plain URL plus a Basic Authorization header.
  const parsed = new URL(url);
  const headers: Record<string, string> = {};
  if (parsed.username || parsed.password) {
    const userInfo = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    headers.authorization = `Basic ${btoa(userInfo)}`;
    parsed.username = "";
    parsed.password = "";
  }
  const client: KuboRPCClient = create({ url: parsed.toString(), headers });

  // kubo-rpc-client 7.1.0 ignores a numeric `timeout` (its check is `isNaN(timeout) && …`),
  // so each call gets its own timeout signal, combined with the caller's.
  const call = async <T>(operation: string, cid: CID | undefined, signal: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await run(combined);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw toStoreError({ error, operation, url, cid, timedOut: timeout.aborted });
    }
  };

  const backend: ContentBackend = {
    name: "kubo",
    addFile: (bytes, { signal }) =>
      call("add", undefined, signal, async (s) => (await client.add(bytes, { ...KUBO_ADD_OPTIONS, pin: true, signal: s })).cid),
    fetchBlock: (cid, options = {}) => call("block/get", cid, options.signal, (s) => client.block.get(cid, { signal: s })),
    async hasBlock(cid, { signal }) {
      try {
        // offline=true (Kubo's global --offline): answer from the local repo instead of
        // searching the network. Passed as an extra option because the client turns every
        // option into a query parameter (its `searchParams` option is dropped when spread).
        await call("block/stat", cid, signal, (s) => client.block.stat(cid, { signal: s, ...OFFLINE }));
        return true;
      } catch (error) {
        if (error instanceof ContentNotFoundError) return false;
        throw error;
      }
    },
    async pin(cid, { signal }) {
      await call("pin/add", cid, signal, async (s) => {
        for await (const _ of client.pin.addAll([{ cid, recursive: true }], { signal: s })) {
          // drained: Kubo answers once the whole DAG is pinned.
        }
      });
    },
    async isPinned(cid, { signal }) {
      try {
        return await call("pin/ls", cid, signal, async (s) => {
          for await (const pin of client.pin.ls({ paths: [cid], type: "recursive", signal: s })) {
            if (pin.cid.equals(cid)) return true;
          }
          return false;
        });
      } catch (error) {
        if (error instanceof IpfsRequestError && /not pinned/i.test(error.details)) return false;
        throw error;
      }
    },
    close: async () => {},
  };
  return createContentStoreFromBackend(backend);
}

const OFFLINE: { offline: boolean } = { offline: true };

type HttpErrorLike = Error & { response?: { status?: number } };

/** Sorts a client error into the store's named errors (why: callers retry only on unavailable). */
function toStoreError({ error, operation, url, cid, timedOut }: {
  error: unknown;
  operation: string;
  url: string;
  cid: CID | undefined;
  timedOut: boolean;
}): Error {
  const httpError = error as HttpErrorLike;
  const status = httpError?.response?.status;
  if (error instanceof Error && error.name === "HTTPError" && status !== undefined) {
    // Kubo reports a missing block as HTTP 500 with a message, not as 404.
    if (cid && /not found|could not find|no link named/i.test(error.message)) {
      return new ContentNotFoundError({ cid: cid.toString(), backend: "kubo", cause: error });
    }
    if (status >= 502 && status <= 504) return new IpfsUnavailableError({ backend: "kubo", operation, url, cause: error });
    return new IpfsRequestError({ backend: "kubo", operation, status, url, cause: error });
  }
  if (timedOut || (error instanceof Error && error.name === "TimeoutError")) {
    return new IpfsUnavailableError({ backend: "kubo", operation, url, cause: error });
  }
  // Connection refused, reset, DNS failure: fetch throws a TypeError with the socket error as cause.
  const code = findErrorCode(error);
  return new IpfsUnavailableError({
    backend: "kubo",
    operation,
    url,
    cause: error,
    ...(typeof code === "string" ? { reason: code } : {}),
  });
}

/** The first socket error code (`ECONNREFUSED`, `ECONNRESET`, …) in a fetch error's cause chain. */
function findErrorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== "object" || error === null) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
  for (const inner of [cause, ...(Array.isArray(errors) ? errors : [])]) {
    const found = findErrorCode(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}
