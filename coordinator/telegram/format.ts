/**
 * Small formatters for bot replies (Telegram HTML parse mode: only `<`, `>` and `&`
 * need escaping in text).
 */

/** Escapes text for Telegram's HTML parse mode. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escapes text for an HTML attribute value in double quotes. */
export function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, "&quot;");
}

const BARS = "▁▂▃▄▅▆▇█";

/**
 * A one-line chart of `values` (the last `width` of them), scaled between their min and max.
 *
 * @example
 * sparkline([0.1, 0.5, 0.9]); // "▁▄█"
 */
export function sparkline(values: readonly number[], width = 24): string {
  const shown = values.filter((v) => Number.isFinite(v)).slice(-width);
  if (shown.length === 0) return "";
  const min = Math.min(...shown);
  const max = Math.max(...shown);
  if (max - min < 1e-12) return BARS[3]!.repeat(shown.length);
  return shown.map((v) => BARS[Math.min(BARS.length - 1, Math.floor(((v - min) / (max - min)) * BARS.length))]!).join("");
}

/** `0.8734` → `87.3%`; `null` → `—`. */
export function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "—" : `${(value * 100).toFixed(digits)}%`;
}

/** `60000` → `60`, `1500` → `1.5` (seconds, for "… s" / "… сек"). */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(1);
}

/** A long CID or id shortened for a line: `bafkrei…x4s52zy`. */
export function shorten(text: string, head = 10, tail = 6): string {
  return text.length <= head + tail + 1 ? text : `${text.slice(0, head)}…${text.slice(-tail)}`;
}

/** Decimal wei (18 decimals) as whole tokens with thousands separators: `225000000000000000000000` → `225,000`. */
export function tokens(wei: string): string {
  try {
    return (BigInt(wei) / 10n ** 18n).toLocaleString("en-US");
  } catch {
    return wei;
  }
}
