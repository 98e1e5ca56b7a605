/** The coordinator's HTTP API as the dashboard reads it (`GET /api/status`, SSE `/api/events`). */

export type CoordinatorComponent = { name?: string; status?: string; ok?: boolean; detail?: unknown } & Record<string, unknown>;

export type CoordinatorStatus = {
  name: string;
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  ready: boolean;
  components: unknown;
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
