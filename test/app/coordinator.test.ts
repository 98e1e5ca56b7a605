import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CID } from "multiformats/cid";
import { bytesToHex } from "viem";
import { chaosRoutes } from "../../coordinator/api/chaos.ts";
import { mapekRoutes } from "../../coordinator/api/mapek.ts";
import { PHI_WEIGHTS } from "../../coordinator/mapek/phi.ts";
import { POLICY_PARAMETERS } from "../../coordinator/policy/parameters.ts";
import {
  PHI_FACTORS,
  PHI_THRESHOLDS,
  CoordinatorResponseError,
  chaosReportLink,
  chaosUnavailableMessage,
  coordinatorErrorText,
  faultStatisticsRows,
  flProgress,
  incidentDurationMs,
  latestMapekState,
  mergeFlProgress,
  phiBand,
  phiSeries,
  readCoordinatorJson,
  readCoordinatorStatus,
  runProgress,
  phiThresholdsOf,
  scheduleLabel,
  type CoordinatorEvent,
  type FaultKindStatistics,
  type MapekTickSummary,
} from "../../app/lib/coordinator.ts";
import { buildTestApp } from "../coordinator/api/helper.ts";

const event = (id: number, type: string, data: Record<string, unknown>): CoordinatorEvent => ({
  id,
  type,
  time: new Date(Date.UTC(2026, 10, 27, 3, 0, id)).toISOString(),
  data,
});

describe("coordinator events for the dashboard", () => {
  const events = [
    event(1, "fl.round.finished", { round: 2, status: "completed", participants: 8, holdoutAccuracy: 0.7 }),
    event(2, "mapek.state.changed", { from: "HARMONIC", to: "CHAOTIC", phi: 0.4 }),
    event(3, "fl.round.finished", { round: 1, status: "completed", participants: 9, holdoutAccuracy: 0.5 }),
    event(4, "fl.round.finished", { round: 3, status: "failed", participants: 1, reason: "too few updates" }),
    event(5, "mapek.state.changed", { from: "CHAOTIC", to: "HARMONIC", phi: 1.2 }),
    event(6, "mesh.incident", { incidentId: "i", phase: "healed", fault: "node-failure", nodes: ["n"] }),
  ];

  it("orders FL rounds and keeps failed ones without accuracy", () => {
    assert.deepEqual(flProgress(events), [
      { round: 1, accuracy: 0.5, participants: 9, status: "completed" },
      { round: 2, accuracy: 0.7, participants: 8, status: "completed" },
      { round: 3, accuracy: undefined, participants: 1, status: "failed" },
    ]);
  });

  it("takes the latest MAPE-K state change", () => {
    assert.deepEqual(latestMapekState(events), { state: "HARMONIC", phi: 1.2, time: events[4]!.time });
    assert.equal(latestMapekState(events.filter((e) => e.type !== "mapek.state.changed")), undefined);
  });

  it("merges the metrics endpoint with live rounds, the live accuracy winning", () => {
    const merged = mergeFlProgress(
      { accuracy: [{ round: 1, accuracy: 0.45 }, { round: 3, accuracy: 0.8 }, { round: 0, accuracy: 0.1 }] },
      events,
    );
    assert.deepEqual(merged, [
      { round: 0, accuracy: 0.1 },
      { round: 1, accuracy: 0.5 },
      { round: 2, accuracy: 0.7 },
      { round: 3, accuracy: 0.8 },
    ]);
    assert.deepEqual(mergeFlProgress(undefined, []), []);
  });
});

describe("coordinator reads", () => {
  it("says the coordinator is not reachable, with its URL, when the connection fails", async () => {
    const fetchFn = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    await assert.rejects(readCoordinatorStatus({ coordinatorUrl: "http://127.0.0.1:1", fetchFn }), {
      message: "coordinator not reachable at http://127.0.0.1:1: fetch failed",
    });
  });

  it("reports HTTP errors and returns JSON bodies", async () => {
    const calls: string[] = [];
    const fetchFn = (async (url: string) => {
      calls.push(url);
      return url.endsWith("/api/fl/metrics") ? Response.json({ byzantineDetections: 2 }) : new Response("no", { status: 503 });
    }) as typeof fetch;
    assert.deepEqual(await readCoordinatorJson({ coordinatorUrl: "http://c.test/", path: "/api/fl/metrics", fetchFn }), {
      byzantineDetections: 2,
    });
    await assert.rejects(readCoordinatorJson({ coordinatorUrl: "http://c.test", path: "/api/fl/status", fetchFn }), {
      message: "coordinator answered 503 for /api/fl/status",
    });
    assert.deepEqual(calls, ["http://c.test/api/fl/metrics", "http://c.test/api/fl/status"]);
  });
});

describe("MAPE-K for the dashboard", () => {
  it("knows the coordinator's factor weights and default thresholds", () => {
    assert.deepEqual(Object.fromEntries(PHI_FACTORS.map((f) => [f.key, f.weight])), PHI_WEIGHTS);
    const milli = (name: string) => Number(POLICY_PARAMETERS.find((p) => p.name === name)!.value) / 1000;
    assert.deepEqual(
      PHI_THRESHOLDS.map((t) => [t.state, t.phi]),
      [
        ["EUPHORIC", milli("mapek.euphoricMilli")],
        ["HARMONIC", milli("mapek.harmonicMilli")],
        ["CONTEMPLATIVE", milli("mapek.contemplativeMilli")],
        ["MYSTICAL", milli("mapek.mysticalMilli")],
      ],
    );
  });

  it("draws the thresholds in force when the coordinator reports them, else the defaults", () => {
    assert.deepEqual(phiThresholdsOf(null), PHI_THRESHOLDS);
    assert.deepEqual(
      phiThresholdsOf({ euphoric: 1.5, harmonic: 1.2, contemplative: 0.9, mystical: 0.4 }).map((t) => [t.state, t.phi]),
      [["EUPHORIC", 1.5], ["HARMONIC", 1.2], ["CONTEMPLATIVE", 0.9], ["MYSTICAL", 0.4]],
    );
  });

  it("bands φ with the thresholds inclusive, CHAOTIC below the lowest", () => {
    const cases: Array<[number, string]> = [
      [1.618, "EUPHORIC"],
      [1.456, "EUPHORIC"],
      [1.4559, "HARMONIC"],
      [1.133, "HARMONIC"],
      [0.9, "CONTEMPLATIVE"],
      [0.485, "MYSTICAL"],
      [0.484, "CHAOTIC"],
      [0, "CHAOTIC"],
    ];
    for (const [phi, state] of cases) assert.equal(phiBand(phi), state, `φ ${phi}`);
  });

  it("charts φ per epoch, rounded, with a gap for a non-finite value", () => {
    const tick = (epoch: number, phi: number): MapekTickSummary => ({ epoch, at: 1_000 * epoch, state: "HARMONIC", phi, conditions: 0, actions: 0 });
    assert.deepEqual(phiSeries({ ticks: [tick(1, 1.23456), tick(2, Number.NaN), tick(3, 0.5)] }), [
      { x: 1, y: 1.235 },
      { x: 2, y: null },
      { x: 3, y: 0.5 },
    ]);
    assert.deepEqual(phiSeries(undefined), []);
  });

  it("measures an incident from detection to healing, and not while it is open", () => {
    assert.equal(incidentDurationMs({ detectedAt: 10_000, healedAt: 14_500 }), 4_500);
    assert.equal(incidentDurationMs({ detectedAt: 10_000, healedAt: null }), undefined);
    assert.equal(incidentDurationMs({ detectedAt: 10_000, healedAt: 9_000 }), 0);
  });
});

describe("chaos for the dashboard", () => {
  const stats = (s: Partial<FaultKindStatistics>): FaultKindStatistics => ({
    injected: 0, active: 0, recovered: 0, failed: 0, detected: 0, healed: 0, mttdMs: null, mttrMs: null, ...s,
  });

  it("measures a run's progress against its nominal length, capped at the end", () => {
    const run = { startedAt: 1_000, endedAt: null, nominalDurationMs: 10_000 };
    assert.deepEqual(runProgress(run, 3_500), { elapsedMs: 2_500, share: 0.25 });
    assert.deepEqual(runProgress(run, 20_000), { elapsedMs: 19_000, share: 1 });
    assert.deepEqual(runProgress(run, 500), { elapsedMs: 0, share: 0 }, "a browser clock behind the coordinator's");
    assert.deepEqual(runProgress({ ...run, endedAt: 6_000 }, 50_000), { elapsedMs: 5_000, share: 0.5 });
    assert.deepEqual(runProgress({ ...run, nominalDurationMs: 0 }, 1_000), { elapsedMs: 0, share: 1 });
  });

  it("lists only fault kinds that saw faults, most injected first", () => {
    const rows = faultStatisticsRows({
      "node-crash": stats({ injected: 2, recovered: 2, mttdMs: 800, mttrMs: 4_000 }),
      "clock-skew": stats({}),
      "link-down": stats({ injected: 2, active: 1, recovered: 1 }),
      byzantine: stats({ injected: 5, recovered: 5 }),
      "cpu-stress": stats({ failed: 1 }),
    });
    assert.deepEqual(rows.map((r) => r.kind), ["byzantine", "link-down", "node-crash", "cpu-stress"]);
    assert.equal(rows[2]!.mttrMs, 4_000);
    assert.deepEqual(faultStatisticsRows(undefined), []);
  });

  it("links a ChaosReport to its ratified record by CID, else to the ChaosReport tab", () => {
    const cid = CID.parse("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
    const other = CID.parse("bafkreidgvpkjawlxz6sffxzwgooowe5yt7i6wsyg236mfoks77nywkptdq");
    const records = [
      { id: (2n << 40n) | 1n, cid: bytesToHex(other.bytes) },
      { id: (2n << 40n) | 2n, cid: bytesToHex(cid.bytes) },
    ];
    assert.deepEqual(chaosReportLink(cid.toString(), records), { href: `/knowledge?kind=ChaosReport#record-${(2n << 40n) | 2n}`, ratified: true });
    assert.deepEqual(chaosReportLink(cid.toString(), records.slice(0, 1)), { href: "/knowledge?kind=ChaosReport", ratified: false });
    assert.deepEqual(chaosReportLink(cid.toString(), undefined), { href: "/knowledge?kind=ChaosReport", ratified: false });
    assert.deepEqual(chaosReportLink("not a cid", records), { href: "/knowledge?kind=ChaosReport", ratified: false });
  });

  it("says how a schedule fires: its interval or its cron line", () => {
    assert.equal(scheduleLabel({ everyMs: 3_600_000, cron: null }), "every 1h 00m");
    assert.equal(scheduleLabel({ everyMs: 90_000, cron: null }), "every 1m 30s");
    assert.equal(scheduleLabel({ everyMs: null, cron: "*/5 * * * *" }), "cron */5 * * * *");
  });
});

describe("coordinator errors for the dashboard", () => {
  const answer = (status: number, body: unknown) => (async () =>
    typeof body === "string" ? new Response(body, { status }) : Response.json(body, { status })) as unknown as typeof fetch;

  it("carries the coordinator's error name and message", async () => {
    const error = await readCoordinatorJson({
      coordinatorUrl: "http://c.test",
      path: "/api/chaos/runs/9",
      fetchFn: answer(404, { error: { name: "UnknownChaosRunError", message: "No chaos run 9." } }),
    }).catch((e: unknown) => e);
    assert.ok(error instanceof CoordinatorResponseError);
    assert.equal(error.status, 404);
    assert.equal(error.errorName, "UnknownChaosRunError");
    assert.equal(error.message, "coordinator answered 404 for /api/chaos/runs/9: No chaos run 9.");
    assert.equal(coordinatorErrorText(error), "No chaos run 9.");
    assert.equal(chaosUnavailableMessage(error), undefined);
    assert.equal(coordinatorErrorText(new Error("fetch failed")), "fetch failed");
  });

  it("says why chaos and MAPE-K are unavailable, whichever body shape the 503 has", async () => {
    const read = (path: `/${string}`, status: number, body: unknown) =>
      readCoordinatorJson({ coordinatorUrl: "http://c.test", path, fetchFn: answer(status, body) }).catch((e: unknown) => e);
    const message = "Chaos experiments and the MAPE-K loop are not running here: the mesh runs in-process.";
    assert.equal(chaosUnavailableMessage(await read("/api/mapek", 503, { error: { name: "ChaosUnavailableError", message } })), message);
    assert.equal(chaosUnavailableMessage(await read("/api/chaos/status", 503, { name: "ChaosUnavailableError", message })), message);
    // An older coordinator hid 5xx bodies: the 503 of these routes still means "not here".
    const hidden = await read("/api/chaos/status", 503, { error: { name: "InternalServerError", message: "The coordinator failed…", requestId: "r" } });
    assert.match(chaosUnavailableMessage(hidden) ?? "", /not running on this coordinator/);
    assert.equal(chaosUnavailableMessage(await read("/api/fl/status", 503, "busy")), undefined, "other routes' 503 is an error");
    assert.equal(chaosUnavailableMessage(await read("/api/mapek", 500, { error: { name: "InternalServerError", message: "x" } })), undefined);
    assert.equal(chaosUnavailableMessage(new Error("coordinator not reachable")), undefined);
  });

  it("recognises the real coordinator's answer where its mesh is not hosted", async (t) => {
    const reason = "SYNOD_MESH_NODES_PER_HOST is 0";
    const { app } = await buildTestApp(t, {
      app: { routes: [chaosRoutes({ runner: null, unavailable: reason }), mapekRoutes({ loop: null, unavailable: reason })] },
    });
    const fetchFn = (async (url: string) => {
      const response = await app.inject({ method: "GET", url: new URL(url).pathname + new URL(url).search });
      return new Response(response.body, { status: response.statusCode, headers: { "content-type": String(response.headers["content-type"]) } });
    }) as unknown as typeof fetch;
    for (const path of ["/api/mapek", "/api/mapek/history?limit=10", "/api/chaos/status", "/api/chaos/runs?limit=10"] as const) {
      const error = await readCoordinatorJson({ coordinatorUrl: "http://c.test", path, fetchFn }).catch((e: unknown) => e);
      assert.ok(error instanceof CoordinatorResponseError, path);
      assert.equal(error.status, 503, path);
      assert.equal(error.errorName, "ChaosUnavailableError", path);
      assert.match(chaosUnavailableMessage(error) ?? "", /not running here: SYNOD_MESH_NODES_PER_HOST is 0/, path);
    }
  });
});
