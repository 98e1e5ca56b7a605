import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gramSquaredDistances } from "../../../coordinator/fl/kernels/gramDistances.ts";
import { directSquaredDistances } from "../../../coordinator/fl/strategies/aggregation.ts";
import { createRng } from "../../../coordinator/fl/random.ts";

describe("gramSquaredDistances (WebAssembly SIMD kernel)", () => {
  for (const [n, d] of [
    [5, 1],
    [7, 13],
    [3, 300],
    [22, 2051],
    [37, 1003],
    [64, 7850],
  ] as const) {
    it(`matches the direct double loop for n = ${n}, d = ${d}`, () => {
      const rng = createRng(n * 31 + d);
      const vectors = Array.from({ length: n }, (_, i) => Float32Array.from({ length: d }, () => 3 + 0.1 * i + rng.normal()));
      const fast = gramSquaredDistances(vectors);
      const exact = directSquaredDistances(vectors);
      for (let k = 0; k < n * n; k++) {
        const tolerance = 1e-4 * Math.max(1, exact[k] as number);
        assert.ok(Math.abs((fast[k] as number) - (exact[k] as number)) <= tolerance, `entry ${k}: ${fast[k]} vs ${exact[k]}`);
      }
    });
  }
});
