/**
 * MAPE-K Plan: healing actions from an analysis, and the policy actions a Directive
 * proposes when the mesh enters EUPHORIC or MYSTICAL.
 */
import type { DirectiveAction, MapekState } from "../knowledge/schemas/index.ts";
import type { PolicyParameterName } from "../policy/parameters.ts";
import type { MeshActuator } from "./actuator.ts";
import type { Analysis, NodeCondition } from "./analyze.ts";

/** Healing action names (kebab-case, as Incident and MapekSnapshot records write them). */
export type HealingActionName = "restart" | "reroute" | "exclude-from-fl" | "readmit" | "resync-clock" | "shed-load" | "restore-load";

/** One planned action. `target` is a host id for `restart`, a node id otherwise, `null` for mesh-wide ones. */
export type HealingAction = { action: HealingActionName; target: string | null; nodes: string[]; reason: string };

/** Why a node is currently excluded from FL (Byzantine exclusions are not lifted by the loop). */
export type ExclusionReason = "byzantine" | "route";

/** State the planner needs besides the analysis. */
export type PlanContext = {
  actuator: MeshActuator;
  /** Nodes excluded by the loop and why. */
  exclusions: ReadonlyMap<string, ExclusionReason>;
  /** Hosts with a restart in flight. */
  restarting: ReadonlySet<string>;
  /** Consecutive ticks each node has been free of conditions (readmission waits for `readmitAfterTicks`). */
  healthyTicks: ReadonlyMap<string, number>;
  readmitAfterTicks: number;
  /** Shedding state: consecutive ticks over budget (hot) and well under it (calm). */
  shedding: { enabled: boolean; calmTicks: number; hotTicks: number };
};

const ROUTE_AROUND: readonly NodeCondition[] = ["partitioned", "unreachable", "overloaded", "degraded"];

/**
 * Plans healing for one tick.
 *
 * @param analysis - this tick's analysis.
 * @param context - exclusions, restarts in flight, shedding state.
 * @returns actions in execution order (restarts first: they take longest).
 */
export function planHealing(analysis: Analysis, context: PlanContext): HealingAction[] {
  const actions: HealingAction[] = [];
  const hostsToRestart = new Map<string, string[]>();
  for (const [nodeId, condition] of analysis.conditions) {
    const excluded = context.exclusions.get(nodeId);
    if (condition === "down" || condition === "frozen") {
      const host = context.actuator.hostOf(nodeId);
      if (host && !context.restarting.has(host)) hostsToRestart.set(host, [...(hostsToRestart.get(host) ?? []), nodeId]);
      if (!excluded) actions.push({ action: "reroute", target: nodeId, nodes: [nodeId], reason: `${condition}: route FL around it while its host restarts` });
    } else if (condition === "byzantine") {
      if (excluded !== "byzantine") actions.push({ action: "exclude-from-fl", target: nodeId, nodes: [nodeId], reason: "its updates were anomalous or rejected in most of its last rounds" });
    } else if (ROUTE_AROUND.includes(condition)) {
      if (!excluded) actions.push({ action: "reroute", target: nodeId, nodes: [nodeId], reason: `${condition}: exclude from FL sampling until it is healthy again` });
    } else if (condition === "skewed") {
      actions.push({ action: "resync-clock", target: nodeId, nodes: [nodeId], reason: "clock out of sync" });
    }
  }
  for (const [host, nodes] of hostsToRestart) actions.unshift({ action: "restart", target: host, nodes, reason: `host ${host} is ${analysis.conditions.get(nodes[0] as string)}` });
  for (const [nodeId, reason] of context.exclusions) {
    if (reason === "route" && (context.healthyTicks.get(nodeId) ?? 0) >= context.readmitAfterTicks) actions.push({ action: "readmit", target: nodeId, nodes: [nodeId], reason: "heartbeats fresh again; readmit if its link answers" });
  }
  if (!context.shedding.enabled && context.shedding.hotTicks >= 2) actions.push({ action: "shed-load", target: null, nodes: [], reason: `API latency ${Math.round(analysis.apiLatencyMs)} ms over budget` });
  if (context.shedding.enabled && context.shedding.calmTicks >= 3) actions.push({ action: "restore-load", target: null, nodes: [], reason: "no excess load shed recently" });
  return actions;
}

/** Inputs of {@link planDirective}. */
export type PlanDirectiveParameters = {
  state: Extract<MapekState, "EUPHORIC" | "MYSTICAL">;
  analysis: Analysis;
  policy: Readonly<Record<PolicyParameterName, bigint>>;
  actuator: MeshActuator;
};

/**
 * The MeshPolicy actions a Directive proposes on entering EUPHORIC or MYSTICAL.
 * - EUPHORIC (H ≥ 90 %): the mesh has headroom: sample every healthy node (up to
 *   `fl.maxParticipants`) for better rounds.
 * - MYSTICAL (30 % ≤ H < 50 %): sample only as many nodes as are healthy, so rounds
 *   stop waiting on dead ones; ban suspected Byzantine nodes by their key and raise
 *   `fl.byzantineF` to their number, so the robust strategy's guarantee covers them.
 *
 * @returns at least one action.
 */
export function planDirective({ state, analysis, policy, actuator }: PlanDirectiveParameters): { title: string; rationale: string; actions: DirectiveAction[] } {
  const min = policy["fl.minParticipants"];
  const max = policy["fl.maxParticipants"];
  const healthy = BigInt(analysis.healthy);
  const clamp = (v: bigint): bigint => (v < min ? min : v > max ? max : v);
  const current = policy["fl.targetParticipants"];
  const actions: DirectiveAction[] = [{ type: "set-parameter", parameter: "fl.targetParticipants", value: clamp(healthy).toString(), previous: current.toString() }];
  const phiLine = `φ factors: ${Object.entries(analysis.factors).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(", ")}; ${analysis.healthy}/${analysis.total} nodes healthy.`;
  if (state === "EUPHORIC") {
    return { title: "Mesh healthy: sample every healthy node", rationale: `The mesh entered EUPHORIC. ${phiLine}`, actions };
  }
  const suspects = [...analysis.conditions].filter(([, c]) => c === "byzantine").map(([id]) => id);
  for (const nodeId of suspects) {
    const address = actuator.nodeAddress(nodeId);
    if (address) actions.push({ type: "ban-node", nodeId: address, durationSeconds: null });
  }
  if (suspects.length > 0 && BigInt(suspects.length) > policy["fl.byzantineF"]) {
    actions.push({ type: "set-parameter", parameter: "fl.byzantineF", value: String(suspects.length), previous: policy["fl.byzantineF"].toString() });
  }
  return {
    title: "Mesh degraded: sample only healthy nodes, ban suspected attackers",
    rationale: `The mesh entered MYSTICAL. ${phiLine}${suspects.length ? ` Suspected Byzantine: ${suspects.join(", ")}.` : ""}`,
    actions,
  };
}
