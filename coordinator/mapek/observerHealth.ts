/**
 * Local health awareness for the failure detector, after Lifeguard (HashiCorp
 * memberlist): before it blames a node for silence, the observer checks it could hear.
 *
 * A probe timer measures how late the coordinator's own event loop runs. Time the loop
 * was stalled (a probe late by more than {@link STALL_MIN_MS}) is time no heartbeat
 * could be read, whatever the nodes did, so it is discounted from every node's silence,
 * with up to one heartbeat period of grace after the stall for the beats that queued
 * meanwhile to be read. A loop that keeps running late (a starved machine) raises the
 * awareness score, which is added to the φ threshold: Lifeguard's idea of asking for more
 * evidence when the observer itself is slow (on φ's log scale each point asks for a
 * silence ten times less likely, not a multiplied timeout).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

/** A probe late by more than this is a stall, ms. Below it the loop is merely busy. */
export const STALL_MIN_MS = 50;
/** Highest awareness score (memberlist's `AwarenessMaxMultiplier` − 1). */
export const MAX_AWARENESS = 8;
/** Stalls remembered, ms: longer than any silence the detector judges. */
const MEMORY_MS = 120_000;

/** A span the observer could not hear, ms since epoch. */
export type Stall = { from: number; to: number };

/** What the observer reports of itself (`/api/mapek`, the dApp, the snapshot). */
export type ObserverReport = {
  /** Lifeguard's local health score: 0 healthy … {@link MAX_AWARENESS}; the suspicion threshold rises by it. */
  awareness: number;
  /** The longest stall in the last minute, ms. */
  longestStallMs: number;
  /** Time stalled in the last minute, ms. */
  stalledMsLastMinute: number;
  /** Stalls in the last minute. */
  stallsLastMinute: number;
  /** Event-loop delay since the last report: p99 and max, ms (`perf_hooks.monitorEventLoopDelay`). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
};

/** Options of {@link ObserverHealth}. */
export type ObserverHealthParameters = {
  /** The nodes' heartbeat period, ms: the grace after a stall. */
  heartbeatMs: number;
  /** How often the probe timer fires, ms; default 100. */
  probeMs?: number;
  /** The clock; default `Date.now`. */
  now?: () => number;
};

/**
 * @example
 * import { ObserverHealth } from "./observerHealth.ts";
 * const observer = new ObserverHealth({ heartbeatMs: 250 });
 * observer.start();
 * const silence = now - lastHeartbeatAt - observer.stalledMs(lastHeartbeatAt, now);
 * observer.stop();
 */
export class ObserverHealth {
  readonly heartbeatMs: number;
  readonly probeMs: number;
  #now: () => number;
  #stalls: Stall[] = [];
  #lateProbes: number[] = [];
  #lastProbeAt: number | null = null;
  #timer: NodeJS.Timeout | undefined;
  #delay: IntervalHistogram | undefined;

  constructor(parameters: ObserverHealthParameters) {
    this.heartbeatMs = parameters.heartbeatMs;
    this.probeMs = parameters.probeMs ?? 100;
    this.#now = parameters.now ?? Date.now;
  }

  /** Starts the probe timer (idempotent). */
  start(): void {
    if (this.#timer) return;
    this.#lastProbeAt = this.#now();
    this.#delay = monitorEventLoopDelay({ resolution: 10 });
    this.#delay.enable();
    this.#timer = setInterval(() => this.probe(), this.probeMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#delay?.disable();
    this.#delay = undefined;
    this.#lastProbeAt = null;
  }

  /** One probe: how late it runs against when it was due. The timer calls it; tests with a fake clock do. */
  probe(): void {
    const now = this.#now();
    const due = this.#lastProbeAt === null ? null : this.#lastProbeAt + this.probeMs;
    if (due !== null && now - due > STALL_MIN_MS) {
      this.#stalls.push({ from: due, to: now });
      this.#lateProbes.push(now);
      this.#forget(now);
    }
    this.#lastProbeAt = now;
  }

  /**
   * Time within [since, now] the observer could not hear, ms: every stall, plus up to one
   * heartbeat period after it (no longer than the stall) for the beats that queued meanwhile to be read, plus a stall
   * under way (the probe is overdue: the loop is running again but the timer has not
   * fired yet, as when the MAPE-K tick is the first timer after a block).
   */
  stalledMs(since: number, now: number = this.#now()): number {
    // The grace is the stall's own length at most: beats queued for d ms are read within about d,
    // so a loop that keeps running a little late cannot hide a silent node for good.
    const grace = (stall: Stall): number => Math.min(this.heartbeatMs, stall.to - stall.from);
    // Stalls are kept in order (one per late probe): only the newest can reach into
    // [since, now], so the scan stops at the first that ends before it (this runs per heartbeat).
    const spans: Stall[] = [];
    for (let i = this.#stalls.length - 1; i >= 0; i--) {
      const stall = this.#stalls[i] as Stall;
      if (stall.to + this.heartbeatMs < since) break;
      spans.unshift({ from: stall.from, to: stall.to + grace(stall) });
    }
    const due = this.#lastProbeAt === null ? null : this.#lastProbeAt + this.probeMs;
    if (due !== null && now - due > STALL_MIN_MS) spans.push({ from: due, to: now + this.heartbeatMs });
    let total = 0;
    let coveredTo = since;
    for (const span of spans) {
      const from = Math.max(span.from, coveredTo);
      const to = Math.min(span.to, now);
      if (to > from) {
        total += to - from;
        coveredTo = to;
      }
    }
    return total;
  }

  /** Lifeguard's score: late probes in the last 10 heartbeat periods (at least 5 s), at most {@link MAX_AWARENESS}. */
  awareness(now: number = this.#now()): number {
    const window = Math.max(5000, 10 * this.heartbeatMs);
    return Math.min(MAX_AWARENESS, this.#lateProbes.filter((at) => at > now - window).length);
  }

  /** What the observer knows of itself; resets the event-loop delay histogram. */
  report(now: number = this.#now()): ObserverReport {
    const minute = this.#stalls.filter((s) => s.to > now - 60_000);
    const delay = this.#delay;
    const out: ObserverReport = {
      awareness: this.awareness(now),
      longestStallMs: Math.round(Math.max(0, ...minute.map((s) => s.to - s.from))),
      stalledMsLastMinute: Math.round(minute.reduce((sum, s) => sum + s.to - s.from, 0)),
      stallsLastMinute: minute.length,
      loopDelayP99Ms: delay && delay.count > 0 ? Math.round(delay.percentile(99) / 1e5) / 10 : 0,
      loopDelayMaxMs: delay && delay.count > 0 ? Math.round(delay.max / 1e5) / 10 : 0,
    };
    delay?.reset();
    return out;
  }

  #forget(now: number): void {
    while (this.#stalls.length && (this.#stalls[0] as Stall).to < now - MEMORY_MS) this.#stalls.shift();
    while (this.#lateProbes.length && (this.#lateProbes[0] as number) < now - MEMORY_MS) this.#lateProbes.shift();
  }
}
