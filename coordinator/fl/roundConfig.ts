import { z } from "zod";

/**
 * Round-lifecycle settings (Flower's `fraction_fit`, `min_fit_clients`,
 * `min_available_clients`, plus a deadline and a completion floor). Validated once;
 * MeshPolicy values voted on chain arrive through the same schema.
 */
export const RoundConfigSchema = z.object({
  /** Fraction of eligible clients sampled each round. */
  fractionFit: z.number().gt(0).max(1).default(1),
  /** Minimum clients sampled per round (original default: 3). */
  minFitClients: z.number().int().min(1).default(3),
  /** Minimum eligible (registered, not banned) clients to start a round. */
  minAvailableClients: z.number().int().min(1).default(3),
  /**
   * Share of sampled clients that must return a valid update in time, in (0, 1]. Below
   * it the round fails (with its reason) instead of aggregating a thin sample.
   */
  completionFloor: z.number().gt(0).max(1).default(0.5),
  /** Deadline for updates, from the moment the round is sent (original: 60 s). */
  roundTimeoutMs: z.number().int().positive().default(60_000),
  localEpochs: z.number().int().min(1).default(1),
  learningRate: z.number().positive().default(0.1),
  batchSize: z.number().int().min(1).default(32),
  /** Sample with probability proportional to trust instead of uniformly. */
  trustWeightedSampling: z.boolean().default(true),
  /**
   * Largest example count an update may claim. FedAvg weights by this number, so an
   * implausible claim is rejected (`bad-example-count`) rather than trusted.
   */
  maxExamplesPerUpdate: z.number().int().positive().default(1_000_000),
  /** Seeds sampling. */
  seed: z.number().int().default(0),
});

/** Validated round config. */
export type RoundConfig = z.infer<typeof RoundConfigSchema>;
/** Round config as given (defaults not yet applied). */
export type RoundConfigInput = z.input<typeof RoundConfigSchema>;
