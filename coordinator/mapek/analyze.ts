/**
 * MAPE-K Analyze: turns the monitor's view into per-node conditions and the φ
 * factors (see `phi.ts`).
 */
import type { HostHealth, MeshActuator } from "./actuator.ts";
import type { AnomalyModel, AnomalyPrediction } from "./anomalyModel.ts";
import { HEARTBEAT_WINDOW, LATE_BEAT_WINDOW_MS, type Monitor, type NodeView } from "./monitor.ts";
import type { ObserverReport } from "./observerHealth.ts";
import type { PhiFactors } from "./phi.ts";

/** Heartbeats held up on the link within the monitor's window that make a node's link degraded (10 % loss at 4 beats a second gives about 2.4 in 6 s). */
const LATE_BEATS_FOR_DEGRADED = 2;

/**
 * Something wrong with a node, most severe first. `degraded` (a slow or lossy link
 * that still delivers) comes from the anomaly model; the rules see the others.
 */
export type NodeCondition = "down" | "frozen" | "partitioned" | "unreachable" | "byzantine" | "overloaded" | "skewed" | "degraded";

/** The anomaly model's verdict on a node, with how many ticks in a row it has said so. */
export type AnomalyReading = AnomalyPrediction & { streak: number };

/** What {@link analyze} carries from one tick to the next. */
export type AnalyzeMemory = {
  /** bootIds seen by the last analysis. */
  bootIds: Map<string, string>;
  /** The anomaly model's last reading of each node. */
  readings: Map<string, AnomalyReading>;
  /** Nodes the model has found degraded and still reads so (at any confidence): hysteresis, so a dip in confidence does not readmit a slow link. */
  degraded: Set<string>;
};

/** Heartbeats a node must have sent since it (re)started before its clock is judged. */
const MIN_BEATS_FOR_SKEW = 4;

/** Tunables of the analysis. */
export type AnalyzeOptions = {
  /**
   * φ (see `phiAccrual.ts`) above which a silent node is suspected and probed (MeshPolicy
   * `mesh.suspicionPhiMilli` / 1000). The observer's awareness score is added to it.
   */
  suspicionPhi: number;
  /** Consecutive FL failures (timeout/error) of a node with fresh heartbeats that make it unreachable. */
  unreachableAfterFailures: number;
  /** Anomaly score (distance from the median update over the median distance) above which an update is anomalous. */
  anomalyZ: number;
  /** Anomalous (or rejected) updates among the node's last 3 participations that make it Byzantine. */
  byzantineAfter: number;
  /** CPU (cores) of the node's host beyond its nodes' training above which it is overloaded. */
  maxCpuCores: number;
  /** |clock skew| above which the node is out of sync, ms. */
  maxClockSkewMs: number;
  /** API latency the mesh should stay within, ms (responsiveness factor L). */
  latencyBudgetMs: number;
  /** Rounds looked at for round success R and quality Q. */
  roundWindow: number;
  /** Confidence of the anomaly model above which its verdict counts. */
  anomalyConfidence: number;
  /** Consecutive ticks the model must name the same fault before it becomes a condition (one noisy window is not a fault). */
  anomalyStreak: number;
};

/** Defaults matching MeshPolicy's defaults and the targets in the issue. */
export const DEFAULT_ANALYZE_OPTIONS: AnalyzeOptions = {
  suspicionPhi: 8,
  unreachableAfterFailures: 2,
  anomalyZ: 3,
  byzantineAfter: 2,
  maxCpuCores: 0.85,
  maxClockSkewMs: 2_000,
  latencyBudgetMs: 250,
  roundWindow: 5,
  anomalyConfidence: 0.8,
  anomalyStreak: 2,
};

/** Result of {@link analyze}. */
export type Analysis = {
  at: number;
  /** Conditions of each node that has any. */
  conditions: Map<string, NodeCondition>;
  /** Nodes whose bootId changed since the previous analysis. */
  restarted: string[];
  factors: PhiFactors;
  metrics: Record<string, number>;
  total: number;
  healthy: number;
  stale: number;
  isolated: number;
  apiLatencyMs: number;
  /** The anomaly model's reading of each node it does not call healthy (empty without a model). */
  anomalies: Map<string, AnomalyReading>;
  /** φ of each node whose silence is at least surprising (φ ≥ 1). */
  suspicion: Map<string, number>;
  /** Nodes suspected by φ whose direct probe answered: late, not gone (no condition). */
  refuted: string[];
  /** The suspicion threshold this tick: `suspicionPhi` plus the observer's awareness. */
  suspicionThreshold: number;
  /** The observer's own health (Lifeguard), `null` when the monitor has no observer. */
  observer: ObserverReport | null;
};

/** What the confirmation of a suspect found. */
type Confirmation = { hostHealth: HostHealth | undefined; answered: boolean };

function conditionOf(view: NodeView, options: AnalyzeOptions, confirmation: Confirmation | undefined, excluded: boolean, mostAnswered: (round: number) => boolean): NodeCondition | null {
  if (confirmation) {
    const { hostHealth, answered } = confirmation;
    if (hostHealth === "dead" || hostHealth === "restarting") return "down";
    if (hostHealth === "frozen") return "frozen";
    // Silent, but its host lives and the node itself does not answer over its link.
    if (!answered) return "partitioned";
  }
  const recent = view.outcomes.slice(-3).filter((o) => o.outcome !== "timeout" && o.outcome !== "error");
  const bad = recent.filter((o) => o.outcome === "rejected" || (o.anomaly !== null && o.anomaly > options.anomalyZ)).length;
  if (bad >= options.byzantineAfter) return "byzantine";
  // An excluded node gets no new FL outcomes: its old failures must not keep it
  // "unreachable" forever. Readmission probes its link instead (see plan.ts).
  const tail = excluded ? [] : view.outcomes.slice(-options.unreachableAfterFailures);
  // Its own failures only: in a round most sampled nodes failed, the round (a slow
  // network, a busy coordinator) failed, not this node's link.
  if (tail.length === options.unreachableAfterFailures && tail.every((o) => (o.outcome === "timeout" || o.outcome === "error") && mostAnswered(o.round))) return "unreachable";
  // The skew is the least-delayed beat's: with fewer beats one late beat would decide it.
  if (view.beats.length >= MIN_BEATS_FOR_SKEW && Math.abs(view.clockSkewMs) > options.maxClockSkewMs) return "skewed";
  // Event-loop lag is not used: local training blocks a host's loop by design.
  // Training is the work the coordinator asked for: only the load beyond it counts.
  if (view.otherCpuCores > options.maxCpuCores) return "overloaded";
  return null;
}

/** Updates each node's reading (streaks of the same confident verdict) from this tick's predictions. */
function readAnomalies(model: AnomalyModel, views: readonly NodeView[], now: number, heartbeatMs: number, options: AnalyzeOptions, readings: Map<string, AnomalyReading>): void {
  for (const [nodeId, prediction] of model.classify(views, now, heartbeatMs)) {
    const before = readings.get(nodeId);
    const confident = prediction.confidence >= options.anomalyConfidence;
    const streak = confident && before && before.label === prediction.label ? before.streak + 1 : confident ? 1 : 0;
    readings.set(nodeId, { ...prediction, streak });
  }
}

/**
 * Analyzes the monitor's view. A node is suspected when its φ (surprise at its silence,
 * judged against its own heartbeat history, the observer's stalls left out) passes the
 * threshold; a node whose host the mesh knows exited is down at once. A suspect is
 * confirmed before it gets a condition, as SWIM confirms before declaring: its host is
 * asked on the control channel (another path than the node's link: the agent's socket
 * or the child's IPC), and when
 * the host lives, the node is probed directly over its own link. A dead or frozen host
 * needs a restart; a live one whose node does not answer is partitioned (routed around);
 * a node that answers was only late, and is left alone. A node whose heartbeats were
 * held up on its link ({@link LATE_BEATS_FOR_DEGRADED} in the monitor's window, as lost
 * and retransmitted segments hold them) is `degraded`, unless most links are at once;
 * so is one whose telemetry an anomaly model has read as a degraded link for
 * `anomalyStreak` ticks.
 *
 * @param monitor - the monitor.
 * @param actuator - for host diagnosis, probes and the API latency measurement.
 * @param options - thresholds.
 * @param memory - what the last analysis saw (updated in place).
 * @param model - the anomaly model, if trained.
 */
export async function analyze(monitor: Monitor, actuator: MeshActuator, options: AnalyzeOptions, memory: AnalyzeMemory, model?: AnomalyModel): Promise<Analysis> {
  const previousBootIds = memory.bootIds;
  const now = monitor.now();
  const views = monitor.nodes();
  if (model) readAnomalies(model, views, now, monitor.heartbeatMs, options, memory.readings);
  const observer = monitor.observer?.report(now) ?? null;
  const suspicionThreshold = options.suspicionPhi + (observer?.awareness ?? 0);
  // Suspects: silent beyond what their own history makes plausible, or on a host the
  // mesh already knows exited (no need to wait for the silence to add up).
  const phis = new Map(views.map((v) => [v.nodeId, monitor.suspicion(v.nodeId, now)]));
  const isSuspect = (nodeId: string): boolean => (phis.get(nodeId) ?? 0) > suspicionThreshold;
  const hostExited = (nodeId: string): boolean => {
    const host = actuator.hostOf(nodeId);
    return host !== null && actuator.hostExited(host);
  };
  // A direct probe crosses the node's link both ways: slow links need time to answer.
  const probeMs = Math.max(1000, 4 * monitor.heartbeatMs);
  const confirmations = new Map<string, Confirmation>();
  const refuted: string[] = [];
  const confirmingFrom = monitor.now();
  const [, apiLatencyMs] = await Promise.all([
    Promise.all(
      views.map(async (view) => {
        if (hostExited(view.nodeId)) return void confirmations.set(view.nodeId, { hostHealth: "dead", answered: false });
        if (!isSuspect(view.nodeId)) return;
        const host = actuator.hostOf(view.nodeId);
        const health = host ? await actuator.hostHealth(host) : undefined;
        const hostFailed = health === "dead" || health === "restarting" || health === "frozen";
        const answered = hostFailed ? false : await actuator.pingNode(view.nodeId, probeMs);
        if (answered) refuted.push(view.nodeId);
        else confirmations.set(view.nodeId, { hostHealth: health, answered });
      }),
    ),
    actuator.measureApiLatency(Math.max(1000, options.latencyBudgetMs * 8)).catch(() => Number.POSITIVE_INFINITY),
  ]);
  // An answer that timed out while the observer itself stalled says nothing about the
  // node: its reply may be waiting to be read. Judge again next tick.
  if ((monitor.observer?.stalledMs(confirmingFrom, monitor.now()) ?? 0) > 0) {
    for (const nodeId of [...confirmations.keys()]) if (!hostExited(nodeId)) confirmations.delete(nodeId);
  }
  // Per FL round: how many sampled nodes answered and how many failed, from every node's outcomes.
  const answers = new Map<number, { answered: number; failed: number }>();
  for (const view of views) {
    for (const o of view.outcomes) {
      const tally = answers.get(o.round) ?? { answered: 0, failed: 0 };
      if (o.outcome === "timeout" || o.outcome === "error") tally.failed++;
      else tally.answered++;
      answers.set(o.round, tally);
    }
  }
  const mostAnswered = (round: number): boolean => {
    const tally = answers.get(round);
    return tally !== undefined && tally.answered > tally.failed;
  };
  const conditions = new Map<string, NodeCondition>();
  const restarted: string[] = [];
  let stale = 0;
  // A slow link is one node's trouble. When most of the mesh reads as behind a degraded
  // link at once, the observer is slow (a busy coordinator) or the whole network is, and
  // routing around everyone would help nobody. Links are per host: half the nodes on half
  // the hosts is most of the mesh (with two hosts, one slow host cannot be told from a
  // slow network whose slowness reached that host first).
  const hosts = new Set(views.map((v) => actuator.hostOf(v.nodeId) ?? v.nodeId));
  const mostOfMesh = (flagged: readonly string[]): boolean => {
    const flaggedHosts = new Set(flagged.map((id) => actuator.hostOf(id) ?? id));
    return 2 * flagged.length > views.length || (2 * flagged.length >= views.length && 2 * flaggedHosts.size >= hosts.size);
  };
  // The model reads heartbeat windows; one the observer stalled in shows the stall, not the link.
  const windowStalled = (monitor.observer?.stalledMs(now - HEARTBEAT_WINDOW * monitor.heartbeatMs, now) ?? 0) > 0;
  // Judged on every node showing the symptom at all, not only those past its threshold:
  // a slowdown of every link reaches them a tick or two apart.
  const degradedReadings = model ? views.filter((v) => memory.readings.get(v.nodeId)?.label === "degraded-link").map((v) => v.nodeId) : [];
  const meshWide = mostOfMesh(degradedReadings);
  // Heartbeats held up in transit get the same guard. Whether most of the mesh had them
  // is judged over the monitor's memory
  // (30 s): a slowdown of every link makes every host's beats late at its onset, and later
  // here and there (a new connection costs round trips), never on all hosts in one tick.
  const heldUp = views.filter((v) => v.lateBeatsAt.length > 0).map((v) => v.nodeId);
  const recentLate = (v: NodeView): number[] => v.lateBeatsAt.filter((at) => at > now - LATE_BEAT_WINDOW_MS);
  // Nodes whose own link held heartbeats up lately, when few links did: the evidence a
  // degraded verdict needs. The first held-up beat must be two periods old, so a slowdown
  // of every link has reached every host's beats before anyone is judged.
  const settled = (v: NodeView): boolean => {
    const first = recentLate(v)[0];
    return first !== undefined && now - first >= 2 * monitor.heartbeatMs;
  };
  const linkEvidence = new Set(mostOfMesh(heldUp) ? [] : views.filter(settled).map((v) => v.nodeId));
  const lossyLinks = new Set(views.filter((v) => linkEvidence.has(v.nodeId) && recentLate(v).length >= LATE_BEATS_FOR_DEGRADED).map((v) => v.nodeId));
  for (const view of views) {
    const reading = model ? memory.readings.get(view.nodeId) : undefined;
    // The model learned from full heartbeat windows; a node just (re)started has none yet.
    // The model names the kind of trouble; the node's own late heartbeats say it is there.
    const enters = !windowStalled && linkEvidence.has(view.nodeId) && reading?.label === "degraded-link" && reading.streak >= options.anomalyStreak && view.beats.length >= HEARTBEAT_WINDOW;
    const stays = memory.degraded.has(view.nodeId) && reading?.label === "degraded-link";
    const modelSaysDegraded = !meshWide && (enters || stays);
    if (modelSaysDegraded) memory.degraded.add(view.nodeId);
    else memory.degraded.delete(view.nodeId);
    const degradedLink = modelSaysDegraded || lossyLinks.has(view.nodeId);
    const ruled = conditionOf(view, options, confirmations.get(view.nodeId), actuator.isExcluded(view.nodeId), mostAnswered);
    // Heartbeats late by seconds look like a clock behind; the model tells a slow link
    // (jitter, gaps, failed fits) from a skewed clock, and a resync cannot fix a link.
    const condition = (ruled === "skewed" || ruled === null) && degradedLink ? "degraded" : ruled;
    if (condition) conditions.set(view.nodeId, condition);
    if (condition === "down" || condition === "frozen" || condition === "partitioned") stale++;
    const before = previousBootIds.get(view.nodeId);
    if (view.bootId !== null) {
      if (before !== undefined && before !== view.bootId) restarted.push(view.nodeId);
      previousBootIds.set(view.nodeId, view.bootId);
    }
  }
  const total = views.length;
  const isolated = views.filter((v) => actuator.isExcluded(v.nodeId)).length;
  const unhealthy = new Set([...conditions.keys(), ...views.filter((v) => actuator.isExcluded(v.nodeId)).map((v) => v.nodeId)]);
  const healthy = total - unhealthy.size;
  const rounds = monitor.rounds().slice(-options.roundWindow);
  const completed = rounds.filter((r) => r.status === "completed");
  const accuracies = monitor.rounds().slice(-20).map((r) => r.accuracy).filter((a): a is number => a !== null);
  const best = accuracies.length ? Math.max(...accuracies) : null;
  const latest = completed.at(-1)?.accuracy ?? null;
  const suspected = [...conditions.values()].filter((c) => c === "byzantine").length;
  const factors: PhiFactors = {
    availability: total ? healthy / total : 1,
    roundSuccess: rounds.length ? completed.length / rounds.length : 1,
    quality: best && latest !== null ? latest / best : 1,
    responsiveness: Number.isFinite(apiLatencyMs) ? Math.min(1, options.latencyBudgetMs / Math.max(apiLatencyMs, 1e-3)) : 0,
    trust: total ? 1 - suspected / total : 1,
  };
  const metrics: Record<string, number> = {
    "phi.availability": factors.availability,
    "phi.roundSuccess": factors.roundSuccess,
    "phi.quality": factors.quality,
    "phi.responsiveness": factors.responsiveness,
    "phi.trust": factors.trust,
    "api.latencyMs": Number.isFinite(apiLatencyMs) ? apiLatencyMs : -1,
    "fl.rounds": rounds.length,
    "fl.completed": completed.length,
    ...(latest !== null ? { "fl.accuracy": latest } : {}),
  };
  const present = new Set(views.map((v) => v.nodeId));
  const anomalies = new Map([...memory.readings].filter(([nodeId, r]) => r.label !== "healthy" && present.has(nodeId)));
  if (model) metrics["anomaly.suspected"] = anomalies.size;
  if (observer) {
    metrics["observer.awareness"] = observer.awareness;
    metrics["observer.longestStallMs"] = observer.longestStallMs;
  }
  return { at: now, conditions, restarted, factors, metrics, total, healthy, stale, isolated, apiLatencyMs, anomalies, suspicion: new Map([...phis].filter(([, phi]) => phi >= 1)), refuted, suspicionThreshold, observer };
}
