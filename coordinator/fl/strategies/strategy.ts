import { InsufficientUpdatesError, ParameterShapeError } from "../../errors/fl.ts";

/** The wire names of the built-in strategies. */
export type StrategyName =
  | "fedavg"
  | "fedavgm"
  | "fedprox"
  | "fedadam"
  | "fedmedian"
  | "fedtrimmedavg"
  | "krum"
  | "multikrum"
  | "bulyan"
  | "centered-clipping"
  | "norm-clipping";

/** One client's accepted (already validated) update. */
export type ClientResult = {
  nodeId: string;
  /** The client's new model parameters (not a delta), as in Flower. */
  params: Float32Array;
  numExamples: number;
};

/** Input of {@link Strategy.aggregate}. */
export type AggregateInput = {
  /** 1-based server round. */
  round: number;
  /** The global parameters the clients started from. */
  global: Float32Array;
  results: readonly ClientResult[];
};

/** Output of {@link Strategy.aggregate}. */
export type AggregateOutput = {
  /** New global parameters. */
  params: Float32Array;
  /**
   * Nodes this rule judged outlying (e.g. the f worst Krum scores, the clients
   * Multi-Krum or Bulyan left out). Reputation lowers their trust.
   */
  flagged: string[];
  /** Rule-specific facts for the round record (selected node, clip counts, …). */
  info: Record<string, number | string>;
};

/** Extra instructions a strategy gives clients for local training. */
export type FitConfig = {
  /** FedProx proximal weight μ; absent = 0. */
  proximalMu?: number;
};

/**
 * An aggregation rule (Flower's `Strategy`). Implementations extend {@link BaseStrategy},
 * whose `aggregate` template checks shapes and the rule's minimum before `combine`.
 */
export interface Strategy {
  readonly name: StrategyName | `dp(${StrategyName})`;
  /** Fewest updates this rule accepts; the round runner refuses configs below it. */
  minResults(): number;
  /** Client-side instructions for this round. */
  fitConfig(round: number): FitConfig;
  /** Combines validated updates into new global parameters. */
  aggregate(input: AggregateInput): AggregateOutput;
  /** Effective configuration, logged when a run starts. */
  summary(): Record<string, number | string | boolean>;
}

/**
 * Template for strategies: checks every update has the global model's shape and that
 * there are at least {@link minResults} of them, then calls `combine`.
 */
export abstract class BaseStrategy implements Strategy {
  abstract readonly name: StrategyName;
  abstract summary(): Record<string, number | string | boolean>;
  protected abstract combine(input: AggregateInput): AggregateOutput;

  /** Default: any non-empty set. */
  minResults(): number {
    return 1;
  }

  /** Human-readable precondition behind {@link minResults}, used in errors. */
  protected minRule(): string {
    return "n ≥ 1";
  }

  fitConfig(_round: number): FitConfig {
    return {};
  }

  aggregate(input: AggregateInput): AggregateOutput {
    const required = this.minResults();
    if (input.results.length < required) {
      throw new InsufficientUpdatesError({ strategy: this.name, required, actual: input.results.length, rule: this.minRule() });
    }
    for (const r of input.results) {
      if (r.params.length !== input.global.length) {
        throw new ParameterShapeError({ expected: input.global.length, actual: r.params.length, what: `update of ${r.nodeId}` });
      }
    }
    return this.combine(input);
  }
}
