/**
 * Every fault kind, by wire name: the typed map the engine dispatches through (after
 * Chaos Mesh's `chaosimpl` registry).
 */
import type { FaultKindDefinition, FaultKindName } from "../fault.ts";
import { byzantine } from "./byzantine.ts";
import { clockSkew } from "./clockSkew.ts";
import { cpuStress } from "./cpuStress.ts";
import { linkDown } from "./linkDown.ts";
import { networkBandwidth } from "./networkBandwidth.ts";
import { networkDelay } from "./networkDelay.ts";
import { networkLoss } from "./networkLoss.ts";
import { networkPartition } from "./networkPartition.ts";
import { nodeCrash } from "./nodeCrash.ts";
import { nodePause } from "./nodePause.ts";
import { nodeRestart } from "./nodeRestart.ts";
import { requestFlood } from "./requestFlood.ts";

export const FAULT_KINDS = {
  "node-crash": nodeCrash,
  "node-pause": nodePause,
  "node-restart": nodeRestart,
  "network-partition": networkPartition,
  "link-down": linkDown,
  "network-delay": networkDelay,
  "network-loss": networkLoss,
  "network-bandwidth": networkBandwidth,
  byzantine,
  "cpu-stress": cpuStress,
  "request-flood": requestFlood,
  "clock-skew": clockSkew,
} as const satisfies Record<FaultKindName, unknown>;

/** The spec type of a kind. */
export type FaultSpecOf<K extends FaultKindName> = (typeof FAULT_KINDS)[K] extends FaultKindDefinition<infer S, infer _State> ? S : never;

/** A spec with its kind, as experiments write it. */
export type AnyFaultSpec = { [K in FaultKindName]: { kind: K; spec: FaultSpecOf<K> } }[FaultKindName];

/** Whether `kind` is a known fault kind. */
export function isFaultKind(kind: string): kind is FaultKindName {
  return Object.hasOwn(FAULT_KINDS, kind);
}
