/**
 * The anomaly model a coordinator starts with: read from the data dir's cache when an
 * entry for the same dataset and training settings verifies, trained (and stored) otherwise.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { DatasetLoadError } from "../errors/fl.ts";
import { MESH_TELEMETRY_FILE } from "../fl/datasets/meshTelemetry.ts";
import type { Dataset } from "../fl/datasets/dataset.ts";
import type { Logger } from "../logger.ts";
import { sharedAnomalyModel, trainAnomalyModel, type TrainAnomalyModelParameters, type TrainedAnomalyModel } from "./anomalyModel.ts";
import { anomalyModelCacheKey, datasetSha256, readCachedAnomalyModel, writeCachedAnomalyModel } from "./anomalyModelCache.ts";

/** Options of {@link loadOrTrainAnomalyModel}. */
export type LoadOrTrainAnomalyModelParameters = {
  /** `SYNOD_DATA_DIR`: the cache is `<dataDir>/mapek/anomaly-model/`. */
  dataDir: string;
  /** Default the recorded mesh-telemetry dataset (hashed as file bytes: a cache hit parses nothing). */
  dataset?: Dataset;
  /** FL rounds; default the training default. */
  rounds?: number;
  seed?: number;
  /**
   * Trains on a miss. Default: the process's shared model ({@link sharedAnomalyModel})
   * for the recorded dataset and default settings, else {@link trainAnomalyModel}.
   */
  train?: (parameters: TrainAnomalyModelParameters) => Promise<TrainedAnomalyModel>;
  /** Warnings go here: an entry that does not verify, a cache that cannot be written. */
  logger?: Logger;
};

/** What {@link loadOrTrainAnomalyModel} returns. */
export type LoadOrTrainAnomalyModelReturnType = {
  model: TrainedAnomalyModel;
  /** `"cache"`: read from the data dir, nothing trained. */
  source: "cache" | "trained";
  /** The cache key (sha256 hex). */
  key: string;
  /** The entry's JSON file; `null` when a trained model could not be stored. */
  file: string | null;
  /** Time from the call to a ready model, ms. */
  elapsedMs: number;
};

/**
 * Returns the anomaly model for a data dir: the cached one when its entry verifies,
 * otherwise a trained one, stored atomically for the next start. An entry that does
 * not verify is logged as a warning and replaced; a cache that cannot be written is
 * logged and the trained model still returned (the cache only saves time).
 *
 * @throws {DatasetLoadError} when the recorded dataset cannot be read (nothing to train on or to key by).
 * @example
 * import { loadOrTrainAnomalyModel } from "./loadOrTrainAnomalyModel.ts";
 * const { model, source } = await loadOrTrainAnomalyModel({ dataDir: ".synod", logger });
 */
export async function loadOrTrainAnomalyModel(parameters: LoadOrTrainAnomalyModelParameters): Promise<LoadOrTrainAnomalyModelReturnType> {
  const started = performance.now();
  const { dataDir, dataset, rounds, seed, logger } = parameters;
  let digest: string;
  if (dataset) digest = datasetSha256(dataset);
  else {
    try {
      digest = createHash("sha256").update(await readFile(MESH_TELEMETRY_FILE)).digest("hex");
    } catch (cause) {
      throw new DatasetLoadError({ dataset: "mesh-telemetry", cause });
    }
  }
  const key = anomalyModelCacheKey({ datasetSha256: digest, ...(rounds !== undefined ? { rounds } : {}), ...(seed !== undefined ? { seed } : {}) });
  const cached = await readCachedAnomalyModel({ dataDir, key });
  if (cached.kind === "hit") return { model: cached.model, source: "cache", key, file: cached.file, elapsedMs: Math.round(performance.now() - started) };
  if (cached.kind === "invalid") logger?.warn({ key, file: cached.file, reason: cached.reason }, "cached anomaly model does not verify; training it again");

  const trainParameters: TrainAnomalyModelParameters = { ...(dataset ? { dataset } : {}), ...(rounds !== undefined ? { rounds } : {}), ...(seed !== undefined ? { seed } : {}) };
  const defaults = !dataset && rounds === undefined && seed === undefined;
  const model = await (parameters.train ?? (defaults ? () => sharedAnomalyModel() : trainAnomalyModel))(trainParameters);
  let file: string | null = null;
  try {
    file = await writeCachedAnomalyModel({ dataDir, key, model });
  } catch (error) {
    logger?.warn({ err: error, key }, "trained anomaly model could not be cached; the next start trains it again");
  }
  return { model, source: "trained", key, file, elapsedMs: Math.round(performance.now() - started) };
}
