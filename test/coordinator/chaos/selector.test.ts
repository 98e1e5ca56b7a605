import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selectTargets, validateSelector } from "../../../coordinator/chaos/selector.ts";

const nodes = Array.from({ length: 10 }, (_, i) => `node-${String(i).padStart(3, "0")}`);

describe("selectTargets", () => {
  const cases = [
    { name: "one", selector: { mode: "one" as const }, count: 1 },
    { name: "all", selector: { mode: "all" as const }, count: 10 },
    { name: "fixed 3", selector: { mode: "fixed" as const, value: 3 }, count: 3 },
    { name: "fixed-percent 30", selector: { mode: "fixed-percent" as const, value: 30 }, count: 3 },
    { name: "fixed-percent 1 rounds up to one node", selector: { mode: "fixed-percent" as const, value: 1 }, count: 1 },
    { name: "all minus excluded", selector: { mode: "all" as const, exclude: ["node-000", "node-001"] }, count: 8 },
  ];
  for (const c of cases) {
    it(`selects ${c.count} with ${c.name}`, () => {
      const result = selectTargets(c.selector, nodes, 7);
      assert.ok(result.ok);
      assert.equal(result.targets.length, c.count);
      assert.equal(new Set(result.targets).size, c.count);
      for (const t of result.targets) assert.ok(nodes.includes(t));
      if (c.selector.exclude) for (const t of c.selector.exclude) assert.ok(!result.targets.includes(t));
    });
  }

  it("is deterministic per seed and independent of candidate order", () => {
    const a = selectTargets({ mode: "fixed", value: 4 }, nodes, 42);
    const b = selectTargets({ mode: "fixed", value: 4 }, [...nodes].reverse(), 42);
    assert.deepEqual(a, b);
    const seeds = new Set(Array.from({ length: 20 }, (_, s) => JSON.stringify(selectTargets({ mode: "fixed", value: 4 }, nodes, s))));
    assert.ok(seeds.size > 5, "different seeds pick different sets");
  });

  it("random-max-percent picks between 1 and the cap", () => {
    const sizes = new Set<number>();
    for (let seed = 0; seed < 50; seed++) {
      const r = selectTargets({ mode: "random-max-percent", value: 50 }, nodes, seed);
      assert.ok(r.ok);
      assert.ok(r.targets.length >= 1 && r.targets.length <= 5);
      sizes.add(r.targets.length);
    }
    assert.ok(sizes.size > 2);
  });

  it("ids must exist; fixed may not exceed the candidates", () => {
    assert.deepEqual(selectTargets({ mode: "ids", ids: ["node-002", "node-001"] }, nodes, 1), { ok: true, targets: ["node-001", "node-002"] });
    const missing = selectTargets({ mode: "ids", ids: ["node-999"] }, nodes, 1);
    assert.equal(missing.ok, false);
    assert.equal(selectTargets({ mode: "fixed", value: 11 }, nodes, 1).ok, false);
    assert.equal(selectTargets({ mode: "one" }, [], 1).ok, false);
  });
});

describe("validateSelector", () => {
  it("collects every problem with its path", () => {
    assert.deepEqual(validateSelector({ mode: "ids" }), [{ path: "ids", message: "is required and non-empty for mode ids" }]);
    assert.deepEqual(
      validateSelector({ mode: "one", ids: ["a"], value: 3 }).map((i) => i.path),
      ["ids", "value"],
    );
    assert.deepEqual(validateSelector({ mode: "fixed", value: 2.5 }).map((i) => i.path), ["value"]);
    assert.deepEqual(validateSelector({ mode: "fixed-percent", value: 150 }).map((i) => i.path), ["value"]);
    assert.deepEqual(validateSelector({ mode: "fixed-percent", value: 30 }), []);
  });
});
