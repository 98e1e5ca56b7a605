/**
 * MAPE-K Analyze: turns the monitor's view into per-node conditions and the φ
 * factors (see `phi.ts`).
 */
import type { HostHealth, MeshActuator } from "./actuator.ts";
import type { Monitor, NodeView } from "./monitor.ts";
import type { PhiFactors } from "./phi.ts";

/** Something wrong with a node, most severe first. */
export type NodeCondition = "down" | "frozen" | "partitioned" | "unreachable" | "byzantine" | "overloaded" | "skewed";

/** Tunables of the analysis. */
export type AnalyzeOptions = {
  /** A node is stale after this long without a heartbeat (MeshPolicy `mesh.staleAfterMs`). */
  staleAfterMs: number;
  /** Consecutive FL failures (timeout/error) of a node with fresh heartbeats that make it unreachable. */
  unreachableAfterFailures: number;
  /** Anomaly score (distance from the median update over the median distance) above which an update is anomalous. */
  anomalyZ: number;
  /** Anomalous (or rejected) updates among the node's last 3 participations that make it Byzantine. */
  byzantineAfter: number;
  /** CPU (cores) of the node's host above which it is overloaded. */
  maxCpuCores: number;
  /** |clock skew| above which the node is out of sync, ms. */
  maxClockSkewMs: number;
  /** API latency the mesh should stay within, ms (responsiveness factor L). */
  latencyBudgetMs: number;
  /** Rounds looked at for round success R and quality Q. */
  roundWindow: number;
};

/** Defaults matching MeshPolicy's defaults and the targets in the issue. */
export const DEFAULT_ANALYZE_OPTIONS: AnalyzeOptions = {
  staleAfterMs: 30_000,
  unreachableAfterFailures: 2,
  anomalyZ: 3,
  byzantineAfter: 2,
  maxCpuCores: 0.85,
  maxClockSkewMs: 2_000,
  latencyBudgetMs: 250,
  roundWindow: 5,
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
};

function conditionOf(view: NodeView, now: number, options: AnalyzeOptions, hostHealth: HostHealth | undefined, excluded: boolean): NodeCondition | null {
  const since = view.lastHeartbeatAt ?? view.registeredAt;
  const stale = now - since > options.staleAfterMs;
  if (stale) {
    if (hostHealth === "dead" || hostHealth === "restarting") return "down";
    if (hostHealth === "frozen") return "frozen";
    return "partitioned";
  }
  const recent = view.outcomes.slice(-3).filter((o) => o.outcome !== "timeout" && o.outcome !== "error");
  const bad = recent.filter((o) => o.outcome === "rejected" || (o.anomaly !== null && o.anomaly > options.anomalyZ)).length;
  if (bad >= options.byzantineAfter) return "byzantine";
  // An excluded node gets no new FL outcomes: its old failures must not keep it
  // "unreachable" forever. Readmission probes its link instead (see plan.ts).
  const tail = excluded ? [] : view.outcomes.slice(-options.unreachableAfterFailures);
  if (tail.length === options.unreachableAfterFailures && tail.every((o) => o.outcome === "timeout" || o.outcome === "error")) return "unreachable";
  if (Math.abs(view.clockSkewMs) > options.maxClockSkewMs) return "skewed";
  // Event-loop lag is not used: local training blocks a host's loop by design.
  if (view.cpuCores > options.maxCpuCores) return "overloaded";
  return null;
}

/**
 * Analyzes the monitor's view. Stale nodes are diagnosed by asking their host on the
 * control channel: a dead or frozen process needs a restart, a live one behind silent
 * links is partitioned and only needs routing around.
 *
 * @param monitor - the monitor.
 * @param actuator - for host diagnosis and the API latency measurement.
 * @param options - thresholds.
 * @param previousBootIds - bootIds seen by the last analysis (updated in place).
 */
export async function analyze(monitor: Monitor, actuator: MeshActuator, options: AnalyzeOptions, previousBootIds: Map<string, string>): Promise<Analysis> {
  const now = monitor.now();
  const views = monitor.nodes();
  const staleHosts = new Set<string>();
  for (const view of views) {
    if (now - (view.lastHeartbeatAt ?? view.registeredAt) > options.staleAfterMs) {
      const host = actuator.hostOf(view.nodeId);
      if (host) staleHosts.add(host);
    }
  }
  const [hostHealth, apiLatencyMs] = await Promise.all([
    Promise.all([...staleHosts].map(async (host) => [host, await actuator.hostHealth(host)] as const)).then((entries) => new Map(entries)),
    actuator.measureApiLatency(Math.max(1000, options.latencyBudgetMs * 8)).catch(() => Number.POSITIVE_INFINITY),
  ]);
  const conditions = new Map<string, NodeCondition>();
  const restarted: string[] = [];
  let stale = 0;
  for (const view of views) {
    const host = actuator.hostOf(view.nodeId);
    const condition = conditionOf(view, now, options, host ? hostHealth.get(host) : undefined, actuator.isExcluded(view.nodeId));
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
  return { at: now, conditions, restarted, factors, metrics, total, healthy, stale, isolated, apiLatencyMs };
}
