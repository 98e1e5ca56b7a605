/**
 * Alertmanager-style grouping: same cause within the window → one group; another
 * cause, or the same cause after the window → another group; groups settle only once
 * their window has passed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { groupIncidents, IncidentGrouper } from "../../../coordinator/mapek/incidentGrouper.ts";

type Item = { node: string; cause: string; at: number };

describe("incident grouping", () => {
  const group = (items: Item[], windowMs = 2000) =>
    groupIncidents(items, { windowMs, causeOf: (i) => i.cause, keyOf: (c) => c, detectedAt: (i) => i.at }).map((g) => g.members.map((m) => m.node));

  // Case table: incidents → the groups' members.
  const CASES: Array<[label: string, items: Item[], expected: string[][]]> = [
    ["10 nodes of one host down in one tick → one group", Array.from({ length: 10 }, (_, i) => ({ node: `n${i}`, cause: "down|host-a", at: 1000 })), [Array.from({ length: 10 }, (_, i) => `n${i}`)]],
    ["two causes at once → two groups", [{ node: "a", cause: "down|host-a", at: 1000 }, { node: "b", cause: "partitioned", at: 1000 }], [["a"], ["b"]]],
    ["one host, two hosts → two groups", [{ node: "a", cause: "down|host-a", at: 1000 }, { node: "b", cause: "down|host-b", at: 1000 }], [["a"], ["b"]]],
    ["within the window (its edge included) → one group", [{ node: "a", cause: "x", at: 1000 }, { node: "b", cause: "x", at: 2500 }, { node: "c", cause: "x", at: 3000 }], [["a", "b", "c"]]],
    ["after the window of the first → a new group", [{ node: "a", cause: "x", at: 1000 }, { node: "b", cause: "x", at: 2500 }, { node: "c", cause: "x", at: 3001 }], [["a", "b"], ["c"]]],
    ["order of arrival does not matter (detection order does)", [{ node: "c", cause: "x", at: 3500 }, { node: "a", cause: "x", at: 1000 }, { node: "b", cause: "x", at: 1200 }], [["a", "b"], ["c"]]],
  ];
  for (const [label, items, expected] of CASES) {
    it(label, () => assert.deepEqual(group(items), expected));
  }

  it("a window of 0 groups only what is detected at the same instant", () => {
    assert.deepEqual(group([{ node: "a", cause: "x", at: 1000 }, { node: "b", cause: "x", at: 1000 }, { node: "c", cause: "x", at: 1001 }], 0), [["a", "b"], ["c"]]);
  });

  it("a cause found late takes in its symptoms: find, join and absorb", () => {
    const grouper = new IncidentGrouper<string, string>({ keyOf: (c) => c, newId: (at) => `g-${at}` });
    grouper.add("unreachable", 1000, "a1", 2000);
    grouper.add("unreachable", 1000, "b1", 2000);
    const host = grouper.add("down|a", 1500, "a2", 2000);
    assert.deepEqual(grouper.absorb(host, (m) => m.startsWith("a")), ["a1"]);
    assert.equal(grouper.find("down|a", 3500), host);
    assert.equal(grouper.find("down|a", 3501), undefined, "after the window");
    grouper.join(host, "a3");
    assert.deepEqual(grouper.groups().map((g) => [g.key, g.members]), [["unreachable", ["b1"]], ["down|a", ["a2", "a1", "a3"]]]);
    grouper.absorb(host, (m) => m === "b1");
    assert.deepEqual(grouper.groups().map((g) => g.key), ["down|a"], "a group left empty is dropped");
  });

  it("settles a group only after its window, and only when `done` says so", () => {
    const grouper = new IncidentGrouper<string, { node: string; healed: boolean }>({ keyOf: (c) => c, newId: (at) => `g-${at}` });
    const a = { node: "a", healed: true };
    const b = { node: "b", healed: false };
    assert.equal(grouper.add("x", 1000, a, 2000).groupId, "g-1000");
    assert.equal(grouper.add("x", 1500, b, 2000).groupId, "g-1000");
    const allHealed = (g: { members: { healed: boolean }[] }) => g.members.every((m) => m.healed);
    b.healed = true;
    assert.deepEqual(grouper.settle(2999, allHealed), [], "the window is still open");
    a.healed = true;
    b.healed = false;
    assert.deepEqual(grouper.settle(3000, allHealed), [], "a member is still open");
    b.healed = true;
    const [settled, ...more] = grouper.settle(3000, allHealed);
    assert.deepEqual([settled?.groupId, settled?.members.map((m) => m.node), more], ["g-1000", ["a", "b"], []]);
    assert.deepEqual(grouper.groups(), []);
    assert.equal(grouper.add("x", 3000, { node: "c", healed: false }, 2000).groupId, "g-3000", "a settled group takes no new members");
  });
});
