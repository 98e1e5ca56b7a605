/**
 * `network-loss`: loses a share of the chunks on the selected nodes' links (Chaos Mesh
 * NetworkChaos `loss`, in percent). On TCP a lost segment is retransmitted after the
 * retransmission timeout, so the application sees a stall, not a gap: each lost chunk
 * is delivered after `rtoMs`, doubling for consecutive losses (see `linkProxy.ts`).
 */
import { z } from "zod";
import { baseSpecShape, directionsOf, DirectionSchema, linksOf, validateSpec, type FaultContext, type FaultKindDefinition, type FaultStatus, type Injection } from "../fault.ts";
import type { HostLink } from "../../mesh/hosts/hostControl.ts";

export const NetworkLossSpecSchema = z.strictObject({
  ...baseSpecShape,
  /** Loss in percent, (0, 100]. */
  lossPercent: z.number().gt(0).max(100),
  /** Retransmission timeout, ms (Linux's minimum is 200). */
  rtoMs: z.number().int().positive().default(200),
  direction: DirectionSchema.default("both"),
});
export type NetworkLossSpec = z.infer<typeof NetworkLossSpecSchema>;
export type NetworkLossStatus = { links: [string, HostLink][] };

/** Validates a network-loss spec. */
export const validateNetworkLoss = (input: unknown) =>
  validateSpec(NetworkLossSpecSchema, input, (spec) => (spec.durationMs === 0 ? [{ path: "durationMs", message: "must be positive" }] : []));

export async function applyNetworkLoss(spec: NetworkLossSpec, targets: string[], context: FaultContext): Promise<Injection<NetworkLossStatus>> {
  const { links, affected, records } = linksOf(context.system, targets);
  for (const [id, link] of links) {
    for (const direction of directionsOf(spec.direction)) {
      await link.impair(direction, { loss: spec.lossPercent / 100, rtoMs: spec.rtoMs });
    }
    records.push({ target: id, phase: "injected", detail: `${spec.lossPercent}% loss ${spec.direction}` });
  }
  return { affected, state: { links }, records };
}

export async function recoverNetworkLoss(spec: NetworkLossSpec, injection: Injection<NetworkLossStatus>): Promise<FaultStatus["records"]> {
  const records: FaultStatus["records"] = [];
  for (const [id, link] of injection.state.links) {
    for (const direction of directionsOf(spec.direction)) await link.restore(direction, ["loss", "rtoMs"]);
    records.push({ target: id, phase: "recovered" });
  }
  return records;
}

export const networkLoss: FaultKindDefinition<NetworkLossSpec, NetworkLossStatus> = {
  kind: "network-loss",
  scope: "host",
  description: "lose a percentage of segments on the nodes' links (retransmitted after the RTO)",
  schema: NetworkLossSpecSchema,
  validate: validateNetworkLoss,
  apply: applyNetworkLoss,
  recover: recoverNetworkLoss,
};
