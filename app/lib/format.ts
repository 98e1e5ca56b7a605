/** Formatting helpers shared by the pages: plain functions, no React. */
import { formatUnits, type Address } from "viem";

/** `0x1234…abcd`. */
export function shortAddress(address: Address | string): string {
  return address.length <= 12 ? address : `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** A token amount (18 decimals) with thousands separators and at most `digits` decimals: `225,000 MESH`. */
export function formatVotes(wei: bigint, { digits = 2, symbol = "MESH" }: { digits?: number; symbol?: string } = {}): string {
  const [whole = "0", fraction = ""] = formatUnits(wei, 18).split(".");
  const negative = whole.startsWith("-");
  const digitsOnly = negative ? whole.slice(1) : whole;
  const grouped = digitsOnly.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const kept = fraction.slice(0, digits).replace(/0+$/, "");
  return `${negative ? "-" : ""}${grouped}${kept ? `.${kept}` : ""}${symbol ? ` ${symbol}` : ""}`;
}

/** `part / whole` as a percentage with one decimal, `0 %` when `whole` is 0. */
export function formatPercent(part: bigint, whole: bigint): string {
  if (whole === 0n) return "0 %";
  const tenths = (part * 1000n) / whole;
  return `${tenths / 10n}.${tenths % 10n} %`;
}

/** Share of `whole` as a number in [0, 1] for progress bars. */
export function ratio(part: bigint, whole: bigint): number {
  if (whole <= 0n) return 0;
  const r = Number((part * 1_000_000n) / whole) / 1_000_000;
  return Math.min(1, Math.max(0, r));
}

/** A duration in seconds as `2d 3h`, `4m 05s`, `12s`. Negative durations are clamped to 0. */
export function formatDuration(seconds: number | bigint): string {
  let s = Math.max(0, Math.floor(Number(seconds)));
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3_600);
  s -= h * 3_600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

/** A duration in milliseconds: `850 ms`, `4.2 s`, then as {@link formatDuration} (`2m 05s`); `—` for `null`. */
export function formatMilliseconds(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(Math.floor(value / 100) / 10).toFixed(1)} s`;
  return formatDuration(value / 1000);
}

/** A relative time from `now` to `at` (both unix seconds): `in 4m 05s` or `2h 10m ago`. */
export function formatRelative(at: number | bigint, now: number | bigint): string {
  const delta = Number(at) - Number(now);
  return delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/** Unix seconds as an ISO-like UTC timestamp: `2026-11-27 03:05:10 UTC`. */
export function formatTimestamp(seconds: number | bigint): string {
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * A moment (ms since epoch) for tables of recent events: the time of day when it falls
 * on the same UTC day as `now` (`06:12:55 UTC`), the full timestamp otherwise.
 */
export function formatClock(ms: number, now: number): string {
  const full = formatTimestamp(Math.floor(ms / 1000));
  return new Date(ms).toISOString().slice(0, 10) === new Date(now).toISOString().slice(0, 10) ? full.slice(11) : full;
}

/** A long id (uint256) shortened for display: `#1234…5678`. */
export function shortId(id: bigint | string): string {
  const text = id.toString();
  return text.length <= 12 ? `#${text}` : `#${text.slice(0, 6)}…${text.slice(-4)}`;
}
