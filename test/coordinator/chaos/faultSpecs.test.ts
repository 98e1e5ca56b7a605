import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FAULT_KIND_NAMES } from "../../../coordinator/chaos/fault.ts";
import { FAULT_KINDS } from "../../../coordinator/chaos/faults/index.ts";
import { parseRate } from "../../../coordinator/chaos/faults/networkBandwidth.ts";

const sel = { mode: "one" };
/** One valid spec per kind, and one invalid spec with the paths its validator must report. */
const cases = {
  "node-crash": { valid: { selector: sel, durationMs: 30_000 }, invalid: { selector: { mode: "fixed" }, durationMs: -1 }, paths: ["durationMs", "selector.value"] },
  "node-pause": { valid: { selector: sel, durationMs: 1000 }, invalid: { selector: sel, durationMs: 0 }, paths: ["durationMs"] },
  "node-restart": { valid: { selector: sel, durationMs: 0, gracePeriodMs: 100 }, invalid: { selector: sel, durationMs: 0, gracePeriodMs: -5 }, paths: ["gracePeriodMs"] },
  "network-partition": { valid: { selector: { mode: "fixed-percent", value: 30 }, durationMs: 60_000, direction: "both" }, invalid: { selector: { mode: "fixed-percent", value: 300 }, durationMs: 60_000, direction: "sideways" }, paths: ["direction", "selector.value"] },
  "link-down": { valid: { selector: sel, durationMs: 1000 }, invalid: { selector: sel, durationMs: 1000, extra: 1 }, paths: [""] },
  "network-delay": { valid: { selector: sel, durationMs: 1000, latencyMs: 500, jitterMs: 100 }, invalid: { selector: sel, durationMs: 1000, latencyMs: 100, jitterMs: 200 }, paths: ["jitterMs"] },
  "network-loss": { valid: { selector: sel, durationMs: 1000, lossPercent: 10 }, invalid: { selector: sel, durationMs: 1000, lossPercent: 0 }, paths: ["lossPercent"] },
  "network-bandwidth": { valid: { selector: sel, durationMs: 1000, rate: "1mbps" }, invalid: { selector: sel, durationMs: 0, rate: "fast" }, paths: ["rate", "durationMs"] },
  byzantine: { valid: { selector: sel, durationMs: 1000, attack: { kind: "gaussian-noise", std: 1 } }, invalid: { selector: sel, durationMs: 1000, attack: { kind: "alie" } }, paths: ["attack.kind"] },
  "cpu-stress": { valid: { selector: sel, durationMs: 1000, workers: 1, loadPercent: 95 }, invalid: { selector: sel, durationMs: 1000, workers: 0, loadPercent: 101 }, paths: ["workers", "loadPercent"] },
  "request-flood": { valid: { durationMs: 1000, concurrency: 32 }, invalid: { durationMs: 1000, concurrency: 0, path: "no-slash" }, paths: ["concurrency", "path"] },
  "clock-skew": { valid: { selector: sel, durationMs: 1000, offsetMs: -5000 }, invalid: { selector: sel, durationMs: 1000, offsetMs: 0 }, paths: ["offsetMs"] },
} as const;

describe("fault kinds", () => {
  it("every kind is in the dispatch map under its wire name", () => {
    assert.deepEqual(Object.keys(FAULT_KINDS).sort(), [...FAULT_KIND_NAMES].sort());
    for (const [name, def] of Object.entries(FAULT_KINDS)) assert.equal(def.kind, name);
  });
  for (const kind of FAULT_KIND_NAMES) {
    it(`${kind}: accepts a valid spec and reports every problem of an invalid one with its path`, () => {
      const c = cases[kind];
      const ok = FAULT_KINDS[kind].validate(c.valid);
      assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.issues));
      const bad = FAULT_KINDS[kind].validate(c.invalid);
      assert.equal(bad.ok, false);
      if (!bad.ok) assert.deepEqual(bad.issues.map((i) => i.path).sort(), [...c.paths].sort());
    });
  }
  it("parses Chaos Mesh rates to bytes per second", () => {
    assert.equal(parseRate("8bps"), 1);
    assert.equal(parseRate("1mbps"), 125_000);
    assert.equal(parseRate("100kbps"), 12_500);
    assert.equal(parseRate("1 mb"), null);
  });
});
