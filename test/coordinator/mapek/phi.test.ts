import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidThresholdsError } from "../../../coordinator/errors/mapek.ts";
import { classifyPhi, computePhi, GOLDEN_RATIO, thresholdsFromPolicy } from "../../../coordinator/mapek/phi.ts";
import { POLICY_PARAMETERS } from "../../../coordinator/policy/parameters.ts";

const policy = Object.fromEntries(POLICY_PARAMETERS.map((p) => [p.name, p.value])) as Parameters<typeof thresholdsFromPolicy>[0];
const perfect = { availability: 1, roundSuccess: 1, quality: 1, responsiveness: 1, trust: 1 };

describe("φ", () => {
  it("reads the thresholds from MeshPolicy (golden ratio × 0.9/0.7/0.5/0.3)", () => {
    const t = thresholdsFromPolicy(policy);
    assert.deepEqual(t, { euphoric: 1.456, harmonic: 1.133, contemplative: 0.809, mystical: 0.485 });
    for (const [threshold, share] of [[t.euphoric, 0.9], [t.harmonic, 0.7], [t.contemplative, 0.5], [t.mystical, 0.3]] as const) {
      assert.ok(Math.abs(threshold - GOLDEN_RATIO * share) < 0.001);
    }
    assert.throws(() => thresholdsFromPolicy({ ...policy, "mapek.harmonicMilli": 1500n }), InvalidThresholdsError);
  });

  it("is Φ for a perfect mesh and falls with each factor as a weighted geometric mean", () => {
    assert.equal(computePhi(perfect), GOLDEN_RATIO);
    assert.ok(Math.abs(computePhi({ ...perfect, availability: 0.5 }) - GOLDEN_RATIO * 0.5 ** 0.4) < 1e-12);
    assert.equal(computePhi({ ...perfect, roundSuccess: 0 }), 0, "one collapsed factor collapses φ");
    assert.equal(computePhi({ ...perfect, trust: 2 }), GOLDEN_RATIO, "factors are clamped to [0, 1]");
  });

  // State names are compared as strings: the original compared an integer enum with
  // names and so never entered EUPHORIC or MYSTICAL. Each band must be reachable.
  const t = thresholdsFromPolicy(policy);
  const cases = [
    { phi: 1.618, state: "EUPHORIC" },
    { phi: 1.456, state: "EUPHORIC" },
    { phi: 1.4559, state: "HARMONIC" },
    { phi: 1.133, state: "HARMONIC" },
    { phi: 1.0, state: "CONTEMPLATIVE" },
    { phi: 0.809, state: "CONTEMPLATIVE" },
    { phi: 0.6, state: "MYSTICAL" },
    { phi: 0.485, state: "MYSTICAL" },
    { phi: 0.4849, state: "CHAOTIC" },
    { phi: 0, state: "CHAOTIC" },
  ];
  for (const c of cases) {
    it(`φ = ${c.phi} is ${c.state}`, () => assert.equal(classifyPhi(c.phi, t), c.state));
  }
  it("is QUIESCENT while healing is in progress, whatever φ", () => {
    assert.equal(classifyPhi(1.6, t, true), "QUIESCENT");
    assert.equal(classifyPhi(0.1, t, true), "QUIESCENT");
  });
});
