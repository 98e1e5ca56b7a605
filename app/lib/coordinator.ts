/**
 * The coordinator's HTTP API as the dashboard reads it: `GET /api/status`, SSE
 * `/api/events`, FL status and metrics, the MAPE-K loop (`/api/mapek`) and chaos
 * experiments (`/api/chaos`). Plain functions, no React: the hooks wire them into queries.
 */
import { CID } from "multiformats/cid";
import type { Hex } from "viem";
import { formatMilliseconds } from "./format.ts";
import { cidFromHex } from "./verifyCid.ts";

/** One component's health check, as in `GET /health` (`HealthCheckReport`). */
export type CoordinatorComponent = { status: "up" | "down"; critical: boolean; latencyMs: number; error?: string };

/** The body of `GET /api/status` (`StatusReport`), as far as the dashboard uses it. */
export type CoordinatorStatus = {
  name: string;
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  ready: boolean;
  /** Health checks by name (`chain`, `ipfs`, …). */
  components: Record<string, CoordinatorComponent>;
  eventStreamClients: number;
};

export type CoordinatorEvent = { id: number; type: string; time: string; data: Record<string, unknown> };

/** Reads `/api/status`; throws with a readable message when the coordinator cannot be reached. */
export async function readCoordinatorStatus({
  coordinatorUrl,
  fetchFn = fetch,
  signal,
}: {
  coordinatorUrl: string;
  fetchFn?: typeof fetch;
  signal?: AbortSignal;
}): Promise<CoordinatorStatus> {
  const url = `${coordinatorUrl.replace(/\/+$/, "")}/api/status`;
  let response: Response;
  try {
    response = await fetchFn(url, { headers: { accept: "application/json" }, ...(signal ? { signal } : {}) });
  } catch (error) {
    throw new Error(`coordinator not reachable at ${coordinatorUrl}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`coordinator answered ${response.status} at ${url}`);
  return (await response.json()) as CoordinatorStatus;
}

export type FlRoundPoint = { round: number; accuracy: number | undefined; participants: number; status: string };

/** FL progress (accuracy per round) from `fl.round.finished` events, by round. */
export function flProgress(events: readonly CoordinatorEvent[]): FlRoundPoint[] {
  const byRound = new Map<number, FlRoundPoint>();
  for (const event of events) {
    if (event.type !== "fl.round.finished") continue;
    const d = event.data;
    const round = Number(d.round);
    if (!Number.isFinite(round)) continue;
    byRound.set(round, {
      round,
      accuracy: typeof d.holdoutAccuracy === "number" ? d.holdoutAccuracy : undefined,
      participants: Number(d.participants ?? 0),
      status: String(d.status ?? "unknown"),
    });
  }
  return [...byRound.values()].sort((a, b) => a.round - b.round);
}

/** The latest MAPE-K state from `mapek.state.changed` events. */
export function latestMapekState(events: readonly CoordinatorEvent[]): { state: string; phi: number; time: string } | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.type === "mapek.state.changed") {
      return { state: String(event.data.to), phi: Number(event.data.phi), time: event.time };
    }
  }
  return undefined;
}

/** Reads a JSON resource of the coordinator API; throws a readable error when it cannot. */
export async function readCoordinatorJson<T>({
  coordinatorUrl,
  path,
  fetchFn = fetch,
  signal,
}: {
  coordinatorUrl: string;
  /** e.g. `/api/fl/metrics`. */
  path: `/${string}`;
  fetchFn?: typeof fetch;
  signal?: AbortSignal;
}): Promise<T> {
  const url = `${coordinatorUrl.replace(/\/+$/, "")}${path}`;
  let response: Response;
  try {
    response = await fetchFn(url, { headers: { accept: "application/json" }, ...(signal ? { signal } : {}) });
  } catch (error) {
    throw new Error(`coordinator not reachable at ${coordinatorUrl}: ${(error as Error).message}`);
  }
  if (!response.ok) throw await CoordinatorResponseError.from(response, path);
  return (await response.json()) as T;
}

/**
 * A non-2xx answer of the coordinator API, with the error's name and message from its
 * body (`{ error: { name, message } }`, or a bare `{ name, message }`) when it has one.
 */
export class CoordinatorResponseError extends Error {
  override name = "CoordinatorResponseError";
  /** The HTTP status. */
  readonly status: number;
  /** The API path asked for. */
  readonly path: string;
  /** The coordinator's error class, e.g. `ChaosUnavailableError`; `undefined` without a JSON error body. */
  readonly errorName: string | undefined;
  /** The coordinator's one-line message, when the body has one. */
  readonly shortMessage: string | undefined;

  constructor({ status, path, errorName, shortMessage }: { status: number; path: string; errorName?: string; shortMessage?: string }) {
    super(`coordinator answered ${status} for ${path}${shortMessage ? `: ${shortMessage}` : ""}`);
    this.status = status;
    this.path = path;
    this.errorName = errorName;
    this.shortMessage = shortMessage;
  }

  /** Reads the error body of `response` (never throws: a body that is not JSON is ignored). */
  static async from(response: Response, path: string): Promise<CoordinatorResponseError> {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    const record = (value: unknown): Record<string, unknown> | undefined =>
      typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
    const error = record(record(body)?.error) ?? record(body);
    const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
    const errorName = text(error?.name);
    const shortMessage = text(error?.message);
    return new CoordinatorResponseError({ status: response.status, path, ...(errorName ? { errorName } : {}), ...(shortMessage ? { shortMessage } : {}) });
  }
}

/**
 * Why the MAPE-K and chaos routes are not available, when that is what `error` says:
 * a 503 from a coordinator whose mesh is not in node-host processes. `undefined` for any
 * other failure (unreachable, a bug), which the dashboard shows as an error.
 *
 * The message is the coordinator's own (`ChaosUnavailableError`). Coordinators from
 * before that error was exposed hid it behind `InternalServerError`; their 503 on these
 * routes gets a generic explanation, as these routes answer 503 for no other reason.
 */
export function chaosUnavailableMessage(error: unknown): string | undefined {
  if (!(error instanceof CoordinatorResponseError) || error.status !== 503) return undefined;
  if (error.errorName === "ChaosUnavailableError") return error.shortMessage ?? "Chaos experiments and the MAPE-K loop are not running on this coordinator.";
  if (/^\/api\/(mapek|chaos)(\/|\?|$)/.test(error.path)) {
    return "Chaos experiments and the MAPE-K loop are not running on this coordinator (it answered 503): they need its mesh in node-host processes.";
  }
  return undefined;
}

/** A one-line reason for a failed read: the coordinator's own message where it gave one. */
export function coordinatorErrorText(error: Error): string {
  return error instanceof CoordinatorResponseError && error.shortMessage ? error.shortMessage : error.message;
}

/** `GET /api/fl/status`, as far as the dashboard uses it. */
export type FlStatus = {
  nodes?: { total?: number; online?: number; banned?: number };
  rounds?: { completed?: number; failed?: number; running?: number };
  updates?: { accepted?: number; rejected?: number };
  current?: { round: number; timeoutMs?: number } | null;
  strategy?: Record<string, unknown>;
};

/** `GET /api/fl/metrics`, as far as the dashboard uses it. */
export type FlMetrics = {
  rounds?: { completed?: number; failed?: number };
  updates?: { accepted?: number; rejected?: number; rejectedByReason?: Record<string, number> };
  byzantineDetections?: number;
  accuracy?: Array<{ round: number; accuracy: number; loss?: number }>;
};

/** Accuracy per round from the metrics endpoint and the live events, the newer source winning per round. */
export function mergeFlProgress(metrics: FlMetrics | undefined, events: readonly CoordinatorEvent[]): Array<{ round: number; accuracy: number | null }> {
  const byRound = new Map<number, number | null>();
  for (const point of metrics?.accuracy ?? []) byRound.set(point.round, point.accuracy);
  for (const point of flProgress(events)) {
    if (point.accuracy !== undefined || !byRound.has(point.round)) byRound.set(point.round, point.accuracy ?? null);
  }
  return [...byRound].map(([round, accuracy]) => ({ round, accuracy })).sort((a, b) => a.round - b.round);
}

// --- MAPE-K (`GET /api/mapek`, `GET /api/mapek/history`) ---

/** The MAPE-K states, from healthiest to idle (`MAPEK_STATES` of the MapekSnapshot schema). */
export const MAPEK_STATES = ["EUPHORIC", "HARMONIC", "CONTEMPLATIVE", "MYSTICAL", "CHAOTIC", "QUIESCENT"] as const;
export type MapekStateName = (typeof MAPEK_STATES)[number];

/** φ's ceiling, the golden ratio (φ = Φ · H with H in [0, 1]). */
export const PHI_MAX = (1 + Math.sqrt(5)) / 2;

/**
 * The lower φ bound of each state at the deployment's default MeshPolicy: Φ × 0.9, 0.7,
 * 0.5 and 0.3. Below MYSTICAL the mesh is CHAOTIC; QUIESCENT (healing in progress) is
 * not a φ band. Governance can move these: `/api/mapek` reports the values in force.
 */
export const PHI_THRESHOLDS = [
  { state: "EUPHORIC", phi: 1.456 },
  { state: "HARMONIC", phi: 1.133 },
  { state: "CONTEMPLATIVE", phi: 0.809 },
  { state: "MYSTICAL", phi: 0.485 },
] as const satisfies ReadonlyArray<{ state: MapekStateName; phi: number }>;

/** The φ thresholds in force (`PhiThresholds`), as `/api/mapek` reports them. */
export type PhiThresholds = { euphoric: number; harmonic: number; contemplative: number; mystical: number };

/** The thresholds as the chart draws them: those in force, else the defaults. */
export function phiThresholdsOf(thresholds: PhiThresholds | null | undefined): ReadonlyArray<{ state: "EUPHORIC" | "HARMONIC" | "CONTEMPLATIVE" | "MYSTICAL"; phi: number }> {
  if (!thresholds) return PHI_THRESHOLDS;
  return [
    { state: "EUPHORIC", phi: thresholds.euphoric },
    { state: "HARMONIC", phi: thresholds.harmonic },
    { state: "CONTEMPLATIVE", phi: thresholds.contemplative },
    { state: "MYSTICAL", phi: thresholds.mystical },
  ];
}

/** The five factors of H, each in [0, 1], with their weights in the geometric mean (`PHI_WEIGHTS`). */
export const PHI_FACTORS = [
  { key: "availability", symbol: "A", label: "Availability", weight: 0.4, description: "share of nodes healthy" },
  { key: "roundSuccess", symbol: "R", label: "Round success", weight: 0.2, description: "share of recent FL rounds completed" },
  { key: "quality", symbol: "Q", label: "Model quality", weight: 0.2, description: "latest hold-out accuracy vs the best recent one" },
  { key: "responsiveness", symbol: "L", label: "Responsiveness", weight: 0.1, description: "API latency budget vs measured latency" },
  { key: "trust", symbol: "T", label: "Trust", weight: 0.1, description: "share of nodes not suspected Byzantine" },
] as const;
export type PhiFactors = Record<(typeof PHI_FACTORS)[number]["key"], number>;

/** A node's condition as MAPE-K diagnoses it (`NodeCondition`). */
export type NodeCondition = "down" | "frozen" | "partitioned" | "unreachable" | "byzantine" | "overloaded" | "skewed" | "degraded";

/** Classes of the MAPE-K anomaly model (`TelemetryClass`). */
export type TelemetryClass = "healthy" | "unresponsive" | "degraded-link" | "overloaded" | "byzantine" | "clock-skew";

/** The anomaly model's verdict on a node (`AnomalyReading`). */
export type AnomalyReading = { label: TelemetryClass; confidence: number; streak: number };

/** How the anomaly model was trained and scored (`AnomalyModelSummary`). */
export type AnomalyModelSummary = {
  dataset: string;
  architecture: string;
  strategy: string;
  rounds: number;
  clients: number;
  trainExamples: number;
  testExamples: number;
  accuracy: number;
  recall: Record<TelemetryClass, number>;
  precision: Record<TelemetryClass, number | null>;
  accuracyPerRound: number[];
  trainMs: number;
};

/** A healing action as executed (`ExecutedAction`). */
export type MapekAction = {
  action: string;
  target: string | null;
  nodes: string[];
  reason: string;
  at: number;
  outcome: "succeeded" | "failed" | "skipped";
  detail?: string;
};

/** An incident from a node's first condition to its healing (`MapekIncident`); times in ms since epoch. */
export type MapekIncident = {
  incidentId: string;
  nodeId: string;
  condition: NodeCondition;
  lastHealthyAt: number;
  detectedAt: number;
  healedAt: number | null;
  resolution: "healed" | "mitigated" | null;
  actions: MapekAction[];
};

/** The body of `GET /api/mapek`. Fields are `null` before the loop's first tick. */
export type MapekStatus = {
  state: MapekStateName | null;
  phi: number | null;
  epoch: number;
  at: number | null;
  factors: PhiFactors | null;
  /** The lower φ bound of each state in force (MeshPolicy). */
  thresholds: PhiThresholds | null;
  nodes: { total: number; healthy: number; stale: number; isolated: number } | null;
  /** Each node that has a condition. */
  conditions: Record<string, NodeCondition>;
  apiLatencyMs: number | null;
  lastActions: MapekAction[];
  openIncidents: MapekIncident[];
  /** Closed incidents, newest first (at most 50). */
  recentIncidents: MapekIncident[];
  /** Nodes excluded from FL and why. */
  excluded: Record<string, "byzantine" | "route">;
  shedding: boolean;
  /** The anomaly model's verdict on each node it does not call healthy. */
  anomalies: Record<string, AnomalyReading>;
  /** `null` until the model is trained. */
  anomalyModel: AnomalyModelSummary | null;
};

/** One tick of `GET /api/mapek/history` (`MapekTickSummary`). */
export type MapekTickSummary = { epoch: number; at: number; state: MapekStateName; phi: number; conditions: number; actions: number };

/** The body of `GET /api/mapek/history`, oldest tick first. */
export type MapekHistory = { ticks: MapekTickSummary[] };

/** The state φ falls in at the default thresholds (`CHAOTIC` below MYSTICAL). */
export function phiBand(phi: number): MapekStateName {
  return PHI_THRESHOLDS.find((t) => phi >= t.phi)?.state ?? "CHAOTIC";
}

/** φ per epoch for the chart, oldest first; a tick with a non-finite φ becomes a gap. */
export function phiSeries(history: MapekHistory | undefined): Array<{ x: number; y: number | null }> {
  return (history?.ticks ?? []).map((t) => ({ x: t.epoch, y: Number.isFinite(t.phi) ? Math.round(t.phi * 1000) / 1000 : null }));
}

/** How long an incident lasted (detected → healed), ms; `undefined` while it is open. */
export function incidentDurationMs(incident: Pick<MapekIncident, "detectedAt" | "healedAt">): number | undefined {
  return incident.healedAt === null ? undefined : Math.max(0, incident.healedAt - incident.detectedAt);
}

// --- Chaos (`GET /api/chaos/status`, `/api/chaos/runs`, `/api/chaos/runs/:id`) ---

/** A fault kind's wire name, e.g. `network-delay`. */
export type FaultKindName = string;

/** Statistics of one fault kind (`FaultKindStatistics`); MTTD/MTTR in ms over detected / healed nodes. */
export type FaultKindStatistics = { injected: number; active: number; recovered: number; failed: number; detected: number; healed: number; mttdMs: number | null; mttrMs: number | null };

/** One fault as the engine tracks it (`FaultStatus`), as far as the dashboard uses it. */
export type FaultStatus = {
  faultId: string;
  kind: FaultKindName;
  phase: "injecting" | "injected" | "recovering" | "recovered" | "failed";
  targets: string[];
  affected: string[];
  injectedAt: number | null;
  recoveredAt: number | null;
  durationMs: number;
  message: string | null;
};

/** A run's latest progress line (`ExperimentProgress`). */
export type ExperimentProgress = { at: number; phase: string; detail: string };

/** A finished run's journal (`ExperimentJournal`), as far as the dashboard uses it. */
export type ExperimentJournal = {
  status: "completed" | "failed" | "aborted" | "interrupted";
  deviated: boolean;
  startedAt: number;
  endedAt: number;
  mttdMs: number | null;
  mttrMs: number | null;
  /** Litmus score, 0–100. */
  resilienceScore: number;
  abortReason: string | null;
  records: { chaosReportCid: string; incidentCids: string[] } | null;
};

/** One chaos run (`ChaosRun`); `journal` is `null` in lists and while the run is in progress. */
export type ChaosRun = {
  runId: number;
  experiment: string;
  title: string;
  file: string | null;
  status: "running" | ExperimentJournal["status"];
  /** What started it; absent from coordinators that ran no schedules. */
  trigger?: "manual" | "schedule";
  timeScale: number;
  /** The method's length at the run's time scale, ms. */
  nominalDurationMs: number;
  startedAt: number;
  endedAt: number | null;
  progress: ExperimentProgress | null;
  reportCid: string | null;
  journal: ExperimentJournal | null;
};

/** The body of `GET /api/chaos/status`. */
export type ChaosStatus = {
  running: ChaosRun | null;
  last: ChaosRun | null;
  activeFaults: FaultStatus[];
  /** Every kind, zeros included. */
  statistics: Record<FaultKindName, FaultKindStatistics>;
};

/** The body of `GET /api/chaos/runs`, newest first. */
export type ChaosRuns = { runs: ChaosRun[] };

/** One experiment the coordinator runs on a schedule (`ExperimentScheduleStatus`); times in ms since epoch. */
export type ChaosSchedule = {
  experiment: string;
  file: string | null;
  /** Interval between firings, ms; `null` for a cron schedule. */
  everyMs: number | null;
  cron: string | null;
  /** Finished scheduled runs the coordinator keeps. */
  historyLimit: number;
  concurrencyPolicy: "Forbid";
  nextRunAt: number | null;
  lastFiredAt: number | null;
  fired: number;
  started: number;
  /** Firings that started nothing because a run was still going. */
  skipped: number;
  lastSkip: { at: number; reason: "overlap" | "busy"; runningRunId: number | null } | null;
  lastError: { at: number; message: string } | null;
  lastRun: { runId: number; status: ChaosRun["status"]; verdict: ChaosRun["status"] | "deviated"; resilienceScore: number | null; startedAt: number; endedAt: number | null } | null;
};

/** The body of `GET /api/chaos/schedules`, by experiment name. */
export type ChaosSchedules = { schedules: ChaosSchedule[] };

/** How a schedule fires, for people: `every 1h 00m` or `cron 0 * * * *`. */
export function scheduleLabel(schedule: Pick<ChaosSchedule, "everyMs" | "cron">): string {
  if (schedule.cron !== null) return `cron ${schedule.cron}`;
  return `every ${formatMilliseconds(schedule.everyMs)}`;
}

/**
 * How far a run is through its method: elapsed time over `nominalDurationMs`, in [0, 1].
 * Steady-state probes and recovery waits can run past the nominal length; the share then
 * stays at 1 while the phase says what is going on.
 *
 * @param run - `startedAt`, `nominalDurationMs`, `endedAt`.
 * @param now - ms since epoch (the browser's clock).
 */
export function runProgress(run: Pick<ChaosRun, "startedAt" | "endedAt" | "nominalDurationMs">, now: number): { elapsedMs: number; share: number } {
  const elapsedMs = Math.max(0, (run.endedAt ?? now) - run.startedAt);
  const share = run.nominalDurationMs > 0 ? Math.min(1, elapsedMs / run.nominalDurationMs) : 1;
  return { elapsedMs, share };
}

/** The fault kinds that saw any fault, most injected first, then by name. */
export function faultStatisticsRows(statistics: Record<FaultKindName, FaultKindStatistics> | undefined): Array<{ kind: FaultKindName } & FaultKindStatistics> {
  return Object.entries(statistics ?? {})
    .filter(([, s]) => s.injected > 0 || s.active > 0 || s.failed > 0)
    .map(([kind, s]) => ({ kind, ...s }))
    .sort((a, b) => b.injected - a.injected || a.kind.localeCompare(b.kind));
}

/**
 * Where the knowledge browser shows the ChaosReport with this CID: its record's anchor
 * once governance ratified it (`/knowledge?kind=ChaosReport#record-<id>`), else the
 * ChaosReport tab. The browser addresses records by id, not CID, so the CID is matched
 * against the ratified records' CIDs (binary on chain, any text form here).
 *
 * @param reportCid - the run's `reportCid`.
 * @param records - ratified ChaosReport records (`id`, `cid` as hex bytes).
 */
export function chaosReportLink(reportCid: string, records: ReadonlyArray<{ id: bigint; cid: Hex }> | undefined): { href: string; ratified: boolean } {
  const tab = "/knowledge?kind=ChaosReport";
  let wanted: CID;
  try {
    wanted = CID.parse(reportCid);
  } catch {
    return { href: tab, ratified: false };
  }
  for (const record of records ?? []) {
    try {
      if (cidFromHex(record.cid).equals(wanted)) return { href: `${tab}#record-${record.id}`, ratified: true };
    } catch {
      // A record whose CID bytes do not decode is not this report.
    }
  }
  return { href: tab, ratified: false };
}
