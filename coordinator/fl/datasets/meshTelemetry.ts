import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { DatasetLoadError } from "../../errors/fl.ts";
import { TELEMETRY_CLASSES, TELEMETRY_FEATURES } from "../../mapek/telemetry.ts";
import type { Dataset } from "./dataset.ts";

/** Where `npm run dataset:telemetry` writes the dataset (see `datasets/README.md`). */
export const MESH_TELEMETRY_FILE = fileURLToPath(new URL("../../../datasets/mesh-telemetry.csv", import.meta.url));

const HEADER = ["node", "episode", "label", ...TELEMETRY_FEATURES].join(",");
const Row = z.array(z.number().refine(Number.isFinite, "must be finite")).length(3 + TELEMETRY_FEATURES.length);

let cached: Dataset | undefined;

/**
 * Loads the mesh-telemetry dataset: per-node MAPE-K telemetry of a mesh of node-host
 * processes under real injected faults, each row labelled with the class of the fault
 * on the node ({@link TELEMETRY_CLASSES}). `groups` holds the node (1-based), so
 * `partitionByNaturalId` gives each FL client one node's own telemetry.
 *
 * @param file - the CSV; default {@link MESH_TELEMETRY_FILE}. Only the default is cached.
 * @returns a {@link Dataset} with {@link TELEMETRY_FEATURES}.length features and {@link TELEMETRY_CLASSES}.length classes.
 * @throws {DatasetLoadError} if the file is missing, has another header (features changed since it was recorded), or a malformed row.
 */
export function loadMeshTelemetry(file = MESH_TELEMETRY_FILE): Dataset {
  if (cached && file === MESH_TELEMETRY_FILE) return cached;
  try {
    const [header, ...lines] = readFileSync(file, "utf8").trimEnd().split("\n");
    if (header !== HEADER) throw new Error(`header is "${header}", expected "${HEADER}": record the dataset again with npm run dataset:telemetry`);
    const d = TELEMETRY_FEATURES.length;
    const features = new Float32Array(lines.length * d);
    const labels = new Uint8Array(lines.length);
    const groups = new Uint16Array(lines.length);
    lines.forEach((line, i) => {
      const parsed = Row.safeParse(line.split(",").map(Number));
      if (!parsed.success) throw new Error(`row ${i + 2}: ${parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; ")}`);
      const [node, , label, ...values] = parsed.data as [number, number, number, ...number[]];
      if (!Number.isInteger(label) || label < 0 || label >= TELEMETRY_CLASSES.length) throw new Error(`row ${i + 2}: label ${label} is not a class index`);
      groups[i] = node + 1;
      labels[i] = label;
      features.set(values, i * d);
    });
    const dataset: Dataset = { name: "mesh-telemetry", features, labels, groups, numExamples: lines.length, numFeatures: d, numClasses: TELEMETRY_CLASSES.length };
    if (file === MESH_TELEMETRY_FILE) cached = dataset;
    return dataset;
  } catch (cause) {
    throw new DatasetLoadError({ dataset: "mesh-telemetry", cause });
  }
}
