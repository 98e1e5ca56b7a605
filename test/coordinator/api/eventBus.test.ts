/**
 * The in-process event bus (coordinator/events.ts): typed publish/subscribe, filters,
 * a failing listener isolated, bounded history for resuming clients.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createEventBus, matchesEventTypes, type SynodEvent } from "../../../coordinator/events.ts";

describe("event bus", () => {
  it("delivers to every matching listener in order, with increasing ids", () => {
    const bus = createEventBus();
    const all: SynodEvent[] = [];
    const fl: SynodEvent[] = [];
    bus.subscribe((event) => all.push(event));
    bus.subscribe((event) => fl.push(event), { types: ["fl"] });
    bus.publish("fl.round.finished", { round: 1, status: "completed", participants: 3 });
    bus.publish("mapek.state.changed", { from: "HARMONIC", to: "EUPHORIC", phi: 0.95 });
    assert.deepEqual(all.map((event) => [event.id, event.type]), [[1, "fl.round.finished"], [2, "mapek.state.changed"]]);
    assert.deepEqual(fl.map((event) => event.type), ["fl.round.finished"]);
  });

  it("a listener that throws is reported and the others still receive the event", () => {
    const failures: unknown[] = [];
    const bus = createEventBus({ onListenerError: (error) => failures.push(error) });
    const received: number[] = [];
    bus.subscribe(() => {
      throw new Error("broken subscriber");
    });
    bus.subscribe((event) => received.push(event.id));
    const event = bus.publish("knowledge.record.published", { kind: "Model", cid: "bafy" });
    assert.deepEqual(received, [event.id]);
    assert.equal((failures[0] as Error).message, "broken subscriber");
  });

  it("unsubscribe stops delivery, even from inside a listener", () => {
    const bus = createEventBus();
    let count = 0;
    const stop = bus.subscribe(() => {
      count++;
      stop();
    });
    bus.publish("governance.proposal.changed", { proposalId: "1", state: "Active" });
    bus.publish("governance.proposal.changed", { proposalId: "1", state: "Defeated" });
    assert.equal(count, 1);
    assert.equal(bus.listenerCount, 0);
  });

  it("keeps the last historySize events for since()", () => {
    const bus = createEventBus({ historySize: 2 });
    for (let round = 1; round <= 4; round++) bus.publish("fl.round.finished", { round, status: "completed", participants: 1 });
    assert.deepEqual(bus.since(0).map((event) => event.id), [3, 4]);
    assert.deepEqual(bus.since(3).map((event) => event.id), [4]);
    assert.deepEqual(bus.since(0, { types: ["mesh"] }), []);
    assert.throws(() => createEventBus({ historySize: -1 }), RangeError);
  });

  it("type filters match whole names and dotted prefixes only", () => {
    assert.equal(matchesEventTypes("fl.round.finished", undefined), true);
    assert.equal(matchesEventTypes("fl.round.finished", []), true);
    assert.equal(matchesEventTypes("fl.round.finished", ["fl"]), true);
    assert.equal(matchesEventTypes("fl.round.finished", ["fl.round"]), true);
    assert.equal(matchesEventTypes("fl.round.finished", ["fl.round.finished"]), true);
    assert.equal(matchesEventTypes("fl.round.finished", ["f"]), false);
    assert.equal(matchesEventTypes("fl.round.finished", ["fl.round.fin"]), false);
  });
});
