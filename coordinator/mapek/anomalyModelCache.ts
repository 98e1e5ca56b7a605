/**
 * The trained anomaly model kept in the data dir, so a coordinator start does not spend
 * seconds of CPU training it again (issue 15). Content-addressed: an entry is named by
 * the sha256 of everything that determines the model (the dataset's bytes, the telemetry
 * features and classes, the training settings, this file format), so a changed input
 * is a miss, never a stale hit. Each entry is two files under
 * `<dataDir>/mapek/anomaly-model/`:
 *
 * - `<key>.f32`: the MLP's parameters, little-endian float32;
 * - `<key>.json`: format version, key, the parameters' count and sha256, and the summary.
 *
 * The JSON is written last, so an entry is only ever found whole; reading checks the
 * JSON against its schema and the parameter bytes against their sha256 and length.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { Dataset } from "../fl/datasets/dataset.ts";
import { ANOMALY_MODEL_TRAINING, anomalyModelFromParams, type AnomalyModelSummary, type TrainedAnomalyModel } from "./anomalyModel.ts";
import { TELEMETRY_CLASSES, TELEMETRY_FEATURES } from "./telemetry.ts";

/** The cache's file format; bump it when the files' layout or meaning changes (old entries then miss). */
export const ANOMALY_MODEL_FORMAT_VERSION = 1;

/** Where a data dir keeps its cached anomaly models. */
export const anomalyModelCacheDir = (dataDir: string): string => path.join(dataDir, "mapek", "anomaly-model");

const sha256 = (...chunks: Array<string | Uint8Array>): string => {
  const hash = createHash("sha256");
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest("hex");
};

const bytesOf = (array: ArrayBufferView): Uint8Array => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

/**
 * The sha256 of a dataset as training sees it: name, shape, features, labels and groups
 * (so a dataset built in memory has a key too; the recorded file is hashed as bytes instead).
 *
 * @param dataset - the dataset.
 * @returns 64 hex digits.
 */
export function datasetSha256(dataset: Dataset): string {
  const shape = JSON.stringify({ name: dataset.name, numExamples: dataset.numExamples, numFeatures: dataset.numFeatures, numClasses: dataset.numClasses, groups: dataset.groups !== undefined });
  return sha256(shape, bytesOf(dataset.features), dataset.labels, ...(dataset.groups ? [bytesOf(dataset.groups)] : []));
}

/** What determines a trained anomaly model. */
export type AnomalyModelCacheKeyParameters = {
  /** sha256 (hex) of the dataset: of the recorded file's bytes, or {@link datasetSha256}. */
  datasetSha256: string;
  /** FL rounds; default {@link ANOMALY_MODEL_TRAINING}`.rounds`. */
  rounds?: number;
  /** Default {@link ANOMALY_MODEL_TRAINING}`.seed`. */
  seed?: number;
};

/**
 * The cache key of a model: sha256 of the format version, the dataset's hash, the
 * telemetry features and classes, and the training settings.
 *
 * @returns 64 hex digits, the entry's file name.
 * @example
 * import { anomalyModelCacheKey } from "./anomalyModelCache.ts";
 * const key = anomalyModelCacheKey({ datasetSha256: "46bc…" });
 */
export function anomalyModelCacheKey(parameters: AnomalyModelCacheKeyParameters): string {
  return sha256(
    JSON.stringify({
      format: ANOMALY_MODEL_FORMAT_VERSION,
      dataset: parameters.datasetSha256,
      features: TELEMETRY_FEATURES,
      classes: TELEMETRY_CLASSES,
      training: { ...ANOMALY_MODEL_TRAINING, rounds: parameters.rounds ?? ANOMALY_MODEL_TRAINING.rounds, seed: parameters.seed ?? ANOMALY_MODEL_TRAINING.seed },
    }),
  );
}

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits");
const perClass = <T extends z.ZodType>(value: T) => z.object(Object.fromEntries(TELEMETRY_CLASSES.map((c) => [c, value])) as Record<(typeof TELEMETRY_CLASSES)[number], T>).strict();

/** The summary as stored: JSON has no NaN, so a round without an evaluation is `null`. */
const StoredSummarySchema = z
  .object({
    dataset: z.string(),
    architecture: z.string(),
    strategy: z.string(),
    rounds: z.number().int().nonnegative(),
    clients: z.number().int().nonnegative(),
    trainExamples: z.number().int().nonnegative(),
    testExamples: z.number().int().nonnegative(),
    accuracy: z.number(),
    recall: perClass(z.number()),
    precision: perClass(z.number().nullable()),
    accuracyPerRound: z.array(z.number().nullable()),
    trainMs: z.number().nonnegative(),
  })
  .strict();

/** `<key>.json`: what the entry holds and the checks its parameter file must pass. */
export const AnomalyModelCacheEntrySchema = z
  .object({
    formatVersion: z.literal(ANOMALY_MODEL_FORMAT_VERSION),
    key: Hex64,
    createdAt: z.string(),
    params: z.object({ encoding: z.literal("float32le"), count: z.number().int().positive(), sha256: Hex64 }).strict(),
    summary: StoredSummarySchema,
  })
  .strict();
export type AnomalyModelCacheEntry = z.infer<typeof AnomalyModelCacheEntrySchema>;

/** The entry's two files. */
export function anomalyModelCacheFiles(dataDir: string, key: string): { meta: string; params: string } {
  const dir = anomalyModelCacheDir(dataDir);
  return { meta: path.join(dir, `${key}.json`), params: path.join(dir, `${key}.f32`) };
}

function encodeParams(params: Float32Array): Uint8Array {
  const bytes = new Uint8Array(params.length * 4);
  const view = new DataView(bytes.buffer);
  params.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return bytes;
}

function decodeParams(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const params = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < params.length; i++) params[i] = view.getFloat32(i * 4, true);
  return params;
}

/** What {@link readCachedAnomalyModel} found. */
export type ReadCachedAnomalyModelReturnType =
  | { kind: "hit"; model: TrainedAnomalyModel; file: string }
  | { kind: "absent"; file: string }
  /** An entry that does not verify (truncated, tampered, another shape or format), and why. */
  | { kind: "invalid"; file: string; reason: string };

const isMissing = (error: unknown): boolean => error instanceof Error && "code" in error && error.code === "ENOENT";

/**
 * Reads and verifies the entry of `key`: its JSON against the schema and the key, its
 * parameter bytes against their length, sha256 and the MLP's size. Never throws for a
 * bad entry: it reports why, and the caller trains again.
 *
 * @param parameters.dataDir - `SYNOD_DATA_DIR`.
 * @param parameters.key - {@link anomalyModelCacheKey}.
 * @returns the model (`summary.source` is `"cache"`), or that there is none, or why the entry was refused.
 */
export async function readCachedAnomalyModel({ dataDir, key }: { dataDir: string; key: string }): Promise<ReadCachedAnomalyModelReturnType> {
  const files = anomalyModelCacheFiles(dataDir, key);
  const invalid = (reason: string): ReadCachedAnomalyModelReturnType => ({ kind: "invalid", file: files.meta, reason });
  let raw: string;
  try {
    raw = await readFile(files.meta, "utf8");
  } catch (error) {
    if (isMissing(error)) return { kind: "absent", file: files.meta };
    return invalid(`${files.meta} is unreadable: ${error instanceof Error ? error.message : String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return invalid(`${files.meta} is not JSON`);
  }
  const parsed = AnomalyModelCacheEntrySchema.safeParse(json);
  if (!parsed.success) return invalid(`${files.meta}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message}`).join("; ")}`);
  const entry = parsed.data;
  if (entry.key !== key) return invalid(`${files.meta} holds key ${entry.key}`);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(files.params);
  } catch (error) {
    return invalid(`${files.params} is ${isMissing(error) ? "missing" : "unreadable"}`);
  }
  if (bytes.byteLength !== entry.params.count * 4) return invalid(`${files.params} has ${bytes.byteLength} bytes, expected ${entry.params.count * 4}`);
  const actual = sha256(bytes);
  if (actual !== entry.params.sha256) return invalid(`${files.params} has sha256 ${actual}, expected ${entry.params.sha256}`);
  const params = decodeParams(bytes);
  if (!params.every(Number.isFinite)) return invalid(`${files.params} holds a non-finite parameter`);
  const summary: AnomalyModelSummary = {
    ...entry.summary,
    accuracyPerRound: entry.summary.accuracyPerRound.map((a) => a ?? Number.NaN),
    source: "cache",
  };
  try {
    return { kind: "hit", model: anomalyModelFromParams(params, summary), file: files.meta };
  } catch (error) {
    return invalid(error instanceof Error ? error.message : String(error));
  }
}

let writes = 0;

/** Writes `content` to `file` so a reader sees the old file or the new one, never half of it. */
async function writeAtomically(file: string, content: string | Uint8Array): Promise<void> {
  // Unique per write: coordinators in one process (tests) may write the same entry at once.
  const temp = `${file}.${process.pid}.${++writes}.tmp`;
  await writeFile(temp, content, { mode: 0o644 });
  await rename(temp, file);
}

/**
 * Stores a trained model as the entry of `key` (creating the directory), parameters
 * first and the JSON last, each written to a temporary file and renamed.
 *
 * @param parameters.dataDir - `SYNOD_DATA_DIR`.
 * @param parameters.key - {@link anomalyModelCacheKey}.
 * @param parameters.model - the trained model.
 * @returns the entry's JSON file.
 * @throws the file system's error when the directory or a file cannot be written.
 */
export async function writeCachedAnomalyModel({ dataDir, key, model }: { dataDir: string; key: string; model: TrainedAnomalyModel }): Promise<string> {
  const files = anomalyModelCacheFiles(dataDir, key);
  await mkdir(path.dirname(files.meta), { recursive: true });
  const bytes = encodeParams(model.params);
  const { source: _source, ...summary } = model.summary;
  const entry: AnomalyModelCacheEntry = {
    formatVersion: ANOMALY_MODEL_FORMAT_VERSION,
    key,
    createdAt: new Date().toISOString(),
    params: { encoding: "float32le", count: model.params.length, sha256: sha256(bytes) },
    summary: { ...summary, accuracyPerRound: summary.accuracyPerRound.map((a) => (Number.isFinite(a) ? a : null)) },
  };
  await writeAtomically(files.params, bytes);
  await writeAtomically(files.meta, `${JSON.stringify(entry, null, 2)}\n`);
  return files.meta;
}
