/**
 * Steady-state probes: each measures one thing on the running system and says
 * whether it is within its tolerance.
 */
import http from "node:http";
import type { RoundRecord } from "../../fl/roundRunner.ts";
import type { MapekLoop } from "../../mapek/mapekLoop.ts";
import type { ChaosSystem } from "../system.ts";
import type { Probe } from "./experimentSchema.ts";

/** A probe's outcome (the ChaosReport's probe result shape, plus when). */
export type ProbeResult = { probe: string; tolerance: string; value: number | string | boolean | null; ok: boolean; at: number };

/** What probes read. */
export type ProbeDeps = { system: ChaosSystem; rounds: () => readonly RoundRecord[]; mapek?: MapekLoop | undefined; now?: () => number };

function get(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      // Any answer is timed: a 503 from a readiness check whose chain is away is still the API answering.
      response.on("end", () => resolve(performance.now() - started));
    });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", reject);
  });
}

/** The tolerance as text, as written in the report. */
export function describeTolerance(probe: Probe): string {
  switch (probe.type) {
    case "round-completion":
      return `completed/last ${probe.window} >= ${probe.tolerance.minCompletedRatio}${probe.tolerance.maxSinceLastRoundMs ? ` and a round within ${probe.tolerance.maxSinceLastRoundMs} ms` : ""}`;
    case "accuracy":
      return `accuracy >= ${probe.tolerance.min}`;
    case "api-latency":
      return `p95 of ${probe.samples} GET ${probe.path} <= ${probe.tolerance.maxP95Ms} ms`;
    case "mapek-state":
      return `state in ${probe.tolerance.in.join("|")}`;
    case "nodes-healthy":
      return `healthy/total >= ${probe.tolerance.minFraction}`;
  }
}

/**
 * Runs one probe.
 *
 * @param probe - its definition.
 * @param deps - the system, FL round history, and the MAPE-K loop.
 * @param timeScale - scales the round staleness tolerance with the experiment's durations.
 */
export async function runProbe(probe: Probe, deps: ProbeDeps, timeScale = 1): Promise<ProbeResult> {
  const now = deps.now ?? Date.now;
  const tolerance = describeTolerance(probe);
  const result = (value: ProbeResult["value"], ok: boolean): ProbeResult => ({ probe: probe.name, tolerance, value, ok, at: now() });
  switch (probe.type) {
    case "round-completion": {
      const recent = deps.rounds().slice(-probe.window);
      if (recent.length === 0) return result(null, false);
      const ratio = recent.filter((r) => r.status === "completed").length / recent.length;
      const last = recent.at(-1) as RoundRecord;
      const since = now() - (Date.parse(last.startedAt) + last.durationMs);
      const fresh = probe.tolerance.maxSinceLastRoundMs === undefined || since <= Math.max(probe.tolerance.maxSinceLastRoundMs * timeScale, probe.tolerance.maxSinceLastRoundMs * 0.1, 5000);
      return result(Number(ratio.toFixed(3)), ratio >= probe.tolerance.minCompletedRatio && fresh);
    }
    case "accuracy": {
      const last = [...deps.rounds()].reverse().find((r) => r.evaluation);
      const accuracy = last?.evaluation?.accuracy ?? null;
      return result(accuracy === null ? null : Number(accuracy.toFixed(4)), accuracy !== null && accuracy >= probe.tolerance.min);
    }
    case "api-latency": {
      const url = new URL(probe.path, deps.system.apiUrl()).toString();
      const times: number[] = [];
      for (let i = 0; i < probe.samples; i++) {
        try {
          times.push(await get(url, Math.max(1000, probe.tolerance.maxP95Ms * 10)));
        } catch {
          times.push(Number.POSITIVE_INFINITY);
        }
      }
      times.sort((a, b) => a - b);
      const p95 = times[Math.min(times.length - 1, Math.ceil(0.95 * times.length) - 1)] as number;
      return result(Number.isFinite(p95) ? Math.round(p95 * 10) / 10 : "unreachable", p95 <= probe.tolerance.maxP95Ms);
    }
    case "mapek-state": {
      const state = deps.mapek?.state ?? null;
      return result(state, state !== null && probe.tolerance.in.includes(state));
    }
    case "nodes-healthy": {
      const analysis = deps.mapek?.lastTick?.analysis;
      if (!analysis) return result(null, false);
      const fraction = analysis.total ? analysis.healthy / analysis.total : 1;
      return result(Number(fraction.toFixed(3)), fraction >= probe.tolerance.minFraction);
    }
  }
}
