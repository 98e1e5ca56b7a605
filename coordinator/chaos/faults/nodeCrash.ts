/**
 * `node-crash`: SIGKILL of the host process of each selected node (Chaos Mesh
 * PodChaos `pod-kill`). Nodes sharing the host die with it. Recovery starts the host
 * again if nothing (MAPE-K) has restarted it by the end of the duration.
 */
import { z } from "zod";
import type { HostControl } from "../../mesh/hosts/hostControl.ts";
import { baseSpecShape, validateSpec, type FaultContext, type FaultKindDefinition, type FaultStatus, type Injection } from "../fault.ts";
import { hostsOf } from "./hostsOf.ts";

export const NodeCrashSpecSchema = z.strictObject({ ...baseSpecShape });
export type NodeCrashSpec = z.infer<typeof NodeCrashSpecSchema>;
/** Per host: the pid that was killed (a different pid at recovery means someone restarted it). */
export type NodeCrashStatus = { killed: { host: HostControl; pid: number | undefined }[] };

/** Validates a node-crash spec (every problem, with its path). */
export const validateNodeCrash = (input: unknown) => validateSpec(NodeCrashSpecSchema, input);

/** Kills the hosts. */
export async function applyNodeCrash(_spec: NodeCrashSpec, targets: string[], context: FaultContext): Promise<Injection<NodeCrashStatus>> {
  const { hosts, affected, records } = hostsOf(context.system, targets);
  const killed: NodeCrashStatus["killed"] = [];
  for (const host of hosts) {
    const pid = host.pid;
    await host.kill();
    killed.push({ host, pid });
    for (const id of host.nodeIds) records.push({ target: id, phase: "injected", detail: `host ${host.hostId} pid ${pid} SIGKILL` });
  }
  return { affected, state: { killed }, records };
}

/** Starts hosts that are still dead. */
export async function recoverNodeCrash(_spec: NodeCrashSpec, injection: Injection<NodeCrashStatus>): Promise<FaultStatus["records"]> {
  const records: FaultStatus["records"] = [];
  for (const { host } of injection.state.killed) {
    const alreadyBack = host.state === "running" || host.state === "paused" || host.state === "starting";
    if (!alreadyBack) await host.start();
    for (const id of host.nodeIds) records.push({ target: id, phase: "recovered", detail: alreadyBack ? `already restarted (pid ${host.pid})` : `started again (pid ${host.pid})` });
  }
  return records;
}

export const nodeCrash: FaultKindDefinition<NodeCrashSpec, NodeCrashStatus> = {
  kind: "node-crash",
  scope: "host",
  description: "SIGKILL the node's host process",
  schema: NodeCrashSpecSchema,
  validate: validateNodeCrash,
  apply: applyNodeCrash,
  recover: recoverNodeCrash,
};
