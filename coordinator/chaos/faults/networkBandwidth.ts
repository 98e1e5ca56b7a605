/**
 * `network-bandwidth`: caps the throughput of the selected nodes' links (Chaos Mesh
 * NetworkChaos `bandwidth`; `rate` in its units: bps, kbps, mbps, gbps — bits per
 * second). Chunks are serialised at the rate, as on a slow link.
 */
import { z } from "zod";
import { baseSpecShape, directionsOf, DirectionSchema, linksOf, validateSpec, type FaultContext, type FaultKindDefinition, type FaultStatus, type Injection } from "../fault.ts";
import type { HostLink } from "../../mesh/hosts/hostControl.ts";

const UNITS: Record<string, number> = { bps: 1, kbps: 1e3, mbps: 1e6, gbps: 1e9 };

/** Parses a Chaos Mesh rate (`"100kbps"`) to bytes per second, or `null`. */
export function parseRate(rate: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(bps|kbps|mbps|gbps)$/i.exec(rate.trim());
  if (!match) return null;
  const bits = Number(match[1]) * (UNITS[(match[2] as string).toLowerCase()] as number);
  return bits > 0 ? bits / 8 : null;
}

export const NetworkBandwidthSpecSchema = z.strictObject({
  ...baseSpecShape,
  /** e.g. `"1mbps"`: bits per second with a unit. */
  rate: z.string().min(1),
  direction: DirectionSchema.default("both"),
});
export type NetworkBandwidthSpec = z.infer<typeof NetworkBandwidthSpecSchema>;
export type NetworkBandwidthStatus = { links: [string, HostLink][] };

/** Validates a network-bandwidth spec. */
export const validateNetworkBandwidth = (input: unknown) =>
  validateSpec(NetworkBandwidthSpecSchema, input, (spec) => [
    ...(parseRate(spec.rate) === null ? [{ path: "rate", message: `"${spec.rate}" is not a rate like 100kbps, 1mbps` }] : []),
    ...(spec.durationMs === 0 ? [{ path: "durationMs", message: "must be positive" }] : []),
  ]);

export async function applyNetworkBandwidth(spec: NetworkBandwidthSpec, targets: string[], context: FaultContext): Promise<Injection<NetworkBandwidthStatus>> {
  const bytesPerSecond = parseRate(spec.rate) as number;
  const { links, affected, records } = linksOf(context.system, targets);
  for (const [id, link] of links) {
    for (const direction of directionsOf(spec.direction)) await link.impair(direction, { bytesPerSecond });
    records.push({ target: id, phase: "injected", detail: `${spec.rate} ${spec.direction}` });
  }
  return { affected, state: { links }, records };
}

export async function recoverNetworkBandwidth(spec: NetworkBandwidthSpec, injection: Injection<NetworkBandwidthStatus>): Promise<FaultStatus["records"]> {
  const records: FaultStatus["records"] = [];
  for (const [id, link] of injection.state.links) {
    for (const direction of directionsOf(spec.direction)) await link.restore(direction, ["bytesPerSecond"]);
    records.push({ target: id, phase: "recovered" });
  }
  return records;
}

export const networkBandwidth: FaultKindDefinition<NetworkBandwidthSpec, NetworkBandwidthStatus> = {
  kind: "network-bandwidth",
  scope: "host",
  description: "cap the throughput of the nodes' links",
  schema: NetworkBandwidthSpecSchema,
  validate: validateNetworkBandwidth,
  apply: applyNetworkBandwidth,
  recover: recoverNetworkBandwidth,
};
