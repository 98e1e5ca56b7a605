/**
 * Federated learning as the coordinator runs it: a mesh of nodes (in-process today,
 * node hosts later), rounds on demand and on a schedule, parameters from MeshPolicy,
 * each completed round's global model published to IPFS (weights + manifest) and
 * queued as a Model record for ratification, and every round kept in SQLite so a
 * restart resumes from the last global model and closes the round it interrupted.
 */
import type { EventBus } from "../events.ts";
import { BaseError } from "../errors/base.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import { publishModel, readModel } from "../knowledge/modelArtifact.ts";
import { submitKnowledgeRecord } from "../knowledge/submitKnowledgeRecord.ts";
import type { Logger } from "../logger.ts";
import { FL_STRATEGIES } from "../policy/parameters.ts";
import type { KnowledgeRepository } from "../store/knowledgeRepository.ts";
import type { Database } from "../store/openDatabase.ts";
import { createSimulatedMesh, type SimulatedMesh } from "../mesh/createSimulatedMesh.ts";
import type { FlClient } from "./client.ts";
import type { Dataset } from "./datasets/dataset.ts";
import type { RoundConfigInput } from "./roundConfig.ts";
import type { RoundRecord } from "./roundRunner.ts";
import { createStrategy } from "./strategies/createStrategy.ts";

/** A round is already running; one at a time. */
export class RoundInProgressError extends BaseError {
  readonly statusCode = 409;
  constructor({ round }: { round: number }) {
    super(`FL round ${round} is still running.`, { name: "RoundInProgressError", metaMessages: ["Wait for it to finish (`synod fl status`)."] });
  }
}

/** The MeshPolicy values FL reads (names as in coordinator/policy/parameters.ts). */
export type FlPolicy = Partial<Record<"fl.strategy" | "fl.byzantineF" | "fl.trimBetaBps" | "fl.minParticipants" | "fl.targetParticipants" | "fl.maxParticipants" | "fl.roundDeadlineMs" | "fl.completionFloorBps", bigint>>;

export type FlServiceParameters = {
  db: Database;
  outbox: KnowledgeRepository;
  content: ContentStore;
  events: EventBus;
  logger: Logger;
  dataset: Dataset;
  numNodes: number;
  seed?: number;
  /** Reads MeshPolicy; `undefined` when the chain is not available (defaults apply). */
  policy?: () => Promise<FlPolicy | undefined>;
  /** Use only this many examples (small meshes, tests). */
  maxExamples?: number;
  /** Round settings that MeshPolicy does not set (local epochs, learning rate, …). */
  roundConfig?: RoundConfigInput;
};

export type StartRoundReturnType = { round: number; participants: number; timeoutMs: number };

/** Policy strategy names (on-chain index order) → the FL engine's names. */
const ENGINE_STRATEGY: Record<(typeof FL_STRATEGIES)[number], string> = {
  fedavg: "fedavg",
  fedavgm: "fedavgm",
  fedprox: "fedprox",
  fedadam: "fedadam",
  fedmedian: "fedmedian",
  fedtrimmedavg: "fedtrimmedavg",
  krum: "krum",
  multikrum: "multikrum",
  bulyan: "bulyan",
  centeredclipping: "centered-clipping",
  normclipping: "norm-clipping",
};

/** The model record's rejection vocabulary for each validation reason. */
const REJECTION = {
  "hash-mismatch": "bad-signature",
  "bad-signature": "bad-signature",
  "wrong-round": "stale-model",
  "wrong-model-version": "stale-model",
  replay: "duplicate",
  "wrong-shape": "wrong-shape",
  "non-finite": "non-finite",
  "bad-example-count": "wrong-shape",
  late: "late",
} as const;

function strategySpec(policy: FlPolicy | undefined): Record<string, unknown> {
  const name = FL_STRATEGIES[Number(policy?.["fl.strategy"] ?? 7n)] ?? "multikrum";
  const f = Number(policy?.["fl.byzantineF"] ?? 1n);
  const engine = ENGINE_STRATEGY[name];
  switch (engine) {
    case "krum":
    case "multikrum":
    case "bulyan":
      return { name: engine, numMalicious: f };
    case "fedtrimmedavg":
      return { name: engine, beta: Number(policy?.["fl.trimBetaBps"] ?? 1000n) / 10_000 };
    case "fedprox":
      return { name: engine, proximalMu: 0.01 };
    case "centered-clipping":
      return { name: engine, tau: 10 };
    case "norm-clipping":
      return { name: engine, maxNorm: 10 };
    default:
      return { name: engine };
  }
}

export class FlService {
  readonly #p: FlServiceParameters;
  readonly #logger: Logger;
  #mesh!: SimulatedMesh;
  #strategyKey = "";
  /** Rounds run by earlier runners (a strategy change or a restart starts a new one). */
  #roundOffset = 0;
  #running: Promise<RoundRecord> | undefined;
  #currentRound = 0;
  #lastModel: { round: number; manifestCid: string; recordCid: string; accuracy: number; loss: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The last minimum override logged, so it is said once, not every round. */
  #minimumNote = "";
  /** Clients outside the simulated mesh (remote node hosts); they survive runner rebuilds. */
  #remote = new Map<string, FlClient>();
  #roundObservers = new Set<(record: RoundRecord) => void>();
  /** Each remote node's shard size as it registered; kept after it leaves, to credit rounds it finished. */
  #remoteExamples = new Map<string, number>();

  private constructor(parameters: FlServiceParameters) {
    this.#p = parameters;
    this.#logger = parameters.logger.child({ component: "fl" });
  }

  /** Builds the mesh, closing a round a crash interrupted and resuming from the last published model. */
  static async create(parameters: FlServiceParameters): Promise<FlService> {
    const service = new FlService(parameters);
    const { db } = parameters;
    const interrupted = db.prepare("UPDATE fl_rounds SET status = 'failed', reason = 'coordinator-restarted', finished_at = ? WHERE status = 'running'").run(Date.now());
    if (interrupted.changes) service.#logger.warn({ rounds: interrupted.changes }, "closed FL rounds interrupted by a restart as failed");
    const last = db.prepare("SELECT round, manifest_cid, model_record_cid, record FROM fl_rounds WHERE status = 'completed' AND manifest_cid IS NOT NULL ORDER BY round DESC LIMIT 1").get() as
      | { round: number; manifest_cid: string; model_record_cid: string; record: string }
      | undefined;
    const maxRound = (db.prepare("SELECT MAX(round) AS round FROM fl_rounds").get() as { round: number | null }).round ?? 0;
    let initialParams: Float32Array | undefined;
    if (last) {
      const { weights } = await readModel(parameters.content, last.manifest_cid);
      initialParams = weights;
      const record = JSON.parse(last.record) as RoundRecord;
      service.#lastModel = { round: last.round, manifestCid: last.manifest_cid, recordCid: last.model_record_cid, accuracy: record.evaluation?.accuracy ?? 0, loss: record.evaluation?.loss ?? 0 };
    }
    service.#roundOffset = maxRound;
    await service.#rebuild(await service.#readPolicy(), initialParams);
    return service;
  }

  async #readPolicy(): Promise<FlPolicy | undefined> {
    return this.#p.policy?.().catch((error: unknown) => {
      this.#logger.warn({ err: error }, "MeshPolicy unreadable; using the current FL settings");
      return undefined;
    });
  }

  /**
   * Round settings from MeshPolicy. A strategy's own minimum wins over a lower
   * `fl.minParticipants` (the original ran Krum, which needs 2f + 3 updates, with 3
   * participants and failed every round); the override is logged, not hidden.
   */
  #roundConfig(policy: FlPolicy | undefined, minResults: number): RoundConfigInput {
    // At least 1: a federation whose clients have not registered yet still needs a valid config.
    const n = Math.max(1, this.#p.numNodes + this.#remote.size);
    const asked = Number(policy?.["fl.minParticipants"] ?? 3n);
    // Never below the strategy's minimum: with fewer nodes than that, rounds fail with the reason recorded.
    const min = Math.max(minResults, Math.min(n, asked));
    const note = `${asked}<${minResults}`;
    if (min > asked && note !== this.#minimumNote) this.#logger.warn({ asked, required: minResults }, "fl.minParticipants is below the strategy's minimum; using the minimum");
    this.#minimumNote = min > asked ? note : "";
    const target = Math.min(n, Math.max(min, Number(policy?.["fl.targetParticipants"] ?? 10n)), Number(policy?.["fl.maxParticipants"] ?? 50n));
    return {
      ...this.#p.roundConfig,
      fractionFit: Math.min(1, Math.max(target, 1) / n),
      minFitClients: min,
      minAvailableClients: min,
      roundTimeoutMs: Number(policy?.["fl.roundDeadlineMs"] ?? 60_000n),
      completionFloor: Number(policy?.["fl.completionFloorBps"] ?? 5_000n) / 10_000,
    };
  }

  /** A new runner for a new strategy, continuing from `initialParams`. */
  async #rebuild(policy: FlPolicy | undefined, initialParams?: Float32Array): Promise<void> {
    const spec = strategySpec(policy);
    const strategy = createStrategy(spec);
    if (this.#mesh) this.#roundOffset += this.#mesh.runner.history.length;
    this.#mesh = createSimulatedMesh({
      dataset: this.#p.dataset,
      model: "logistic-regression",
      numNodes: this.#p.numNodes,
      partition: { kind: "dirichlet", alpha: 0.5 },
      strategy,
      config: this.#roundConfig(policy, strategy.minResults()),
      seed: this.#p.seed ?? 1,
      logger: this.#logger,
      ...(this.#p.maxExamples ? { maxExamples: this.#p.maxExamples } : {}),
      ...(initialParams ? { initialParams } : {}),
    });
    for (const client of this.#remote.values()) this.#mesh.runner.register(client);
    this.#strategyKey = JSON.stringify(spec);
    this.#logger.info({ strategy: spec, nodes: this.#p.numNodes, remote: this.#remote.size }, "FL mesh ready");
  }

  /** The nodes (for MAPE-K, chaos and the API). */
  get mesh(): SimulatedMesh {
    return this.#mesh;
  }

  /**
   * Adds a client that lives outside the simulated mesh (a node in a node-host process,
   * see `coordinator/mesh/remote/`): sampled and trained like the simulated nodes, and
   * kept when a strategy change rebuilds the runner.
   */
  /**
   * Calls `observer` after every round with the record as the runner made it (its round
   * number is the runner's, the one nodes signed; the service renumbers rounds across
   * runners). The mesh, and through it MAPE-K's monitor, watches rounds through it.
   * @returns a function that stops the calls.
   */
  observeRounds(observer: (record: RoundRecord) => void): () => void {
    this.#roundObservers.add(observer);
    return () => this.#roundObservers.delete(observer);
  }

  registerClient(client: FlClient): void {
    this.#remote.set(client.nodeId, client);
    if (client.numExamples !== undefined) this.#remoteExamples.set(client.nodeId, client.numExamples);
    this.#mesh.runner.register(client);
  }

  /** Removes a client added with {@link registerClient} (a node that was deregistered). */
  unregisterClient(nodeId: string): void {
    if (!this.#remote.delete(nodeId)) return;
    this.#mesh.runner.unregister(nodeId);
  }

  /**
   * Starts a round now; resolves once it is under way (not when it ends: listen for
   * `fl.round.finished`, or await {@link whenIdle}).
   * @throws {RoundInProgressError} when a round is running.
   */
  async startRound(): Promise<StartRoundReturnType> {
    if (this.#running) throw new RoundInProgressError({ round: this.#currentRound });
    const policy = await this.#readPolicy();
    if (JSON.stringify(strategySpec(policy)) !== this.#strategyKey) await this.#rebuild(policy, this.#mesh.runner.params);
    else this.#mesh.runner.updateConfig(this.#roundConfig(policy, this.#mesh.runner.strategy.minResults()));
    const config = this.#mesh.runner.config;
    const round = this.#roundOffset + this.#mesh.runner.history.length + 1;
    const eligible = this.#mesh.runner.clientIds().filter((id) => !this.#mesh.runner.reputation.isBanned(id)).length;
    const participants = Math.min(eligible, Math.max(config.minFitClients, Math.ceil(config.fractionFit * eligible)));
    this.#currentRound = round;
    this.#p.db.prepare("INSERT INTO fl_rounds (round, status, started_at) VALUES (?, 'running', ?)").run(round, Date.now());
    this.#running = this.#run(round).finally(() => {
      this.#running = undefined;
    });
    return { round, participants, timeoutMs: config.roundTimeoutMs };
  }

  /** Resolves when no round is running. */
  async whenIdle(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  async #run(round: number): Promise<RoundRecord> {
    const raw = await this.#mesh.runner.runRound();
    for (const observer of this.#roundObservers) {
      try {
        observer(raw);
      } catch (error) {
        this.#logger.error({ err: error, round }, "a round observer failed");
      }
    }
    const record = { ...raw, round };
    let manifestCid: string | null = null;
    let modelRecordCid: string | null = null;
    if (record.status === "completed" && record.evaluation) {
      try {
        ({ manifestCid, modelRecordCid } = await this.#publish(record));
      } catch (error) {
        // The round stands; its model is not published (IPFS down): said, not hidden.
        this.#logger.error({ err: error, round }, "could not publish the round's model");
      }
    }
    this.#p.db
      .prepare("UPDATE fl_rounds SET status = ?, reason = ?, record = ?, manifest_cid = ?, model_record_cid = ?, finished_at = ? WHERE round = ?")
      .run(record.status, record.reason, JSON.stringify(record), manifestCid, modelRecordCid, Date.now(), round);
    this.#p.events.publish("fl.round.finished", {
      round,
      status: record.status,
      participants: record.accepted.length,
      ...(modelRecordCid ? { modelCid: modelRecordCid } : {}),
      ...(record.evaluation ? { holdoutAccuracy: record.evaluation.accuracy } : {}),
      ...(record.reason ? { reason: record.reason } : {}),
    });
    return record;
  }

  async #publish(record: RoundRecord): Promise<{ manifestCid: string; modelRecordCid: string }> {
    const mesh = this.#mesh;
    const { numFeatures: d, numClasses: c } = mesh.model;
    const { manifestCid, weightsCid } = await publishModel(this.#p.content, {
      weights: mesh.runner.params,
      layers: [
        { name: "weight", shape: [c, d] },
        { name: "bias", shape: [c] },
      ],
    });
    const shard = new Map(mesh.nodes.map((node) => [node.nodeId, node.rows.length]));
    const flagged = new Set(record.flagged);
    const participants = record.accepted.filter((id) => !flagged.has(id)).map((nodeId) => ({ nodeId, examples: shard.get(nodeId) ?? this.#remoteExamples.get(nodeId) ?? 1 }));
    const spec = JSON.parse(this.#strategyKey) as { name: string } & Record<string, number | string | boolean>;
    const { name, ...strategyParameters } = spec;
    const { record: stored } = await submitKnowledgeRecord({
      outbox: this.#p.outbox,
      record: {
        kind: "Model",
        schemaVersion: 1,
        round: record.round,
        createdAt: new Date().toISOString(),
        artifact: { manifestCid, weightsCid },
        architecture: { name: "logistic-regression", inputShape: [d], outputShape: [c], hiddenLayers: [], parameterCount: mesh.model.numParams },
        parentModelCid: this.#lastModel?.recordCid ?? null,
        strategy: { name, parameters: strategyParameters },
        evaluation: { holdoutAccuracy: record.evaluation!.accuracy, holdoutLoss: record.evaluation!.loss, holdoutExamples: record.evaluation!.numExamples },
        participants,
        rejectedUpdates: record.rejected.map((r) => ({ nodeId: r.nodeId, reason: REJECTION[r.reason], detail: `${r.reason}: ${r.detail}`.slice(0, 500) })),
        // Only outliers: a robust rule leaves honest updates out every round, and a ratified record must not call them Byzantine.
        byzantineFlagged: (record.byzantine ?? []).map(({ nodeId, score }) => ({ nodeId, detector: name.replace(/[^a-z0-9-]/g, "") || "strategy", score: Number.isFinite(score) ? score : 1e9, excluded: true })),
        privacy: null,
        totalExamples: participants.reduce((sum, p) => sum + p.examples, 0),
      },
    });
    this.#lastModel = { round: record.round, manifestCid, recordCid: stored.cid, accuracy: record.evaluation!.accuracy, loss: record.evaluation!.loss };
    return { manifestCid, modelRecordCid: stored.cid };
  }

  /** Runs a round every `intervalMs` (skipping while one runs) until {@link stop}. */
  start(intervalMs: number): void {
    if (this.#timer || intervalMs <= 0) return;
    const loop = async () => {
      try {
        await this.startRound();
        await this.whenIdle();
      } catch (error) {
        if (!(error instanceof RoundInProgressError)) this.#logger.error({ err: error }, "scheduled FL round failed to start");
      }
      // stop() may have come while this round ran: then no next one.
      if (this.#timer) this.#timer = setTimeout(loop, intervalMs);
    };
    this.#timer = setTimeout(loop, intervalMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.whenIdle();
  }

  /** Nodes, rounds, updates and the round in progress. */
  status() {
    const runner = this.#mesh.runner;
    const rows = this.#p.db.prepare("SELECT status, COUNT(*) AS n FROM fl_rounds GROUP BY status").all() as Array<{ status: string; n: number }>;
    const rounds = Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
    const totals = this.#totals();
    const ids = runner.clientIds();
    return {
      nodes: { total: ids.length, online: ids.length, banned: ids.filter((id) => runner.reputation.isBanned(id)).length },
      rounds: { completed: rounds.completed ?? 0, failed: rounds.failed ?? 0, running: this.#running ? 1 : 0 },
      updates: { accepted: totals.accepted, rejected: totals.rejected },
      current: this.#running ? { round: this.#currentRound, timeoutMs: runner.config.roundTimeoutMs } : null,
      strategy: JSON.parse(this.#strategyKey) as Record<string, unknown>,
    };
  }

  /** The current global model and where it is published. */
  model() {
    return {
      version: this.#lastModel?.round ?? 0,
      round: this.#lastModel?.round ?? null,
      recordCid: this.#lastModel?.recordCid ?? null,
      manifestCid: this.#lastModel?.manifestCid ?? null,
      holdoutAccuracy: this.#lastModel?.accuracy ?? null,
      holdoutLoss: this.#lastModel?.loss ?? null,
      status: this.#lastModel ? (this.#p.outbox.getRecordByCid(this.#lastModel.recordCid)?.status ?? "unknown") : null,
      recordId: this.#lastModel ? (this.#p.outbox.getRecordByCid(this.#lastModel.recordCid)?.chainId ?? null) : null,
    };
  }

  #totals() {
    const rows = this.#p.db.prepare("SELECT record FROM fl_rounds WHERE record IS NOT NULL ORDER BY round").all() as Array<{ record: string }>;
    const records = rows.map((r) => JSON.parse(r.record) as RoundRecord);
    const rejectedByReason: Record<string, number> = {};
    let accepted = 0;
    let rejected = 0;
    let byzantine = 0;
    for (const record of records) {
      accepted += record.accepted.length;
      rejected += record.rejected.length;
      byzantine += (record.byzantine ?? []).length;
      for (const [reason, count] of Object.entries(record.rejectionCounts)) rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + (count ?? 0);
    }
    return { records, accepted, rejected, byzantine, rejectedByReason };
  }

  /** Rounds, updates, rejections by reason, Byzantine detections, accuracy per round. */
  metrics() {
    const { records, accepted, rejected, byzantine, rejectedByReason } = this.#totals();
    // every failed round, including those a restart interrupted (they have no record)
    const failures = this.#p.db.prepare("SELECT round, reason FROM fl_rounds WHERE status = 'failed' ORDER BY round").all() as Array<{ round: number; reason: string | null }>;
    return {
      rounds: { completed: records.filter((r) => r.status === "completed").length, failed: failures.length },
      updates: { accepted, rejected, rejectedByReason },
      byzantineDetections: byzantine,
      accuracy: records.filter((r) => r.evaluation).map((r) => ({ round: r.round, accuracy: r.evaluation!.accuracy, loss: r.evaluation!.loss })),
      failures: failures.map((r) => ({ round: r.round, reason: r.reason })),
    };
  }
}
