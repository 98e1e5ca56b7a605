/**
 * `cpu-stress`: burns CPU inside the host process of each selected node with busy
 * worker threads (Chaos Mesh StressChaos `cpu`: workers, load %), each busy for
 * `loadPercent` of every 100 ms. The node's training and heartbeats compete with it.
 */
import { z } from "zod";
import type { HostControl } from "../../mesh/hosts/hostControl.ts";
import { baseSpecShape, validateSpec, type FaultContext, type FaultKindDefinition, type FaultStatus, type Injection } from "../fault.ts";
import { hostsOf } from "./hostsOf.ts";

export const CpuStressSpecSchema = z.strictObject({
  ...baseSpecShape,
  workers: z.number().int().min(1).max(8).default(1),
  /** Busy share of each worker, percent (1–100). */
  loadPercent: z.number().int().min(1).max(100),
});
export type CpuStressSpec = z.infer<typeof CpuStressSpecSchema>;
export type CpuStressStatus = { hosts: { host: HostControl; pid: number | undefined }[] };

/** Validates a cpu-stress spec. */
export const validateCpuStress = (input: unknown) => validateSpec(CpuStressSpecSchema, input, (spec) => (spec.durationMs === 0 ? [{ path: "durationMs", message: "must be positive" }] : []));

export async function applyCpuStress(spec: CpuStressSpec, targets: string[], context: FaultContext): Promise<Injection<CpuStressStatus>> {
  const { hosts, affected, records } = hostsOf(context.system, targets);
  const stressed: CpuStressStatus["hosts"] = [];
  for (const host of hosts) {
    await host.stress(spec.workers, spec.loadPercent / 100);
    stressed.push({ host, pid: host.pid });
    for (const id of host.nodeIds) records.push({ target: id, phase: "injected", detail: `${spec.workers} worker(s) at ${spec.loadPercent}% on ${host.hostId}` });
  }
  return { affected, state: { hosts: stressed }, records };
}

export async function recoverCpuStress(_spec: CpuStressSpec, injection: Injection<CpuStressStatus>): Promise<FaultStatus["records"]> {
  const records: FaultStatus["records"] = [];
  for (const { host, pid } of injection.state.hosts) {
    // A restarted host has no stress workers left.
    if (host.pid === pid && host.state === "running") await host.unstress();
    for (const id of host.nodeIds) records.push({ target: id, phase: "recovered" });
  }
  return records;
}

export const cpuStress: FaultKindDefinition<CpuStressSpec, CpuStressStatus> = {
  kind: "cpu-stress",
  scope: "host",
  description: "busy worker threads in the node's host process",
  schema: CpuStressSpecSchema,
  validate: validateCpuStress,
  apply: applyCpuStress,
  recover: recoverCpuStress,
};
