/**
 * The coordinator's HTTP API as the dashboard reads it: `GET /api/status`, SSE
 * `/api/events`, FL status and metrics, the MAPE-K loop (`/api/mapek`) and chaos
 * experiments (`/api/chaos`). Plain functions, no React: the hooks wire them into queries.
 */
import { CID } from "multiformats/cid";
import type { Hex } from "viem";
import { formatMilliseconds } from "./format.ts";
import { cidFromHex } from "./verifyCid.ts";

// Wire types come from the coordinator's zod schemas, the API's one contract. Type-only
// imports, but for MAPEK_STATES: that brings the mapek schema module (zod and the
// MapekSnapshot schema, which the browser already loads for epoch manifests).
import type {
  ChaosRun,
  ChaosRunList,
  ChaosSchedule,
  ChaosScheduleList,
  ChaosStatus,
  ExperimentJournal,
  ExperimentProgress,
  FaultKindStatistics,
  FaultStatus,
} from "../../coordinator/api/schemas/chaos.ts";
import type { CoordinatorEvent } from "../../coordinator/api/schemas/events.ts";
import type { FlMetrics, FlStatus } from "../../coordinator/api/schemas/fl.ts";
import type { HealthCheckReport } from "../../coordinator/api/schemas/health.ts";
import type {
  AnomalyModelSummary,
  AnomalyReading,
  MapekAction,
  MapekHistory,
  MapekIncident,
  MapekStateName,
  MapekStatus,
  MapekTickSummary,
  NodeCondition,
  PhiFactors,
  PhiThresholds,
  TelemetryClass,
} from "../../coordinator/api/schemas/mapek.ts";
import type { StatusReport } from "../../coordinator/api/schemas/status.ts";

/** The MAPE-K states, from healthiest to idle (those of the MapekSnapshot schema). */
export { MAPEK_STATES } from "../../coordinator/api/schemas/mapek.ts";

export type {
  AnomalyModelSummary,
  AnomalyReading,
  ChaosRun,
  ChaosRunList,
  ChaosSchedule,
  ChaosScheduleList,
  ChaosStatus,
  CoordinatorEvent,
  ExperimentJournal,
  ExperimentProgress,
  FaultKindStatistics,
  FaultStatus,
  FlMetrics,
  FlStatus,
  HealthCheckReport,
  MapekAction,
  MapekHistory,
  MapekIncident,
  MapekStateName,
  MapekStatus,
  MapekTickSummary,
  NodeCondition,
  PhiFactors,
  PhiThresholds,
  StatusReport,
  TelemetryClass,
};

/** Reads `/api/status`; throws with a readable message when the coordinator cannot be reached. */
export async function readCoordinatorStatus({
  coordinatorUrl,
  fetchFn = fetch,
  signal,
}: {
  coordinatorUrl: string;
  fetchFn?: typeof fetch;
  signal?: AbortSignal;
}): Promise<StatusReport> {
  const url = `${coordinatorUrl.replace(/\/+$/, "")}/api/status`;
  let response: Response;
  try {
    response = await fetchFn(url, { headers: { accept: "application/json" }, ...(signal ? { signal } : {}) });
  } catch (error) {
    throw new Error(`coordinator not reachable at ${coordinatorUrl}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`coordinator answered ${response.status} at ${url}`);
  return (await response.json()) as StatusReport;
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

/** Accuracy per round from the metrics endpoint and the live events, the newer source winning per round. */
export function mergeFlProgress(metrics: { accuracy: ReadonlyArray<{ round: number; accuracy: number }> } | undefined, events: readonly CoordinatorEvent[]): Array<{ round: number; accuracy: number | null }> {
  const byRound = new Map<number, number | null>();
  for (const point of metrics?.accuracy ?? []) byRound.set(point.round, point.accuracy);
  for (const point of flProgress(events)) {
    if (point.accuracy !== undefined || !byRound.has(point.round)) byRound.set(point.round, point.accuracy ?? null);
  }
  return [...byRound].map(([round, accuracy]) => ({ round, accuracy })).sort((a, b) => a.round - b.round);
}

// --- MAPE-K (`GET /api/mapek`, `GET /api/mapek/history`) ---

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
] as const satisfies ReadonlyArray<{ key: keyof PhiFactors; symbol: string; label: string; weight: number; description: string }>;

/** The state φ falls in at the default thresholds (`CHAOTIC` below MYSTICAL). */
export function phiBand(phi: number): MapekStateName {
  return PHI_THRESHOLDS.find((t) => phi >= t.phi)?.state ?? "CHAOTIC";
}

/** φ per epoch for the chart, oldest first; a tick without a finite φ becomes a gap. */
export function phiSeries(history: MapekHistory | undefined): Array<{ x: number; y: number | null }> {
  return (history?.ticks ?? []).map((t) => ({ x: t.epoch, y: t.phi !== null && Number.isFinite(t.phi) ? Math.round(t.phi * 1000) / 1000 : null }));
}

/** How long an incident lasted (detected → healed), ms; `undefined` while it is open. */
export function incidentDurationMs(incident: Pick<MapekIncident, "detectedAt" | "healedAt">): number | undefined {
  return incident.healedAt === null ? undefined : Math.max(0, incident.healedAt - incident.detectedAt);
}

// --- Chaos (`GET /api/chaos/status`, `/api/chaos/runs`, `/api/chaos/runs/:id`) ---

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
export function faultStatisticsRows(statistics: Record<string, FaultKindStatistics> | undefined): Array<{ kind: string } & FaultKindStatistics> {
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
