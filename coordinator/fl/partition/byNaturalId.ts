import { PartitionError } from "../../errors/fl.ts";
import type { Dataset } from "../datasets/dataset.ts";

/**
 * Splits by the dataset's natural grouping (e.g. one partition per sensor mote), as
 * Flower's `NaturalIdPartitioner` does. Partitions are ordered by ascending id.
 *
 * @param dataset - a dataset with `groups`.
 * @returns `{ ids, shards }`: the group id of each partition and its row indices.
 * @throws {PartitionError} if the dataset has no natural grouping.
 */
export function partitionByNaturalId(dataset: Dataset): { ids: number[]; shards: Uint32Array[] } {
  const groups = dataset.groups;
  if (!groups) throw new PartitionError({ partitioner: "natural-id", reason: `dataset "${dataset.name}" has no natural ids` });
  const byId = new Map<number, number[]>();
  for (let i = 0; i < dataset.numExamples; i++) {
    const id = groups[i] as number;
    let rows = byId.get(id);
    if (!rows) byId.set(id, (rows = []));
    rows.push(i);
  }
  const ids = [...byId.keys()].sort((a, b) => a - b);
  return { ids, shards: ids.map((id) => Uint32Array.from(byId.get(id) as number[])) };
}
