/**
 * `network-delay`: adds latency with uniform jitter to the selected nodes' links
 * (Chaos Mesh NetworkChaos `delay`: latency, jitter). Applied per chunk in the
 * userspace proxy, keeping TCP order.
 */
import { z } from "zod";
import { baseSpecShape, directionsOf, DirectionSchema, linksOf, validateSpec, type FaultContext, type FaultKindDefinition, type FaultStatus, type Injection } from "../fault.ts";
import type { HostLink } from "../../mesh/hosts/hostControl.ts";

export const NetworkDelaySpecSchema = z.strictObject({
  ...baseSpecShape,
  latencyMs: z.number().int().positive().max(60_000),
  jitterMs: z.number().int().nonnegative().default(0),
  direction: DirectionSchema.default("both"),
});
export type NetworkDelaySpec = z.infer<typeof NetworkDelaySpecSchema>;
export type NetworkDelayStatus = { links: [string, HostLink][] };

/** Validates a network-delay spec: jitter may not exceed latency (delays would go negative). */
export const validateNetworkDelay = (input: unknown) =>
  validateSpec(NetworkDelaySpecSchema, input, (spec) => [
    ...(spec.jitterMs > spec.latencyMs ? [{ path: "jitterMs", message: `must not exceed latencyMs (${spec.latencyMs})` }] : []),
    ...(spec.durationMs === 0 ? [{ path: "durationMs", message: "must be positive" }] : []),
  ]);

export async function applyNetworkDelay(spec: NetworkDelaySpec, targets: string[], context: FaultContext): Promise<Injection<NetworkDelayStatus>> {
  const { links, affected, records } = linksOf(context.system, targets);
  for (const [id, link] of links) {
    for (const direction of directionsOf(spec.direction)) {
      await link.impair(direction, { delayMs: spec.latencyMs, jitterMs: spec.jitterMs });
    }
    records.push({ target: id, phase: "injected", detail: `${spec.latencyMs}±${spec.jitterMs} ms ${spec.direction}` });
  }
  return { affected, state: { links }, records };
}

export async function recoverNetworkDelay(spec: NetworkDelaySpec, injection: Injection<NetworkDelayStatus>): Promise<FaultStatus["records"]> {
  const records: FaultStatus["records"] = [];
  for (const [id, link] of injection.state.links) {
    for (const direction of directionsOf(spec.direction)) await link.restore(direction, ["delayMs", "jitterMs"]);
    records.push({ target: id, phase: "recovered" });
  }
  return records;
}

export const networkDelay: FaultKindDefinition<NetworkDelaySpec, NetworkDelayStatus> = {
  kind: "network-delay",
  scope: "host",
  description: "add latency ± jitter on the nodes' links",
  schema: NetworkDelaySpecSchema,
  validate: validateNetworkDelay,
  apply: applyNetworkDelay,
  recover: recoverNetworkDelay,
};
