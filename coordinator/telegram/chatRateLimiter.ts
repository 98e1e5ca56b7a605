/**
 * Per-chat rate limiting for the bot: a token bucket per chat (`max` commands, refilled
 * evenly over `windowMs`), so one noisy chat cannot make the bot hammer the
 * coordinator or exceed Telegram's own limits for everyone. A chat over its limit is
 * told once per burst, then ignored until it has tokens again.
 */

export type ChatRateLimiterParameters = {
  /** Commands a chat may send in a burst (bucket size). */
  max: number;
  /** The bucket refills completely over this many ms. */
  windowMs: number;
  /** The clock, for tests. Default `Date.now`. */
  now?: () => number;
};

export type TakeReturnType = { ok: true } | { ok: false; retryAfterMs: number; /** Whether this is the first refusal since the chat was last allowed (answer it; drop later ones). */ notify: boolean };

export type ChatRateLimiter = { take(chatId: number | string): TakeReturnType };

/**
 * @example
 * import { createChatRateLimiter } from "./chatRateLimiter.ts";
 * const limiter = createChatRateLimiter({ max: 20, windowMs: 60_000 });
 * if (!limiter.take(ctx.chat.id).ok) return;
 */
export function createChatRateLimiter({ max, windowMs, now = Date.now }: ChatRateLimiterParameters): ChatRateLimiter {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}.`);
  if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}.`);
  const perMs = max / windowMs;
  const buckets = new Map<string, { tokens: number; at: number; refused: boolean }>();
  return {
    take(chatId) {
      const key = String(chatId);
      const t = now();
      // Full buckets carry no information: forget them, so the map holds only active chats.
      if (buckets.size > 10_000) for (const [k, b] of buckets) if (b.tokens + (t - b.at) * perMs >= max) buckets.delete(k);
      const bucket = buckets.get(key) ?? { tokens: max, at: t, refused: false };
      bucket.tokens = Math.min(max, bucket.tokens + (t - bucket.at) * perMs);
      bucket.at = t;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        bucket.refused = false;
        return { ok: true };
      }
      const notify = !bucket.refused;
      bucket.refused = true;
      return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / perMs), notify };
    },
  };
}
