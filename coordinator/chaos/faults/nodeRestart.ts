/**
 * `node-restart`: kills the host of each selected node and starts it again after
 * `gracePeriodMs` (a reboot). The node comes back with a new pid and bootId, a fresh
 * process with no in-memory state. Nothing to revert but making sure it runs.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { HostControl } from "../../mesh/hosts/hostControl.ts";
import { baseSpecShape, validateSpec, type FaultContext, type FaultKindDefinition, type FaultStatus, type Injection } from "../fault.ts";
import { hostsOf } from "./hostsOf.ts";

export const NodeRestartSpecSchema = z.strictObject({
  ...baseSpecShape,
  /** Down time between kill and start, ms. */
  gracePeriodMs: z.number().int().nonnegative().default(0),
});
export type NodeRestartSpec = z.infer<typeof NodeRestartSpecSchema>;
export type NodeRestartStatus = { hosts: HostControl[] };

/** Validates a node-restart spec. */
export const validateNodeRestart = (input: unknown) => validateSpec(NodeRestartSpecSchema, input);

/** Kills, waits the grace period, starts. */
export async function applyNodeRestart(spec: NodeRestartSpec, targets: string[], context: FaultContext): Promise<Injection<NodeRestartStatus>> {
  const { hosts, affected, records } = hostsOf(context.system, targets);
  await Promise.all(hosts.map((host) => host.kill()));
  if (spec.gracePeriodMs) await sleep(spec.gracePeriodMs);
  for (const host of hosts) {
    const before = host.pid;
    if (host.state === "dead") await host.start();
    for (const id of host.nodeIds) records.push({ target: id, phase: "injected", detail: `host ${host.hostId} restarted (pid ${before} → ${host.pid})` });
  }
  return { affected, state: { hosts }, records };
}

/** Starts any host that is not running. */
export async function recoverNodeRestart(_spec: NodeRestartSpec, injection: Injection<NodeRestartStatus>): Promise<FaultStatus["records"]> {
  const records: FaultStatus["records"] = [];
  for (const host of injection.state.hosts) {
    if (host.state === "dead") await host.start();
    for (const id of host.nodeIds) records.push({ target: id, phase: "recovered", detail: `running (pid ${host.pid})` });
  }
  return records;
}

export const nodeRestart: FaultKindDefinition<NodeRestartSpec, NodeRestartStatus> = {
  kind: "node-restart",
  scope: "host",
  description: "kill the node's host process and start it again after a grace period",
  schema: NodeRestartSpecSchema,
  validate: validateNodeRestart,
  apply: applyNodeRestart,
  recover: recoverNodeRestart,
};
