import { formatClock, formatTimestamp } from "../../../lib/format.ts";

export type MomentProps = {
  /** The moment, ms since epoch. */
  ms: number;
  /** The browser's clock, ms: a moment of today shows only its time of day. */
  now: number;
};

/** A moment as `<time>`: short on screen, the full UTC timestamp on hover and for machines. */
export function Moment({ ms, now }: MomentProps) {
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatTimestamp(Math.floor(ms / 1000))}>
      {formatClock(ms, now)}
    </time>
  );
}
