/**
 * The readiness checks of the coordinator's own dependencies: the chain's JSON-RPC
 * and the content store. Other parts write theirs as {@link HealthCheck} objects too.
 */
import { createPublicClient, http } from "viem";
import { redactUrl } from "../errors/base.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import type { HealthCheck, HealthCheckOutcome } from "./health.ts";

/**
 * The CID of the empty raw block (sha2-256). Asking whether the store holds it is a
 * real round trip to the backend (Kubo's `block/stat`, Helia's blockstore) that
 * succeeds whether or not the block is there, and fails only when the backend is down.
 */
export const PROBE_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

/**
 * Checks that the chain answers: chain id and latest block number over JSON-RPC.
 *
 * @param parameters.rpcUrl - the chain's JSON-RPC URL (`RPC_URL` or the embedded chain's).
 * @param parameters.expectedChainId - when given, a different chain id counts as down.
 * @returns the check, named `chain`.
 */
export function chainHealthCheck({ rpcUrl, expectedChainId }: { rpcUrl: string; expectedChainId?: number }): HealthCheck {
  // No retries: the probe reports the chain as it is now; the health route bounds the time.
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 5_000 }) });
  const url = redactUrl(rpcUrl);
  return {
    name: "chain",
    async check(): Promise<HealthCheckOutcome> {
      try {
        const [chainId, blockNumber] = await Promise.all([client.getChainId(), client.getBlockNumber({ cacheTime: 0 })]);
        if (expectedChainId !== undefined && chainId !== expectedChainId) {
          return { ok: false, details: { url, chainId }, error: `chain id ${chainId}, expected ${expectedChainId}` };
        }
        return { ok: true, details: { url, chainId, blockNumber: blockNumber.toString() } };
      } catch (error) {
        const reason =
          typeof error === "object" && error !== null && "shortMessage" in error && typeof error.shortMessage === "string"
            ? error.shortMessage
            : "no answer";
        return { ok: false, details: { url }, error: `the chain's JSON-RPC did not answer: ${reason}` };
      }
    },
  };
}

/**
 * Checks that the content store's backend answers.
 *
 * @param store - the content store.
 * @returns the check, named `ipfs`.
 */
export function contentStoreHealthCheck(store: Pick<ContentStore, "backend" | "has">): HealthCheck {
  return {
    name: "ipfs",
    async check(signal) {
      await store.has(PROBE_CID, { signal });
      return { ok: true, details: { backend: store.backend } };
    },
  };
}
