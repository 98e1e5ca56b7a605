/**
 * The φ accrual failure detector (Hayashibara et al., 2004), as Akka and Cassandra run
 * it: each node is judged against its own heartbeat inter-arrival distribution, not a
 * fixed timeout. φ is how surprised we should be by the silence so far, on a log10
 * scale: φ = 1 means a 10 % chance the next heartbeat is still coming, φ = 8 one in
 * 10^8. A node whose beats are regular is suspected soon after it stops; one whose beats
 * jitter (a busy host, a slow link) gets the slack its own history shows it needs.
 */

/** Tunables of {@link PhiAccrualDetector}, in ms. */
export type PhiAccrualOptions = {
  /** The period the node was told to beat at: the first estimate before there is history. */
  expectedIntervalMs: number;
  /** Floor of the standard deviation, > 0, so a very regular node is not suspected at the first late beat (Akka: `min-std-deviation`). */
  minStdDeviationMs: number;
  /** Pause added to the mean that is never suspicious (Akka: `acceptable-heartbeat-pause`). */
  acceptablePauseMs: number;
  /** Inter-arrival samples kept (Akka: `max-sample-size`). */
  maxSamples: number;
};

/** φ accrual options for nodes told to beat every `heartbeatMs`. */
export function phiAccrualOptionsFor(heartbeatMs: number): PhiAccrualOptions {
  // One beat of pause and a fifth of a period of spread are free: a host that trains its
  // nodes holds its event loop for a while by design, and batches land together.
  return { expectedIntervalMs: heartbeatMs, minStdDeviationMs: Math.max(10, heartbeatMs / 5), acceptablePauseMs: heartbeatMs, maxSamples: 200 };
}

/**
 * φ for a silence of `elapsedMs` given the mean and standard deviation of the
 * intervals: −log10 of the probability that a beat comes later than that, with the
 * logistic approximation of the normal CDF Akka uses (error under 0.02 %).
 */
export function phiOf(elapsedMs: number, meanMs: number, stdDeviationMs: number): number {
  const y = (elapsedMs - meanMs) / stdDeviationMs;
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
  // Past the mean, P(later) = e / (1 + e); before it, 1 − 1 / (1 + e). Both are written so they do not round to 0.
  const pLater = elapsedMs > meanMs ? e / (1 + e) : 1 - 1 / (1 + e);
  return pLater <= 0 ? Number.POSITIVE_INFINITY : -Math.log10(pLater);
}

/**
 * One node's inter-arrival history.
 *
 * @example
 * import { PhiAccrualDetector, phiAccrualOptionsFor } from "./phiAccrual.ts";
 * const detector = new PhiAccrualDetector(phiAccrualOptionsFor(250));
 * detector.heartbeat(1000);
 * detector.heartbeat(1250);
 * detector.phi(2400) > 8; // suspected: over a second of silence from a node that beats every 250 ms
 */
export class PhiAccrualDetector {
  readonly #options: PhiAccrualOptions;
  readonly #intervals: number[] = [];
  #sum = 0;
  #squares = 0;
  #last: number | null = null;

  constructor(options: PhiAccrualOptions) {
    this.#options = options;
    // Seeded as Akka seeds it: the expected interval with a quarter of it as spread, so a node is judged from its first beat on.
    const mean = options.expectedIntervalMs;
    const spread = mean / 4;
    this.#add(mean - spread);
    this.#add(mean + spread);
  }

  /** Arrival time of the last heartbeat, or `null` before the first. */
  get lastHeartbeatAt(): number | null {
    return this.#last;
  }

  /** Mean inter-arrival time of the history, ms. */
  get meanIntervalMs(): number {
    return this.#sum / this.#intervals.length;
  }

  /** Standard deviation of the history (floored), ms. */
  get stdDeviationMs(): number {
    const mean = this.meanIntervalMs;
    const variance = Math.max(0, this.#squares / this.#intervals.length - mean * mean);
    return Math.max(Math.sqrt(variance), this.#options.minStdDeviationMs);
  }

  /**
   * Records a heartbeat that arrived at `at`.
   *
   * @param at - arrival time, ms.
   * @param observerStalled - whether the observer was stalled during the interval: then
   *   the interval says how long the observer was deaf, not how the node beats, and it is
   *   not kept as a sample.
   */
  heartbeat(at: number, observerStalled = false): void {
    if (this.#last !== null && at > this.#last && !observerStalled) this.#add(at - this.#last);
    this.#last = Math.max(at, this.#last ?? at);
  }

  /**
   * φ at `now`.
   *
   * @param now - current time, ms.
   * @param discountMs - part of the silence during which the observer could not hear.
   * @param since - where the silence starts when no heartbeat came yet (registration).
   */
  phi(now: number, discountMs = 0, since: number | null = null): number {
    const from = this.#last ?? since;
    if (from === null) return 0;
    const elapsed = Math.max(0, now - from - discountMs);
    return phiOf(elapsed, this.meanIntervalMs + this.#options.acceptablePauseMs, this.stdDeviationMs);
  }

  #add(interval: number): void {
    this.#intervals.push(interval);
    this.#sum += interval;
    this.#squares += interval * interval;
    if (this.#intervals.length > this.#options.maxSamples) {
      const dropped = this.#intervals.shift() as number;
      this.#sum -= dropped;
      this.#squares -= dropped * dropped;
    }
  }
}
