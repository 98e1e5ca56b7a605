/**
 * Telegram answers 429 with `retry_after` when a bot sends faster than it allows (about
 * 30 messages a second overall, 20 a minute per group). This grammY API transformer
 * waits as told and tries again, a few times, so a burst of notifications is delivered
 * late rather than lost. Long polling handles its own 429s, so `getUpdates` is left alone.
 */
import type { Transformer } from "grammy";

export type RetryFloodWaitParameters = {
  /** Retries per call; default 3. */
  maxRetries?: number;
  /** A longer wait than this is not waited for (the call fails), seconds; default 60. */
  maxWaitSeconds?: number;
};

/**
 * @example
 * import { retryFloodWait } from "./retryFloodWait.ts";
 * bot.api.config.use(retryFloodWait());
 */
export function retryFloodWait({ maxRetries = 3, maxWaitSeconds = 60 }: RetryFloodWaitParameters = {}): Transformer {
  return async (prev, method, payload, signal) => {
    let result = await prev(method, payload, signal);
    for (let attempt = 0; attempt < maxRetries && method !== "getUpdates"; attempt++) {
      if (result.ok || result.error_code !== 429) break;
      const wait = result.parameters?.retry_after ?? 1;
      if (wait > maxWaitSeconds || signal?.aborted) break;
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      result = await prev(method, payload, signal);
    }
    return result;
  };
}
