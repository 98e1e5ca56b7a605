/**
 * `network-partition`: cuts the selected nodes off from the coordinator (and so from
 * the majority, which the coordinator connects) by blackholing their links in one or
 * both directions (Chaos Mesh NetworkChaos `partition` with `direction`). With
 * `direction: to` a node still heartbeats but never receives work; with `from` it
 * works but nobody hears from it. Bytes are dropped, not refused: connections hang,
 * as they do behind a real partition.
 */
import { z } from "zod";
import { baseSpecShape, directionsOf, DirectionSchema, linksOf, validateSpec, type FaultContext, type FaultKindDefinition, type FaultStatus, type Injection } from "../fault.ts";
import type { HostLink } from "../../mesh/hosts/hostControl.ts";

export const NetworkPartitionSpecSchema = z.strictObject({ ...baseSpecShape, direction: DirectionSchema.default("both") });
export type NetworkPartitionSpec = z.infer<typeof NetworkPartitionSpecSchema>;
export type NetworkPartitionStatus = { links: [string, HostLink][] };

/** Validates a network-partition spec. */
export const validateNetworkPartition = (input: unknown) =>
  validateSpec(NetworkPartitionSpecSchema, input, (spec) => (spec.durationMs === 0 ? [{ path: "durationMs", message: "must be positive" }] : []));

/** Blackholes the links. */
export async function applyNetworkPartition(spec: NetworkPartitionSpec, targets: string[], context: FaultContext): Promise<Injection<NetworkPartitionStatus>> {
  const { links, affected, records } = linksOf(context.system, targets);
  for (const [id, link] of links) {
    for (const direction of directionsOf(spec.direction)) {
      await link.impair(direction, { blackhole: true });
    }
    records.push({ target: id, phase: "injected", detail: `blackhole ${spec.direction}` });
  }
  return { affected, state: { links }, records };
}

/** Lifts the blackholes (connections that lost bytes are reset, as TCP would give up on them). */
export async function recoverNetworkPartition(spec: NetworkPartitionSpec, injection: Injection<NetworkPartitionStatus>): Promise<FaultStatus["records"]> {
  const records: FaultStatus["records"] = [];
  for (const [id, link] of injection.state.links) {
    for (const direction of directionsOf(spec.direction)) {
      await link.restore(direction, ["blackhole"]);
    }
    records.push({ target: id, phase: "recovered" });
  }
  return records;
}

export const networkPartition: FaultKindDefinition<NetworkPartitionSpec, NetworkPartitionStatus> = {
  kind: "network-partition",
  scope: "host",
  description: "blackhole the links between the nodes and the coordinator (direction to/from/both)",
  schema: NetworkPartitionSpecSchema,
  validate: validateNetworkPartition,
  apply: applyNetworkPartition,
  recover: recoverNetworkPartition,
};
