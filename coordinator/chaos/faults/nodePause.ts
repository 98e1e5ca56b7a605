/**
 * `node-pause`: SIGSTOP of the host process of each selected node: it keeps its
 * sockets but answers nothing (a hung node, the hardest kind to tell from a slow
 * one). Recovery sends SIGCONT to the same process if it is still the one running.
 */
import { z } from "zod";
import type { HostControl } from "../../mesh/hosts/hostControl.ts";
import { baseSpecShape, validateSpec, type FaultContext, type FaultKindDefinition, type FaultStatus, type Injection } from "../fault.ts";
import { hostsOf } from "./hostsOf.ts";

export const NodePauseSpecSchema = z.strictObject({ ...baseSpecShape });
export type NodePauseSpec = z.infer<typeof NodePauseSpecSchema>;
export type NodePauseStatus = { paused: { host: HostControl; pid: number | undefined }[] };

/** Validates a node-pause spec. */
export const validateNodePause = (input: unknown) => validateSpec(NodePauseSpecSchema, input, (spec) => (spec.durationMs === 0 ? [{ path: "durationMs", message: "must be positive: a pause needs a length" }] : []));

/** Freezes the hosts. */
export async function applyNodePause(_spec: NodePauseSpec, targets: string[], context: FaultContext): Promise<Injection<NodePauseStatus>> {
  const { hosts, affected, records } = hostsOf(context.system, targets);
  const paused: NodePauseStatus["paused"] = [];
  for (const host of hosts) {
    await host.pause();
    paused.push({ host, pid: host.pid });
    for (const id of host.nodeIds) records.push({ target: id, phase: "injected", detail: `host ${host.hostId} pid ${host.pid} SIGSTOP` });
  }
  return { affected, state: { paused }, records };
}

/** Thaws hosts still frozen (a host MAPE-K restarted meanwhile has a new pid and is left alone). */
export async function recoverNodePause(_spec: NodePauseSpec, injection: Injection<NodePauseStatus>): Promise<FaultStatus["records"]> {
  const records: FaultStatus["records"] = [];
  for (const { host, pid } of injection.state.paused) {
    const same = host.pid === pid && host.state === "paused";
    if (same) await host.resume();
    for (const id of host.nodeIds) records.push({ target: id, phase: "recovered", detail: same ? "SIGCONT" : `already replaced (pid ${host.pid})` });
  }
  return records;
}

export const nodePause: FaultKindDefinition<NodePauseSpec, NodePauseStatus> = {
  kind: "node-pause",
  scope: "host",
  description: "SIGSTOP the node's host process; SIGCONT on recovery",
  schema: NodePauseSpecSchema,
  validate: validateNodePause,
  apply: applyNodePause,
  recover: recoverNodePause,
};
