/**
 * MAPE-K Monitor: what the loop knows about each node, from heartbeats (liveness,
 * restarts, clock, CPU) and from FL rounds (who answered, who was flagged or rejected,
 * how far each update strayed from the others).
 */
import type { SignedUpdate } from "../fl/client.ts";
import { updateAnomalyScores } from "../fl/updateAnomaly.ts";
import type { RoundRecord } from "../fl/roundRunner.ts";
import { InvalidHeartbeatError } from "../errors/mapek.ts";
import type { MeshHeartbeat } from "../mesh/nodeMesh.ts";
import type { ObserverHealth } from "./observerHealth.ts";
import { PhiAccrualDetector, phiAccrualOptionsFor } from "./phiAccrual.ts";

/** One node's FL outcome in one round. */
export type RoundOutcome = "accepted" | "flagged" | "rejected" | "timeout" | "error";

/** What the monitor knows about a node. */
export type NodeView = {
  nodeId: string;
  hostId: string | null;
  /** Coordinator time of the last heartbeat (ms since epoch), `null` before the first. */
  lastHeartbeatAt: number | null;
  /** Coordinator time the node registered (staleness counts from here before the first heartbeat). */
  registeredAt: number;
  bootId: string | null;
  /** bootId changes seen: restarts, injected or not. */
  restarts: number;
  /**
   * Node clock minus coordinator clock, ms, from the least-delayed heartbeat of the
   * window (NTP's minimum filter: a heartbeat held up by load or a busy event loop only
   * ever looks later, never earlier, so one late beat is not a skewed clock).
   */
  clockSkewMs: number;
  loopLagMs: number;
  /** Host CPU in cores, smoothed (EWMA, α = 0.3 per heartbeat) so one busy training step is not overload. */
  cpuCores: number;
  /**
   * Host CPU beyond its nodes' training, in cores, smoothed the same way: load nobody
   * asked for (stress, a runaway process). Starts at 0 for each boot, because a boot's
   * first period is its start-up (modules, keys, dataset), not load.
   */
  otherCpuCores: number;
  /** Outcomes of the node's last rounds, newest last (at most 10). */
  outcomes: { round: number; outcome: RoundOutcome; anomaly: number | null }[];
  /** The last heartbeats (at most {@link HEARTBEAT_WINDOW}), oldest first: arrival (coordinator clock), sequence number, transit (arrival − node's sentAt, skew included). */
  beats: { at: number; seq: number; transitMs: number }[];
  /** Coordinator time of the last restart seen (bootId change), `null` if none. */
  lastRestartAt: number | null;
  /** How long the node's last local training took, ms (its own report). */
  lastTrainMs: number | null;
  /**
   * Arrival times (last {@link LATE_BEAT_MEMORY_MS}) of heartbeats that took at least
   * {@link LATE_BEAT_MS} longer in transit than the node's quickest recent one while the
   * observer was listening: what a lost and retransmitted segment looks like over TCP.
   */
  lateBeatsAt: number[];
};

/** A heartbeat this much slower in transit than the node's quickest recent one was held up on its link, ms (TCP's minimum retransmission timeout is 200 ms). */
export const LATE_BEAT_MS = 150;
/** How far back late heartbeats count towards a node's degraded link, ms. */
export const LATE_BEAT_WINDOW_MS = 6_000;
/** How long late heartbeats are remembered, ms: whether most of the mesh had some lately decides if they are anyone's link. */
export const LATE_BEAT_MEMORY_MS = 30_000;

/** Heartbeats kept per node for the telemetry features (2 s at the default 250 ms period). */
export const HEARTBEAT_WINDOW = 8;

/** Options of {@link Monitor}. */
export type MonitorParameters = {
  /** The clock; default `Date.now`. */
  now?: () => number;
  /** The nodes' heartbeat period, ms (telemetry features are relative to it); default 1000. */
  heartbeatMs?: number;
  /**
   * The observer's own health (Lifeguard): time it was stalled is not counted against
   * any node. Without it every silence is the node's.
   */
  observer?: ObserverHealth;
};

/**
 * @example
 * import { Monitor } from "./monitor.ts";
 * const monitor = new Monitor();
 * monitor.register("node-001", "host-0");
 * monitor.ingestHeartbeat(body);
 * monitor.observeRound(record, updates);
 */
export class Monitor {
  #nodes = new Map<string, NodeView>();
  #rounds: { round: number; status: RoundRecord["status"]; accuracy: number | null; at: number }[] = [];
  #detectors = new Map<string, PhiAccrualDetector>();
  #now: () => number;
  /** Heartbeats received (all nodes). */
  heartbeats = 0;

  /** The nodes' heartbeat period, ms. */
  readonly heartbeatMs: number;
  readonly observer: ObserverHealth | undefined;

  constructor(parameters: MonitorParameters = {}) {
    this.#now = parameters.now ?? Date.now;
    this.heartbeatMs = parameters.heartbeatMs ?? 1000;
    this.observer = parameters.observer;
  }

  /**
   * How suspicious the node's silence is now: φ of its own heartbeat history (see
   * `phiAccrual.ts`), with the time the observer was stalled left out of the silence.
   */
  suspicion(nodeId: string, now: number = this.#now()): number {
    const view = this.#nodes.get(nodeId);
    const detector = this.#detectors.get(nodeId);
    if (!view || !detector) return 0;
    const since = view.lastHeartbeatAt ?? view.registeredAt;
    return detector.phi(now, this.observer?.stalledMs(since, now) ?? 0, view.registeredAt);
  }

  /** Adds a node the loop should expect heartbeats from. */
  register(nodeId: string, hostId: string | null = null): void {
    if (this.#nodes.has(nodeId)) return;
    this.#detectors.set(nodeId, new PhiAccrualDetector(phiAccrualOptionsFor(this.heartbeatMs)));
    this.#nodes.set(nodeId, { nodeId, hostId, lastHeartbeatAt: null, registeredAt: this.#now(), bootId: null, restarts: 0, clockSkewMs: 0, loopLagMs: 0, cpuCores: 0, otherCpuCores: 0, outcomes: [], beats: [], lastRestartAt: null, lastTrainMs: null, lateBeatsAt: [] });
  }

  /**
   * Records a heartbeat (verified already: the mesh checked its signature and sequence).
   * @throws {InvalidHeartbeatError} when it names a node the monitor does not watch.
   */
  ingestHeartbeat(beat: MeshHeartbeat): void {
    const view = this.#nodes.get(beat.nodeId);
    if (!view) throw new InvalidHeartbeatError({ issues: [`nodeId: unknown node ${beat.nodeId}`] });
    const now = this.#now();
    if (view.bootId !== null && view.bootId !== beat.bootId) {
      view.restarts++;
      view.lastRestartAt = now;
    }
    const restarted = view.bootId !== beat.bootId;
    const cpuCores = restarted ? beat.cpuCores : 0.7 * view.cpuCores + 0.3 * beat.cpuCores;
    const otherCpuCores = restarted ? 0 : 0.7 * view.otherCpuCores + 0.3 * Math.max(0, beat.cpuCores - beat.trainCpuCores);
    // A restarted node counts its sequence from 0 again: its old beats say nothing about the new process.
    if (restarted) {
      view.beats = [];
      view.lateBeatsAt = [];
    }
    const transitMs = now - beat.sentAt;
    // Judged against the quickest beat of the window (skew cancels out), and only while
    // the observer could hear: a beat read late because the coordinator stalled is not the link's.
    const quickest = view.beats.length ? Math.min(...view.beats.map((b) => b.transitMs)) : transitMs;
    const heldUp = transitMs - quickest;
    // Nor is one its own host sent late: sentAt is stamped at signing, and a host whose
    // loop was held (training, starved) between signing and sending reports that lag.
    const hostBusy = beat.loopLagMs >= LATE_BEAT_MS;
    if (heldUp >= LATE_BEAT_MS && !hostBusy && (this.observer?.stalledMs(now - heldUp, now) ?? 0) === 0) view.lateBeatsAt.push(now);
    while (view.lateBeatsAt.length && (view.lateBeatsAt[0] as number) < now - LATE_BEAT_MEMORY_MS) view.lateBeatsAt.shift();
    // Nor does the gap its restart left say how it beats.
    const detector = restarted ? new PhiAccrualDetector(phiAccrualOptionsFor(this.heartbeatMs)) : (this.#detectors.get(beat.nodeId) as PhiAccrualDetector);
    const previous = detector.lastHeartbeatAt;
    detector.heartbeat(now, previous !== null && (this.observer?.stalledMs(previous, now) ?? 0) > 0);
    this.#detectors.set(beat.nodeId, detector);
    view.beats.push({ at: now, seq: beat.beat, transitMs });
    if (view.beats.length > HEARTBEAT_WINDOW) view.beats.shift();
    const lastTrainMs = beat.lastTrainMs ?? view.lastTrainMs;
    const clockSkewMs = -Math.min(...view.beats.map((b) => b.transitMs));
    Object.assign(view, { hostId: beat.hostId, lastHeartbeatAt: now, bootId: beat.bootId, clockSkewMs, loopLagMs: beat.loopLagMs, cpuCores, otherCpuCores, lastTrainMs });
    this.heartbeats++;
  }

  /**
   * Folds one FL round in: each sampled node's outcome and, for updates that arrived,
   * its anomaly score (see `fl/updateAnomaly.ts`: honest ≈ 1).
   *
   * @param record - the round's record.
   * @param updates - the updates that arrived (with the global params they started from).
   */
  observeRound(record: RoundRecord, updates: readonly { update: SignedUpdate; global: Float32Array }[] = []): void {
    this.#rounds.push({ round: record.round, status: record.status, accuracy: record.evaluation?.accuracy ?? null, at: this.#now() });
    if (this.#rounds.length > 50) this.#rounds.shift();
    const ofRound = updates.filter((u) => u.update.round === record.round);
    const scores = ofRound.length ? updateAnomalyScores(ofRound.map((u) => u.update), (ofRound[0] as { global: Float32Array }).global) : new Map<string, number>();
    const anomaly = (nodeId: string): number | null => scores.get(nodeId) ?? null;
    const flagged = new Set(record.flagged);
    const outcomeOf = new Map<string, RoundOutcome>();
    for (const id of record.accepted) outcomeOf.set(id, flagged.has(id) ? "flagged" : "accepted");
    for (const r of record.rejected) outcomeOf.set(r.nodeId, "rejected");
    for (const f of record.failures) outcomeOf.set(f.nodeId, f.reason);
    for (const [nodeId, outcome] of outcomeOf) {
      const view = this.#nodes.get(nodeId);
      if (!view) continue;
      view.outcomes.push({ round: record.round, outcome, anomaly: anomaly(nodeId) });
      if (view.outcomes.length > 10) view.outcomes.shift();
    }
  }

  /** Forgets a node's heartbeat timing (after its clock was resynced: the old beats carry the old offset). */
  resetClock(nodeId: string): void {
    const view = this.#nodes.get(nodeId);
    if (view) Object.assign(view, { beats: [], clockSkewMs: 0, lateBeatsAt: [] });
  }

  /** Forgets a node's FL history (after it was healed, so old failures do not count again). */
  clearOutcomes(nodeId: string): void {
    const view = this.#nodes.get(nodeId);
    if (view) view.outcomes = [];
  }

  /** Copies of every node view. */
  nodes(): NodeView[] {
    return [...this.#nodes.values()].map((v) => ({ ...v, outcomes: [...v.outcomes], beats: [...v.beats], lateBeatsAt: [...v.lateBeatsAt] }));
  }

  node(nodeId: string): NodeView | undefined {
    const v = this.#nodes.get(nodeId);
    return v && { ...v, outcomes: [...v.outcomes], beats: [...v.beats], lateBeatsAt: [...v.lateBeatsAt] };
  }

  /** The last rounds, oldest first. */
  rounds(): readonly { round: number; status: RoundRecord["status"]; accuracy: number | null; at: number }[] {
    return this.#rounds;
  }

  now(): number {
    return this.#now();
  }
}
