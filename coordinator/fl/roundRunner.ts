import type { Logger } from "../logger.ts";
import { BaseError } from "../errors/base.ts";
import { InvalidRoundConfigError } from "../errors/fl.ts";
import type { FitInstruction, FlClient, SignedUpdate } from "./client.ts";
import type { Dataset } from "./datasets/dataset.ts";
import type { PrivacySpent } from "./dp/gaussianDp.ts";
import type { EvaluateResult, Model } from "./model/model.ts";
import { createRng, type Rng } from "./random.ts";
import { Reputation } from "./reputation.ts";
import { RoundConfigSchema, type RoundConfig, type RoundConfigInput } from "./roundConfig.ts";
import { sampleClients } from "./sampling.ts";
import type { ClientResult, Strategy } from "./strategies/strategy.ts";
import { BYZANTINE_ANOMALY_SCORE, updateAnomalyScores } from "./updateAnomaly.ts";
import { ATTRIBUTABLE_REASONS, ReplayGuard, validateUpdate, type RejectionReason } from "./validation/validateUpdate.ts";

/** One rejected update. */
export type Rejection = { nodeId: string; reason: RejectionReason; detail: string };
/** A sampled client that produced nothing usable in time. */
export type ClientFailure = { nodeId: string; reason: "timeout" | "error"; detail: string };

/** Everything that happened in one round; failed rounds are recorded too, with a reason. */
export type RoundRecord = {
  round: number;
  status: "completed" | "failed";
  /** Why the round failed; `null` when it completed. */
  reason: string | null;
  /** Global model version after the round (unchanged when it failed). */
  modelVersion: number;
  startedAt: string;
  durationMs: number;
  sampled: string[];
  accepted: string[];
  rejected: Rejection[];
  /** Count per rejection reason. */
  rejectionCounts: Partial<Record<RejectionReason, number>>;
  failures: ClientFailure[];
  /** Updates the strategy left out of the aggregate (a robust rule always leaves some out, honest or not). */
  flagged: string[];
  /**
   * The flagged updates that are also outliers (anomaly score above
   * {@link BYZANTINE_ANOMALY_SCORE}): the Byzantine detections. Absent in records
   * written before it existed.
   */
  byzantine?: { nodeId: string; score: number }[];
  /** Client training metrics averaged by example count. */
  trainMetrics: { loss: number; accuracy: number; numExamples: number } | null;
  /** Centralised evaluation of the new global model on the held-out set. */
  evaluation: EvaluateResult | null;
  privacy: PrivacySpent | null;
  strategyInfo: Record<string, number | string>;
  timingsMs: { fit: number; validate: number; aggregate: number; evaluate: number };
};

/** Options of {@link RoundRunner}. */
export type RoundRunnerParameters = {
  model: Model;
  strategy: Strategy;
  /** Held-out data evaluated after every completed round. */
  evaluation: { dataset: Dataset; rows?: ArrayLike<number> };
  config?: RoundConfigInput;
  /** Starting parameters; default `model.init(config.seed)`. */
  initialParams?: Float32Array;
  reputation?: Reputation;
  logger?: Logger;
};

type Arrival = { nodeId: string; update?: SignedUpdate; error?: unknown; at: number };

/**
 * Runs FL rounds over abstract {@link FlClient}s: sample → send the global model →
 * collect signed updates until the deadline → validate → aggregate with the strategy
 * → evaluate centrally → update reputation. Stragglers, crashes and invalid updates
 * are tolerated down to the completion floor; below it the round is recorded as
 * failed with its reason and the model is left unchanged.
 *
 * @example
 * import { RoundRunner } from "./roundRunner.ts";
 * import { createStrategy } from "./strategies/createStrategy.ts";
 * const runner = new RoundRunner({ model, strategy: createStrategy({ name: "fedavg" }), evaluation: { dataset: test } });
 * for (const node of nodes) runner.register(node);
 * const record = await runner.runRound();
 */
export class RoundRunner {
  readonly model: Model;
  readonly strategy: Strategy;
  readonly reputation: Reputation;
  #config: RoundConfig;
  #evaluation: { dataset: Dataset; rows?: ArrayLike<number> };
  #clients = new Map<string, FlClient>();
  #params: Float32Array;
  #modelVersion = 0;
  #round = 0;
  #history: RoundRecord[] = [];
  #replay = new ReplayGuard();
  #rng: Rng;
  #logger: Logger | undefined;

  constructor(parameters: RoundRunnerParameters) {
    this.model = parameters.model;
    this.strategy = parameters.strategy;
    this.reputation = parameters.reputation ?? new Reputation();
    this.#config = RoundRunner.#validate(parameters.config ?? {}, parameters.strategy);
    this.#evaluation = parameters.evaluation;
    this.#params = parameters.initialParams?.slice() ?? this.model.init(this.#config.seed);
    this.#rng = createRng(this.#config.seed);
    this.#logger = parameters.logger?.child({ component: "fl-round-runner" });
    this.#logger?.info({ config: this.#config, strategy: this.strategy.summary(), model: this.model.kind, numParams: this.model.numParams }, "FL round runner configured");
  }

  static #validate(input: RoundConfigInput, strategy: Strategy): RoundConfig {
    const parsed = RoundConfigSchema.safeParse(input);
    if (!parsed.success) throw new InvalidRoundConfigError({ issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) });
    const config = parsed.data;
    const issues: string[] = [];
    // The original ran Krum (needs 5 updates for f = 1) with 3 participants and
    // failed every round; refuse such a config up front instead.
    if (config.minFitClients < strategy.minResults()) {
      issues.push(`minFitClients: ${config.minFitClients} is below ${strategy.name}'s minimum of ${strategy.minResults()} updates`);
    }
    if (config.minAvailableClients < config.minFitClients) {
      issues.push(`minAvailableClients: ${config.minAvailableClients} is below minFitClients ${config.minFitClients}`);
    }
    if (issues.length) throw new InvalidRoundConfigError({ issues });
    return config;
  }

  /** The validated config in force. */
  get config(): RoundConfig {
    return { ...this.#config };
  }

  /** Replaces config fields (e.g. from a MeshPolicy change); validated like the constructor's. */
  updateConfig(patch: RoundConfigInput): void {
    this.#config = RoundRunner.#validate({ ...this.#config, ...patch }, this.strategy);
  }

  /** Current global parameters (a copy). */
  get params(): Float32Array {
    return this.#params.slice();
  }

  get modelVersion(): number {
    return this.#modelVersion;
  }

  /** Every round so far, failed ones included. */
  get history(): readonly RoundRecord[] {
    return this.#history;
  }

  /** Adds (or replaces) a client. */
  register(client: FlClient): void {
    this.#clients.set(client.nodeId, client);
  }

  /** Removes a client. */
  unregister(nodeId: string): void {
    this.#clients.delete(nodeId);
  }

  /** Registered client ids. */
  clientIds(): string[] {
    return [...this.#clients.keys()];
  }

  /** Runs `rounds` rounds in sequence, calling `onRound` after each. */
  async run(rounds: number, onRound?: (record: RoundRecord) => void): Promise<RoundRecord[]> {
    const out: RoundRecord[] = [];
    for (let r = 0; r < rounds; r++) {
      const record = await this.runRound();
      out.push(record);
      onRound?.(record);
    }
    return out;
  }

  /** Runs one round and returns its record (also appended to {@link history}). */
  async runRound(): Promise<RoundRecord> {
    const round = ++this.#round;
    const startedAt = new Date();
    const t0 = performance.now();
    const config = this.#config;
    const record: RoundRecord = {
      round,
      status: "failed",
      reason: null,
      modelVersion: this.#modelVersion,
      startedAt: startedAt.toISOString(),
      durationMs: 0,
      sampled: [],
      accepted: [],
      rejected: [],
      rejectionCounts: {},
      failures: [],
      flagged: [],
      byzantine: [],
      trainMetrics: null,
      evaluation: null,
      privacy: null,
      strategyInfo: {},
      timingsMs: { fit: 0, validate: 0, aggregate: 0, evaluate: 0 },
    };
    const finish = (reason: string | null): RoundRecord => {
      record.status = reason === null ? "completed" : "failed";
      record.reason = reason;
      record.modelVersion = this.#modelVersion;
      record.durationMs = performance.now() - t0;
      this.#history.push(record);
      const summary = { round, status: record.status, reason, accepted: record.accepted.length, sampled: record.sampled.length, rejected: record.rejectionCounts, accuracy: record.evaluation?.accuracy, durationMs: Math.round(record.durationMs) };
      if (reason) this.#logger?.warn(summary, "FL round failed");
      else this.#logger?.info(summary, "FL round completed");
      return record;
    };

    const eligible = [...this.#clients.keys()].filter((id) => !this.reputation.isBanned(id));
    const sample = sampleClients({
      available: eligible,
      fraction: config.fractionFit,
      minFit: config.minFitClients,
      minAvailable: config.minAvailableClients,
      ...(config.trustWeightedSampling ? { trustWeights: (id: string) => this.reputation.trust(id) } : {}),
      rng: this.#rng,
    });
    if (!sample.ok) return finish(`insufficient-clients: ${sample.reason}`);
    record.sampled = sample.selected;

    // --- fit, under a deadline ---
    const instruction: FitInstruction = {
      round,
      modelVersion: this.#modelVersion,
      params: this.#params,
      config: { ...this.strategy.fitConfig(round), localEpochs: config.localEpochs, learningRate: config.learningRate, batchSize: config.batchSize },
    };
    const tFit = performance.now();
    const deadline = tFit + config.roundTimeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), config.roundTimeoutMs);
    const arrivals: Arrival[] = [];
    // The clients as sampled: one unregistered mid-round (a node host went down) is still
    // judged by the key it was sampled with, instead of vanishing from under the round.
    const sampledClients = new Map(record.sampled.map((nodeId) => [nodeId, this.#clients.get(nodeId) as FlClient]));
    const pending = record.sampled.map(async (nodeId) => {
      const client = sampledClients.get(nodeId) as FlClient;
      try {
        const update = await client.fit(instruction, controller.signal);
        arrivals.push({ nodeId, update, at: performance.now() });
      } catch (error) {
        arrivals.push({ nodeId, error, at: performance.now() });
      }
    });
    const closed = new Promise<void>((resolve) => controller.signal.addEventListener("abort", () => resolve(), { once: true }));
    await Promise.race([Promise.all(pending), closed]);
    clearTimeout(timer);
    // Abort in any case so stragglers stop waiting (their results are ignored).
    controller.abort();
    record.timingsMs.fit = performance.now() - tFit;

    // --- validate ---
    const tValidate = performance.now();
    const onTime = arrivals.filter((a) => a.at <= deadline);
    const arrived = new Set(onTime.map((a) => a.nodeId));
    for (const nodeId of record.sampled) {
      if (!arrived.has(nodeId)) record.failures.push({ nodeId, reason: "timeout", detail: `no update within ${config.roundTimeoutMs} ms` });
    }
    const results: ClientResult[] = [];
    const metrics: { loss: number; accuracy: number; n: number }[] = [];
    const attributable: string[] = [];
    for (const a of onTime) {
      if (!a.update) {
        record.failures.push({ nodeId: a.nodeId, reason: "error", detail: a.error instanceof BaseError ? a.error.shortMessage : String(a.error) });
        continue;
      }
      const client = sampledClients.get(a.nodeId) as FlClient;
      const verdict = validateUpdate(a.update, { round, modelVersion: this.#modelVersion, numParams: this.model.numParams, address: client.address, maxExamples: config.maxExamplesPerUpdate }, this.#replay);
      if (!verdict.ok) {
        record.rejected.push({ nodeId: a.nodeId, reason: verdict.reason, detail: verdict.detail });
        record.rejectionCounts[verdict.reason] = (record.rejectionCounts[verdict.reason] ?? 0) + 1;
        if (ATTRIBUTABLE_REASONS.has(verdict.reason)) attributable.push(a.nodeId);
        continue;
      }
      results.push({ nodeId: a.nodeId, params: a.update.params, numExamples: a.update.numExamples });
      metrics.push({ loss: a.update.metrics.loss, accuracy: a.update.metrics.accuracy, n: a.update.numExamples });
    }
    record.accepted = results.map((r) => r.nodeId);
    record.timingsMs.validate = performance.now() - tValidate;

    const floor = Math.max(this.strategy.minResults(), Math.ceil(config.completionFloor * record.sampled.length));
    if (results.length < floor) {
      this.reputation.update({ aggregated: [], flagged: [], rejected: attributable });
      return finish(`completion-floor: ${results.length} valid updates of ${record.sampled.length} sampled, need ${floor} (${record.failures.length} failed, ${record.rejected.length} rejected)`);
    }

    // --- aggregate ---
    const tAggregate = performance.now();
    let aggregated;
    try {
      aggregated = this.strategy.aggregate({ round, global: this.#params, results });
    } catch (error) {
      record.timingsMs.aggregate = performance.now() - tAggregate;
      return finish(`aggregation-error: ${error instanceof BaseError ? error.shortMessage : String(error)}`);
    }
    record.timingsMs.aggregate = performance.now() - tAggregate;
    if (aggregated.flagged.length > 0) {
      const scores = updateAnomalyScores(results, this.#params);
      record.byzantine = aggregated.flagged
        .map((nodeId) => ({ nodeId, score: scores.get(nodeId) ?? 0 }))
        .filter((f) => f.score > BYZANTINE_ANOMALY_SCORE);
    }
    this.#params = aggregated.params;
    this.#modelVersion += 1;
    record.flagged = aggregated.flagged;
    record.strategyInfo = aggregated.info;
    this.reputation.update({ aggregated: record.accepted, flagged: aggregated.flagged, rejected: attributable });
    const total = metrics.reduce((s, m) => s + m.n, 0);
    record.trainMetrics = {
      loss: metrics.reduce((s, m) => s + m.loss * m.n, 0) / total,
      accuracy: metrics.reduce((s, m) => s + m.accuracy * m.n, 0) / total,
      numExamples: total,
    };
    if ("privacySpent" in this.strategy && typeof this.strategy.privacySpent === "function") {
      record.privacy = (this.strategy.privacySpent as () => PrivacySpent)();
    }

    // --- evaluate centrally ---
    const tEvaluate = performance.now();
    record.evaluation = this.model.evaluate(this.#params, this.#evaluation.dataset, this.#evaluation.rows);
    record.timingsMs.evaluate = performance.now() - tEvaluate;
    return finish(null);
  }
}
