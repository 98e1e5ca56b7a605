/** The coordinator's HTTP API as the dashboard reads it (`GET /api/status`, SSE `/api/events`). */

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
  if (!response.ok) throw new Error(`coordinator answered ${response.status} for ${path}`);
  return (await response.json()) as T;
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
