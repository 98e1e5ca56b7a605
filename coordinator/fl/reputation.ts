/** Tunables of {@link Reputation}. */
export type ReputationParameters = {
  /** Weight of history in the moving average, in (0, 1); default 0.9. */
  decay?: number;
  /** Trust below which a node is banned; default 0.3. */
  banBelow?: number;
  /** Trust a node starts with; default 1. */
  initialTrust?: number;
};

/** A node's standing. */
export type TrustRecord = { nodeId: string; trust: number; banned: boolean; flagged: number; rejected: number; clean: number };

/**
 * Trust per node, as an exponential moving average of per-round evidence.
 *
 * Robust rules flag some honest clients every round (Krum's f worst scores, the
 * n − m clients Multi-Krum leaves out). The original subtracted trust for every flag
 * and so banned honest nodes over time. Here a flag is judged against the round's
 * base rate r = flagged/participants: the evidence is `1 − flagged + r`, whose
 * expectation is exactly 1 for a client flagged at the base rate (honest drift is
 * zero) and r for a client flagged every round. A signed-but-invalid update (NaN,
 * wrong shape) is evidence 0. Trust is clamped to [0, 1]; below `banBelow` the node
 * is banned until {@link reinstate}.
 *
 * With the defaults a node flagged in every round falls from 1 to below 0.3 in
 * about 13 rounds when r = 0.2; an honest node flagged at random with r = 0.2 would
 * need about 20 consecutive flags (probability 0.2²⁰ ≈ 1e-14) to get there.
 */
export class Reputation {
  readonly decay: number;
  readonly banBelow: number;
  readonly initialTrust: number;
  #records = new Map<string, TrustRecord>();

  constructor(parameters: ReputationParameters = {}) {
    this.decay = parameters.decay ?? 0.9;
    this.banBelow = parameters.banBelow ?? 0.3;
    this.initialTrust = parameters.initialTrust ?? 1;
  }

  #get(nodeId: string): TrustRecord {
    let r = this.#records.get(nodeId);
    if (!r) this.#records.set(nodeId, (r = { nodeId, trust: this.initialTrust, banned: false, flagged: 0, rejected: 0, clean: 0 }));
    return r;
  }

  /** Current trust in [0, 1]. */
  trust(nodeId: string): number {
    return this.#get(nodeId).trust;
  }

  /** Whether the node is excluded from sampling. */
  isBanned(nodeId: string): boolean {
    return this.#get(nodeId).banned;
  }

  /** A copy of the node's record. */
  record(nodeId: string): TrustRecord {
    return { ...this.#get(nodeId) };
  }

  /** Lifts a ban and resets trust (an operator or governance decision). */
  reinstate(nodeId: string): void {
    Object.assign(this.#get(nodeId), { trust: this.initialTrust, banned: false });
  }

  /**
   * Folds one round's evidence in.
   *
   * @param round.aggregated - nodes whose updates reached the strategy.
   * @param round.flagged - subset the strategy flagged.
   * @param round.rejected - nodes whose signed update failed an attributable check.
   */
  update(round: { aggregated: readonly string[]; flagged: readonly string[]; rejected: readonly string[] }): void {
    const flagged = new Set(round.flagged);
    const base = round.aggregated.length ? round.flagged.length / round.aggregated.length : 0;
    const apply = (r: TrustRecord, evidence: number): void => {
      r.trust = Math.min(1, Math.max(0, this.decay * r.trust + (1 - this.decay) * evidence));
      if (r.trust < this.banBelow) r.banned = true;
    };
    for (const id of round.aggregated) {
      const r = this.#get(id);
      const isFlagged = flagged.has(id);
      if (isFlagged) r.flagged++;
      else r.clean++;
      apply(r, 1 - (isFlagged ? 1 : 0) + base);
    }
    for (const id of round.rejected) {
      const r = this.#get(id);
      r.rejected++;
      apply(r, 0);
    }
  }
}
