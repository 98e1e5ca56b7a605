/**
 * Mesh telemetry as a feature vector per node: what the MAPE-K monitor sees of a node
 * (heartbeat timing, host load, FL outcomes) turned into the numbers the anomaly model
 * learns from. One function serves both the dataset generator and the live loop, so the
 * model sees in production exactly what it was trained on.
 */
import type { FaultKindName } from "../chaos/fault.ts";
import type { NodeView } from "./monitor.ts";

/** Feature names, in vector order (the dataset's CSV header). */
export const TELEMETRY_FEATURES = [
  "silence",
  "missedShare",
  "transit",
  "transitExcess",
  "jitter",
  "gapExcess",
  "loopLag",
  "cpuCores",
  "restartedRecently",
  "anomaly",
  "rejectedShare",
  "failedShare",
  "trainExcess",
] as const;

/** Classes of the anomaly model: what is wrong with a node, as its telemetry shows it. */
export const TELEMETRY_CLASSES = ["healthy", "unresponsive", "degraded-link", "overloaded", "byzantine", "clock-skew"] as const;
export type TelemetryClass = (typeof TELEMETRY_CLASSES)[number];

/**
 * The class each fault kind produces on the nodes it affects. `request-flood` loads
 * the coordinator, not the nodes: their own telemetry is healthy (a mesh-wide slowdown
 * the model must not blame on them). `node-restart` is instant: no class.
 */
export const CLASS_OF_FAULT: Readonly<Record<FaultKindName, TelemetryClass | null>> = {
  "node-crash": "unresponsive",
  "node-pause": "unresponsive",
  "network-partition": "unresponsive",
  "link-down": "unresponsive",
  "network-delay": "degraded-link",
  "network-loss": "degraded-link",
  "network-bandwidth": "degraded-link",
  "cpu-stress": "overloaded",
  byzantine: "byzantine",
  "clock-skew": "clock-skew",
  "request-flood": "healthy",
  "node-restart": null,
};

/** A restart counts as recent for this long, ms. */
const RECENT_RESTART_MS = 10_000;

/** Signed log scale: keeps the sign, compresses magnitudes (seconds of skew and 50 ms of delay both stay in range). */
const slog = (x: number): number => Math.sign(x) * Math.log1p(Math.abs(x));

function medianOf(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(mid)] as number) + (sorted[Math.ceil(mid)] as number)) / 2;
}

function stdOf(values: number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
}

/**
 * The feature vector of every node, at `now`. Features relative to the mesh (transit
 * and training time against the mesh's median) let the model tell one slow node from
 * a coordinator that is slow for everyone.
 *
 * @param views - the monitor's node views.
 * @param now - coordinator time, ms.
 * @param heartbeatMs - the nodes' heartbeat period, ms.
 * @returns node id → features, in {@link TELEMETRY_FEATURES} order.
 */
export function telemetryFeatures(views: readonly NodeView[], now: number, heartbeatMs: number): Map<string, Float32Array> {
  const transitOf = new Map(views.map((v) => [v.nodeId, medianOf(v.beats.map((b) => b.transitMs))] as const));
  const meshTransit = medianOf(views.filter((v) => v.beats.length > 0).map((v) => transitOf.get(v.nodeId) as number));
  const trained = views.map((v) => v.lastTrainMs).filter((t): t is number => t !== null);
  const meshTrainMs = medianOf(trained);
  const out = new Map<string, Float32Array>();
  for (const view of views) {
    const beats = view.beats;
    const silenceMs = Math.max(0, now - (view.lastHeartbeatAt ?? view.registeredAt));
    const span = beats.length > 0 ? (beats.at(-1) as { seq: number }).seq - (beats[0] as { seq: number }).seq + 1 : 0;
    const missedShare = span > 0 ? Math.max(0, 1 - beats.length / span) : 0;
    const transit = transitOf.get(view.nodeId) as number;
    const gaps = beats.slice(1).map((b, i) => b.at - (beats[i] as { at: number }).at);
    const recent = view.outcomes.slice(-3);
    const anomalies = view.outcomes
      .slice(-2)
      .map((o) => o.anomaly)
      .filter((a): a is number => a !== null);
    const anomaly = anomalies.length ? Math.min(Math.max(...anomalies), 1e3) : 1;
    const share = (pick: (o: NodeView["outcomes"][number]) => boolean): number => (recent.length ? recent.filter(pick).length / recent.length : 0);
    const features = [
      Math.log1p(silenceMs / heartbeatMs),
      missedShare,
      beats.length ? slog(transit / 100) : 0,
      beats.length ? slog((transit - meshTransit) / 100) : 0,
      Math.log1p(stdOf(beats.map((b) => b.transitMs)) / 20),
      gaps.length ? Math.log1p(Math.max(0, Math.max(...gaps) / heartbeatMs - 1)) : 0,
      Math.log1p(view.loopLagMs / 20),
      view.cpuCores,
      view.lastRestartAt !== null && now - view.lastRestartAt < RECENT_RESTART_MS ? 1 : 0,
      Math.log1p(anomaly),
      share((o) => o.outcome === "rejected"),
      share((o) => o.outcome === "timeout" || o.outcome === "error"),
      view.lastTrainMs !== null && trained.length ? slog((view.lastTrainMs - meshTrainMs) / 100) : 0,
    ];
    out.set(view.nodeId, Float32Array.from(features));
  }
  return out;
}
