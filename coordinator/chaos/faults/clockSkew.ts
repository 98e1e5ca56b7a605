/**
 * `clock-skew`: shifts the clock of the selected nodes' host processes (Chaos Mesh
 * TimeChaos `timeOffset`): their heartbeats carry the skewed time. Recovery steps
 * the clock back.
 */
import { z } from "zod";
import type { HostControl } from "../../mesh/hosts/hostControl.ts";
import { baseSpecShape, validateSpec, type FaultContext, type FaultKindDefinition, type FaultStatus, type Injection } from "../fault.ts";
import { hostsOf } from "./hostsOf.ts";

export const ClockSkewSpecSchema = z.strictObject({
  ...baseSpecShape,
  /** Offset added to the node clock, ms (negative: behind). */
  offsetMs: z.number().int().refine((v) => v !== 0, "must not be 0"),
});
export type ClockSkewSpec = z.infer<typeof ClockSkewSpecSchema>;
export type ClockSkewStatus = { hosts: HostControl[] };

/** Validates a clock-skew spec. */
export const validateClockSkew = (input: unknown) => validateSpec(ClockSkewSpecSchema, input, (spec) => (spec.durationMs === 0 ? [{ path: "durationMs", message: "must be positive" }] : []));

export async function applyClockSkew(spec: ClockSkewSpec, targets: string[], context: FaultContext): Promise<Injection<ClockSkewStatus>> {
  const { hosts, affected, records } = hostsOf(context.system, targets);
  for (const host of hosts) {
    await host.setClockOffset(spec.offsetMs);
    for (const id of host.nodeIds) records.push({ target: id, phase: "injected", detail: `clock ${spec.offsetMs > 0 ? "+" : ""}${spec.offsetMs} ms` });
  }
  return { affected, state: { hosts }, records };
}

export async function recoverClockSkew(_spec: ClockSkewSpec, injection: Injection<ClockSkewStatus>): Promise<FaultStatus["records"]> {
  const records: FaultStatus["records"] = [];
  for (const host of injection.state.hosts) {
    if (host.state === "running" && host.clockOffsetMs !== 0) await host.setClockOffset(0);
    for (const id of host.nodeIds) records.push({ target: id, phase: "recovered" });
  }
  return records;
}

export const clockSkew: FaultKindDefinition<ClockSkewSpec, ClockSkewStatus> = {
  kind: "clock-skew",
  scope: "host",
  description: "offset the node's clock",
  schema: ClockSkewSpecSchema,
  validate: validateClockSkew,
  apply: applyClockSkew,
  recover: recoverClockSkew,
};
