import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRng } from "../../../coordinator/fl/random.ts";
import { Reputation } from "../../../coordinator/fl/reputation.ts";
import { sampleClients } from "../../../coordinator/fl/sampling.ts";

describe("Reputation", () => {
  const ids = Array.from({ length: 50 }, (_, i) => `n${i}`);

  it("never bans honest nodes flagged at the base rate over 2000 rounds", () => {
    // Prepare: a Multi-Krum-like rule flags 10 of 50 clients per round at random.
    const rep = new Reputation();
    const rng = createRng(3);
    let minTrust = 1;
    // Execute
    for (let round = 0; round < 2000; round++) {
      const flagged = new Set<string>();
      while (flagged.size < 10) flagged.add(ids[rng.int(ids.length)] as string);
      rep.update({ aggregated: ids, flagged: [...flagged], rejected: [] });
      for (const id of ids) minTrust = Math.min(minTrust, rep.trust(id));
    }
    // Assert
    assert.equal(ids.filter((id) => rep.isBanned(id)).length, 0);
    assert.ok(minTrust > 0.45, `lowest trust seen ${minTrust}`);
  });

  it("bans a node flagged every round, and one sending invalid signed updates", () => {
    const rep = new Reputation();
    for (let round = 0; round < 30; round++) {
      rep.update({ aggregated: ids.slice(0, 49), flagged: ["n0", ...ids.slice(1, 10)].filter((_, i) => i === 0 || (i + round) % 3 === 0), rejected: ["n49"] });
    }
    assert.ok(rep.isBanned("n0"));
    assert.ok(rep.isBanned("n49"));
    assert.ok(!rep.isBanned("n5"));
    rep.reinstate("n0");
    assert.ok(!rep.isBanned("n0"));
    assert.equal(rep.trust("n0"), 1);
  });
});

describe("sampleClients", () => {
  const ids = Array.from({ length: 100 }, (_, i) => `n${i}`);

  it("samples max(⌊available × fraction⌋, minFit)", () => {
    const a = sampleClients({ available: ids, fraction: 0.1, minFit: 3, minAvailable: 3, rng: createRng(1) });
    assert.ok(a.ok && a.selected.length === 10 && new Set(a.selected).size === 10);
    const b = sampleClients({ available: ids, fraction: 0.01, minFit: 5, minAvailable: 3, rng: createRng(1) });
    assert.ok(b.ok && b.selected.length === 5);
  });

  it("refuses to start below minAvailable", () => {
    const r = sampleClients({ available: ids.slice(0, 4), fraction: 1, minFit: 3, minAvailable: 5, rng: createRng(1) });
    assert.ok(!r.ok && /only 4 eligible/.test(r.reason));
  });

  it("picks high-trust nodes more often when trust-weighted", () => {
    const rng = createRng(9);
    const trust = (id: string): number => (Number(id.slice(1)) < 50 ? 1 : 0.1);
    let high = 0;
    for (let t = 0; t < 200; t++) {
      const r = sampleClients({ available: ids, fraction: 0.1, minFit: 1, minAvailable: 1, trustWeights: trust, rng });
      if (r.ok) high += r.selected.filter((id) => Number(id.slice(1)) < 50).length;
    }
    assert.ok(high / 2000 > 0.8, `share of high-trust picks ${high / 2000}`);
  });
});
