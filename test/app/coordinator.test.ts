import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  flProgress,
  latestMapekState,
  mergeFlProgress,
  readCoordinatorJson,
  readCoordinatorStatus,
  type CoordinatorEvent,
} from "../../app/lib/coordinator.ts";

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
