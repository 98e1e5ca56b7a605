/**
 * The MAPE-K loop: Monitor (heartbeats, FL rounds) → Analyze (conditions, φ) → Plan
 * (healing, directives) → Execute (restart, reroute, exclude, resync, shed load) →
 * Knowledge (a MapekSnapshot record once per knowledge epoch and on every state change;
 * a Directive record on entering EUPHORIC or MYSTICAL; one Incident record per event
 * the mesh suffered on its own, grouped by cause, unless it was a blip).
 */
import type { EventBus } from "../events.ts";
import { HealingActionError } from "../errors/mapek.ts";
import type { KnowledgeRepository } from "../store/knowledgeRepository.ts";
import type { Logger } from "../logger.ts";
import { submitKnowledgeRecord } from "../knowledge/submitKnowledgeRecord.ts";
import type { IncidentRecordV1, MapekState } from "../knowledge/schemas/index.ts";
import { POLICY_PARAMETERS, type PolicyParameterName } from "../policy/parameters.ts";
import type { MeshActuator } from "./actuator.ts";
import { analyze, DEFAULT_ANALYZE_OPTIONS, type Analysis, type AnalyzeMemory, type AnalyzeOptions, type NodeCondition } from "./analyze.ts";
import type { AnomalyModel } from "./anomalyModel.ts";
import { IncidentGrouper, type IncidentGroup } from "./incidentGrouper.ts";
import { HEARTBEAT_WINDOW, type Monitor } from "./monitor.ts";
import { classifyPhi, computePhi, thresholdsFromPolicy, type PhiThresholds } from "./phi.ts";
import { planDirective, planHealing, type ExclusionReason, type HealingAction } from "./plan.ts";

/** An action as executed. */
export type ExecutedAction = HealingAction & { at: number; outcome: "succeeded" | "failed" | "skipped"; detail?: string };

/**
 * An incident as MAPE-K tracks it for healing, MTTD and MTTR: from the first condition
 * on one node to its healing. What governance sees is the group (`groupId`): all
 * incidents of one cause detected within `mapek.incidentGroupMs`.
 */
export type MapekIncident = {
  incidentId: string;
  /** The group it belongs to: the id `mesh.incident` events and the Incident record carry. */
  groupId: string;
  nodeId: string;
  condition: NodeCondition;
  /** Last sign of health (the last heartbeat for stale nodes), ms since epoch. */
  lastHealthyAt: number;
  detectedAt: number;
  healedAt: number | null;
  resolution: "healed" | "mitigated" | null;
  actions: ExecutedAction[];
};

/**
 * What an incident group has in common (Alertmanager's `group_by` labels): the
 * condition, the host when the condition is the host's (a dead, frozen or overloaded
 * process explains every node on it), and whether a chaos experiment provoked it.
 * Link conditions are grouped by condition alone: every node has its own links, so
 * nodes that lose theirs within one window share a cause (a cut, a stalled coordinator).
 */
export type IncidentCause = { condition: NodeCondition; host: string | null; provoked: boolean };

/** An incident group as the loop keeps it. */
export type MapekIncidentGroup = IncidentGroup<IncidentCause, MapekIncident>;

/** Conditions a node's host process explains. */
const HOST_CONDITIONS: ReadonlySet<NodeCondition> = new Set(["down", "frozen", "overloaded"]);
/** A dead or frozen host. */
const HOST_FAILURES: readonly NodeCondition[] = ["down", "frozen"];
/**
 * What a dead or frozen host looks like on a node before the loop asks the host: its
 * fits fail (`unreachable`) while its heartbeats are not stale yet, or it is silent.
 * Such incidents on the host's nodes, within the window, belong to the host's event.
 */
const HOST_SYMPTOMS: ReadonlySet<NodeCondition> = new Set(["unreachable", "partitioned"]);

/** A tick as the history keeps it. */
export type MapekTickSummary = { epoch: number; at: number; state: MapekState; phi: number; conditions: number; actions: number };

/** One tick's outcome. */
export type MapekTick = { epoch: number; state: MapekState; previousState: MapekState | null; phi: number; analysis: Analysis; actions: ExecutedAction[] };

/** Options of {@link MapekLoop}. */
export type MapekLoopParameters = {
  monitor: Monitor;
  actuator: MeshActuator;
  /** Tick period, ms. */
  intervalMs: number;
  /** Analysis tunables; the suspicion threshold is MeshPolicy's (`mesh.suspicionPhiMilli`). */
  analyze?: Partial<Omit<AnalyzeOptions, "suspicionPhi">>;
  /** Current MeshPolicy values (thresholds, participants…); default the deployment defaults. */
  policy?: () => Readonly<Record<PolicyParameterName, bigint>>;
  /** Where snapshots and directives are queued; without it nothing is submitted. */
  outbox?: KnowledgeRepository;
  /** Condition-free ticks before a routed-around node is readmitted (hysteresis); default 3. */
  readmitAfterTicks?: number;
  /** Fewest ms between two directives for the same state (a flapping mesh must not flood governance); default 600 000. */
  directiveCooldownMs?: number;
  /**
   * Longest an incident group may stay open (first detection to now) before it is
   * recorded as it stands, unhealed members and all; default {@link INCIDENT_MAX_OPEN_MS}.
   */
  incidentMaxOpenMs?: number;
  events?: EventBus;
  logger?: Logger;
  /** Called after every tick. */
  onTick?: (tick: MapekTick) => void;
  /**
   * The anomaly model (trained by FL on recorded mesh telemetry). Until it resolves
   * the loop runs on its rules alone; if it fails, it keeps doing so and logs why.
   */
  anomalyModel?: Promise<AnomalyModel>;
};

/**
 * How long an incident group may wait for its last members to heal before it is
 * recorded anyway (`resolution.status: "unresolved"`, the unhealed nodes named): 10 min.
 * Far beyond any healing the loop does itself (a host restart takes seconds, a
 * readmission three healthy ticks, a φ suspicion about a second), so a
 * group still open then has a node that is not coming back by itself, and governance
 * should hear of it within the next knowledge epoch rather than never.
 */
export const INCIDENT_MAX_OPEN_MS = 600_000;

const DEFAULT_POLICY = Object.fromEntries(POLICY_PARAMETERS.map((p) => [p.name, p.value])) as Record<PolicyParameterName, bigint>;

/**
 * @example
 * import { MapekLoop } from "./mapekLoop.ts";
 * const loop = new MapekLoop({ monitor, actuator: mesh, intervalMs: 1000, outbox, events });
 * loop.start();
 * // …
 * await loop.stop();
 */
export class MapekLoop {
  readonly monitor: Monitor;
  #p: MapekLoopParameters;
  #options: AnalyzeOptions;
  #state: MapekState | null = null;
  #epoch = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  #memory: AnalyzeMemory = { bootIds: new Map(), readings: new Map(), degraded: new Set() };
  #anomalyModel: AnomalyModel | undefined;
  #thresholds: PhiThresholds | null = null;
  /** When the model became ready (monitor clock): its verdicts count once the heartbeat windows are newer than that. */
  #anomalyModelReadyAt = 0;
  #exclusions = new Map<string, ExclusionReason>();
  /** The MeshPolicy values of the current tick. */
  #policy: Readonly<Record<PolicyParameterName, bigint>> = DEFAULT_POLICY;
  #restarting = new Set<string>();
  #inFlight = new Set<Promise<unknown>>();
  #shedding = { enabled: false, calmTicks: 0, hotTicks: 0 };
  #incidents = new Map<string, MapekIncident>();
  #closed: MapekIncident[] = [];
  #groups = new IncidentGrouper<IncidentCause, MapekIncident>({
    keyOf: (c) => `${c.provoked ? "provoked" : "unprovoked"}|${c.condition}|${c.host ?? ""}`,
    newId: (at) => `inc-${at}-${this.#nextIncident}`,
  });
  /** The last snapshot's time (monitor clock), `null` before the first. */
  #lastSnapshotAt: number | null = null;
  /** The last snapshot taken because an epoch had passed. */
  #lastEpochSnapshotAt = Number.NEGATIVE_INFINITY;
  /** Blips since the last snapshot, by condition. */
  #blips = new Map<NodeCondition, number>();
  #lastDirectiveAt = new Map<MapekState, number>();
  #nextIncident = 1;
  #healthyTicks = new Map<string, number>();
  #lastTick: MapekTick | undefined;
  #history: MapekTickSummary[] = [];
  /** Settled incident groups waiting to become Incident records, with when they settled (monitor clock). */
  #toRecord: { group: MapekIncidentGroup; at: number }[] = [];
  /** Nodes a chaos fault was injected on → until when (ms; +∞ while active): their incidents are the experiment's to report. */
  #underChaos = new Map<string, number>();
  #unsubscribe: (() => void) | undefined;
  /** Directives, snapshots and incidents submitted (CIDs), newest last. */
  readonly submitted: { kind: "MapekSnapshot" | "Directive" | "Incident"; cid: string; state: MapekState }[] = [];

  constructor(parameters: MapekLoopParameters) {
    this.monitor = parameters.monitor;
    this.#p = parameters;
    this.#unsubscribe = parameters.events?.subscribe(
      (event) => {
        if (event.type === "chaos.fault.injected") for (const node of event.data.affected) this.#underChaos.set(node, Number.POSITIVE_INFINITY);
        // Healing goes on after the revert; incidents until a minute later are still the experiment's.
        if (event.type === "chaos.fault.recovered") for (const node of event.data.affected) this.#underChaos.set(node, this.monitor.now() + 60_000);
      },
      { types: ["chaos.fault.injected", "chaos.fault.recovered"] },
    );
    this.#options = { ...DEFAULT_ANALYZE_OPTIONS, ...parameters.analyze };
    parameters.anomalyModel?.then(
      (model) => {
        this.#anomalyModel = model;
        this.#anomalyModelReadyAt = this.monitor.now();
        const { accuracy, rounds, clients, trainMs, source } = model.summary;
        this.#p.logger?.info({ accuracy: Number(accuracy.toFixed(3)), rounds, clients, source, trainMs }, "MAPE-K anomaly model ready");
      },
      (error: unknown) => this.#p.logger?.warn({ err: error }, "MAPE-K anomaly model unavailable: analysing by rules alone"),
    );
    this.#p.logger?.info({ intervalMs: parameters.intervalMs, analyze: this.#options }, "MAPE-K loop configured");
  }

  /** The current state, `null` before the first tick. */
  get state(): MapekState | null {
    return this.#state;
  }
  get lastTick(): MapekTick | undefined {
    return this.#lastTick;
  }
  /** The latest ticks (at most 1000), oldest first: state and φ over time. */
  history(limit = 1000): MapekTickSummary[] {
    return this.#history.slice(-limit);
  }
  /** Open incidents. */
  openIncidents(): MapekIncident[] {
    return [...this.#incidents.values()].map((i) => ({ ...i, actions: [...i.actions] }));
  }
  /** Closed incidents, oldest first. */
  closedIncidents(): MapekIncident[] {
    return this.#closed.map((i) => ({ ...i, actions: [...i.actions] }));
  }
  /** Incident groups not settled yet (open, or within their window), oldest first. */
  incidentGroups(): { groupId: string; cause: IncidentCause; openedAt: number; closesAt: number; nodes: string[] }[] {
    return this.#groups.groups().map((g) => ({ groupId: g.groupId, cause: { ...g.cause }, openedAt: g.openedAt, closesAt: g.closesAt, nodes: [...new Set(g.members.map((m) => m.nodeId))] }));
  }
  /** Blips since the last snapshot (unprovoked incidents healed within `mapek.minIncidentMs`), by condition. */
  blips(): Partial<Record<NodeCondition, number>> {
    return Object.fromEntries(this.#blips);
  }
  /** Nodes the loop excluded from FL and why. */
  exclusions(): ReadonlyMap<string, ExclusionReason> {
    return new Map(this.#exclusions);
  }
  /** The φ thresholds (MeshPolicy) the last tick classified with; `null` before the first. */
  get thresholds(): PhiThresholds | null {
    return this.#thresholds;
  }
  /** The anomaly model in use, once trained. */
  get anomalyModel(): AnomalyModel | undefined {
    return this.#anomalyModel;
  }
  get sheddingEnabled(): boolean {
    return this.#shedding.enabled;
  }

  /**
   * Lifts the loop's exclusion of a node (an operator or governance decision, e.g. a
   * Byzantine node whose owner fixed it) and readmits it to FL with a clean record.
   */
  reinstate(nodeId: string): void {
    this.#exclusions.delete(nodeId);
    this.monitor.clearOutcomes(nodeId);
    this.#p.actuator.readmitToFl(nodeId);
  }

  /** Starts ticking every `intervalMs` (a tick never overlaps the previous one). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.monitor.observer?.start();
    const loop = async (): Promise<void> => {
      if (this.#stopped) return;
      this.#running = this.tick().then(
        () => undefined,
        (error: unknown) => this.#p.logger?.error({ err: error }, "MAPE-K tick failed"),
      );
      await this.#running;
      if (!this.#stopped) this.#timer = setTimeout(() => void loop(), this.#p.intervalMs);
    };
    void loop();
  }

  /** Stops ticking and waits for the current tick and any healing in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.monitor.observer?.stop();
    this.#unsubscribe?.();
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Runs one Monitor → Analyze → Plan → Execute → Knowledge pass. */
  async tick(): Promise<MapekTick> {
    const epoch = ++this.#epoch;
    const actuator = this.#p.actuator;
    const policy = this.#p.policy?.() ?? DEFAULT_POLICY;
    // Training takes the coordinator's CPU for seconds; the heartbeats read meanwhile are late for everyone.
    const settled = this.monitor.now() - this.#anomalyModelReadyAt >= HEARTBEAT_WINDOW * this.monitor.heartbeatMs;
    // A node routed around is judged by its heartbeats alone: the rounds it failed (some
    // finish after it was excluded) are explained by what it is routed around for, and
    // it gets no new rounds while out, so kept they would read as a bad link forever.
    for (const [nodeId, why] of this.#exclusions) if (why === "route") this.monitor.clearOutcomes(nodeId);
    // A deployment made before the parameter existed does not have it: keep the default (MeshPolicy bounds it to ≥ 1000).
    const options = { ...this.#options, suspicionPhi: Number(policy["mesh.suspicionPhiMilli"] ?? DEFAULT_POLICY["mesh.suspicionPhiMilli"]) / 1000 };
    const analysis = await analyze(this.monitor, actuator, options, this.#memory, settled ? this.#anomalyModel : undefined);
    const phi = computePhi(analysis.factors);

    // Shedding pressure, with hysteresis so it does not flap.
    if (analysis.apiLatencyMs > this.#options.latencyBudgetMs) {
      this.#shedding.hotTicks++;
      this.#shedding.calmTicks = 0;
    } else {
      this.#shedding.hotTicks = 0;
      if (analysis.apiLatencyMs < this.#options.latencyBudgetMs / 2) this.#shedding.calmTicks++;
    }

    for (const view of this.monitor.nodes()) {
      this.#healthyTicks.set(view.nodeId, analysis.conditions.has(view.nodeId) ? 0 : (this.#healthyTicks.get(view.nodeId) ?? 0) + 1);
    }
    this.#policy = policy;
    this.#trackIncidents(analysis);
    const planned = planHealing(analysis, {
      actuator,
      exclusions: this.#exclusions,
      restarting: this.#restarting,
      shedding: this.#shedding,
      healthyTicks: this.#healthyTicks,
      readmitAfterTicks: this.#p.readmitAfterTicks ?? 3,
    });
    const executed = await this.#execute(planned, analysis);

    const recovering = this.#restarting.size > 0;
    this.#thresholds = thresholdsFromPolicy(policy);
    const state = classifyPhi(phi, this.#thresholds, recovering);
    const previousState = this.#state;
    this.#state = state;
    const tick: MapekTick = { epoch, state, previousState, phi, analysis, actions: executed };
    this.#lastTick = tick;
    this.#history.push({ epoch, at: Date.now(), state, phi, conditions: analysis.conditions.size, actions: executed.length });
    if (this.#history.length > 1000) this.#history.shift();
    if (state !== previousState) {
      this.#p.logger?.info({ from: previousState, to: state, phi: Number(phi.toFixed(3)), factors: analysis.factors }, "MAPE-K state changed");
      this.#p.events?.publish("mapek.state.changed", { from: previousState ?? "NONE", to: state, phi });
    }
    await this.#knowledge(tick, policy);
    await this.#recordIncidents(tick);
    this.#p.onTick?.(tick);
    return tick;
  }

  #trackIncidents(analysis: Analysis): void {
    const groupMs = Number(this.#policy["mapek.incidentGroupMs"]);
    // One `mesh.incident` event per group and phase per tick, naming the nodes that changed.
    const changed = new Map<string, { phase: "detected" | "healed"; fault: string; nodes: string[] }>();
    const note = (phase: "detected" | "healed", incident: MapekIncident): void => {
      const key = `${phase}|${incident.groupId}`;
      const entry = changed.get(key) ?? { phase, fault: incident.condition, nodes: [] };
      entry.nodes.push(incident.nodeId);
      changed.set(key, entry);
    };
    for (const [nodeId, condition] of analysis.conditions) {
      if (this.#incidents.has(nodeId)) continue;
      const view = this.monitor.node(nodeId);
      const cause: IncidentCause = {
        condition,
        host: HOST_CONDITIONS.has(condition) ? this.#p.actuator.hostOf(nodeId) : null,
        provoked: this.#provoked(nodeId, analysis.at),
      };
      const incident: MapekIncident = {
        incidentId: `inc-${analysis.at}-${this.#nextIncident}`,
        groupId: "",
        nodeId,
        condition,
        lastHealthyAt: Math.min(view?.lastHeartbeatAt ?? analysis.at, analysis.at),
        detectedAt: analysis.at,
        healedAt: null,
        resolution: null,
        actions: [],
      };
      incident.groupId = this.#group(cause, incident, groupMs).groupId;
      this.#nextIncident++;
      this.#incidents.set(nodeId, incident);
      this.#p.logger?.warn({ nodeId, condition, groupId: incident.groupId }, "MAPE-K detected an incident");
      note("detected", incident);
    }
    for (const [nodeId, incident] of this.#incidents) {
      const condition = analysis.conditions.get(nodeId);
      const byzantineHandled = condition === "byzantine" && this.#exclusions.get(nodeId) === "byzantine";
      const healthy = condition === undefined && !this.#exclusions.has(nodeId);
      if (!healthy && !byzantineHandled) continue;
      incident.healedAt = analysis.at;
      incident.resolution = healthy ? "healed" : "mitigated";
      this.#incidents.delete(nodeId);
      this.#closed.push(incident);
      if (this.#closed.length > 1000) this.#closed.shift();
      this.#p.logger?.info({ nodeId, condition: incident.condition, resolution: incident.resolution, ms: incident.healedAt - incident.detectedAt }, "MAPE-K closed an incident");
      note("healed", incident);
    }
    for (const [key, { phase, fault, nodes }] of changed) {
      this.#p.events?.publish("mesh.incident", { incidentId: key.slice(phase.length + 1), phase, fault, nodes });
    }
    this.#settleGroups(analysis.at);
  }

  /**
   * Puts a new incident in its group. A symptom of a host failure on a node of a host
   * already known dead or frozen joins that host's group; a host failure takes in the
   * symptoms its nodes showed within the window before it was known, so one crash is
   * one group even when a few nodes first looked `unreachable` (fits failing before
   * their heartbeats went stale).
   */
  #group(cause: IncidentCause, incident: MapekIncident, groupMs: number): MapekIncidentGroup {
    const at = incident.detectedAt;
    const host = this.#p.actuator.hostOf(incident.nodeId);
    if (host && HOST_SYMPTOMS.has(cause.condition)) {
      for (const condition of HOST_FAILURES) {
        const hostGroup = this.#groups.find({ condition, host, provoked: cause.provoked }, at);
        if (hostGroup) {
          this.#groups.join(hostGroup, incident);
          return hostGroup;
        }
      }
    }
    const group = this.#groups.add(cause, at, incident, groupMs);
    if (host && group.members.length === 1 && HOST_FAILURES.includes(cause.condition)) {
      for (const moved of this.#groups.absorb(group, (m, g) => g.cause.provoked === cause.provoked && HOST_SYMPTOMS.has(m.condition) && m.detectedAt >= at - groupMs && this.#p.actuator.hostOf(m.nodeId) === host)) {
        moved.groupId = group.groupId;
      }
    }
    return group;
  }

  /** Whether a chaos experiment had the node under a fault at `at` (its incidents are the experiment's to report). */
  #provoked(nodeId: string, at: number): boolean {
    return (this.#underChaos.get(nodeId) ?? Number.NEGATIVE_INFINITY) >= at;
  }

  /**
   * Groups whose window has passed and whose every member healed are settled: the
   * incidents a chaos experiment provoked (as decided at detection) are its to report; of the others, an event
   * open (first detection to last healing) no longer than `mapek.minIncidentMs` is a
   * blip, counted in the next snapshot; anything longer becomes one Incident record.
   * A group still not healed `incidentMaxOpenMs` after its first detection is settled
   * too, and recorded as it stands ("unresolved", naming the unhealed nodes); its members
   * that heal later close as incidents but the group, settled, is never recorded again.
   */
  #settleGroups(now: number): void {
    const minIncidentMs = Number(this.#policy["mapek.minIncidentMs"]);
    const maxOpenMs = this.#p.incidentMaxOpenMs ?? INCIDENT_MAX_OPEN_MS;
    const healed = (g: MapekIncidentGroup) => g.members.every((m) => m.healedAt !== null);
    for (const group of this.#groups.settle(now, (g) => healed(g) || now - g.openedAt >= maxOpenMs)) {
      // Provoked or not was decided at each member's detection and is part of the group's
      // cause (a symptom joins, or is absorbed by, a group only with the same flag). Asking
      // `#underChaos` now would count an incident the mesh suffered on its own as provoked
      // when an experiment targeted the node after it was detected.
      if (group.cause.provoked) continue;
      const own = group.members;
      if (!healed(group)) {
        // Recorded as the members stand now: copies, since the open ones keep changing.
        this.#toRecord.push({ group: { ...group, members: own.map((m) => ({ ...m, actions: [...m.actions] })) }, at: now });
        this.#p.logger?.warn({ groupId: group.groupId, unhealed: own.filter((m) => m.healedAt === null).map((m) => m.nodeId), openMs: now - group.openedAt }, "MAPE-K recorded an incident group that has not healed");
        continue;
      }
      const openMs = Math.max(...own.map((m) => m.healedAt!)) - Math.min(...own.map((m) => m.detectedAt));
      if (openMs <= minIncidentMs) {
        this.#blips.set(group.cause.condition, (this.#blips.get(group.cause.condition) ?? 0) + 1);
        this.#p.logger?.info({ groupId: group.groupId, condition: group.cause.condition, nodes: own.length, openMs }, "MAPE-K counted a blip");
        continue;
      }
      this.#toRecord.push({ group: { ...group, members: own }, at: now });
    }
  }

  async #execute(planned: HealingAction[], analysis: Analysis): Promise<ExecutedAction[]> {
    const actuator = this.#p.actuator;
    const done: ExecutedAction[] = [];
    const record = (action: HealingAction, outcome: ExecutedAction["outcome"], detail?: string): ExecutedAction => {
      const executed: ExecutedAction = { ...action, at: this.monitor.now(), outcome, ...(detail ? { detail } : {}) };
      done.push(executed);
      for (const nodeId of action.nodes) this.#incidents.get(nodeId)?.actions.push(executed);
      return executed;
    };
    for (const action of planned) {
      try {
        switch (action.action) {
          case "restart": {
            // Restarts take seconds; run them in the background (the loop reports
            // QUIESCENT meanwhile) instead of stalling detection of everything else.
            const host = action.target as string;
            this.#restarting.add(host);
            const executed = record(action, "succeeded", "restart started");
            const work = actuator
              .restartHost(host)
              .then(
                () => {
                  for (const nodeId of action.nodes) this.monitor.clearOutcomes(nodeId);
                },
                (error: unknown) => {
                  executed.outcome = "failed";
                  executed.detail = new HealingActionError({ action: "restart", target: host, cause: error }).shortMessage;
                  this.#p.logger?.error({ err: error, host }, "MAPE-K restart failed");
                },
              )
              .finally(() => {
                this.#restarting.delete(host);
                this.#inFlight.delete(work);
              });
            this.#inFlight.add(work);
            break;
          }
          case "reroute":
            actuator.excludeFromFl(action.target as string, action.reason);
            this.#exclusions.set(action.target as string, "route");
            record(action, "succeeded");
            break;
          case "exclude-from-fl":
            actuator.excludeFromFl(action.target as string, action.reason);
            this.#exclusions.set(action.target as string, "byzantine");
            record(action, "succeeded");
            break;
          case "readmit": {
            const nodeId = action.target as string;
            if (await actuator.pingNode(nodeId, Math.max(500, this.#options.latencyBudgetMs * 4))) {
              this.monitor.clearOutcomes(nodeId);
              actuator.readmitToFl(nodeId);
              this.#exclusions.delete(nodeId);
              record(action, "succeeded");
            } else {
              record(action, "skipped", "link does not answer yet");
            }
            break;
          }
          case "resync-clock":
            await actuator.resyncClock(action.target as string);
            this.monitor.resetClock(action.target as string);
            record(action, "succeeded");
            break;
          case "shed-load":
            actuator.setLoadShedding(true);
            this.#shedding.enabled = true;
            this.#shedding.calmTicks = 0;
            record(action, "succeeded");
            break;
          case "restore-load":
            actuator.setLoadShedding(false);
            this.#shedding.enabled = false;
            this.#shedding.hotTicks = 0;
            record(action, "succeeded");
            break;
        }
      } catch (error) {
        record(action, "failed", new HealingActionError({ action: action.action, target: action.target, cause: error }).shortMessage);
        this.#p.logger?.error({ err: error, action: action.action, target: action.target }, "MAPE-K action failed");
      }
    }
    // Re-check incidents so a node readmitted this tick is closed now, not a tick later.
    if (done.some((a) => a.action === "readmit" && a.outcome === "succeeded")) this.#trackIncidents({ ...analysis, at: this.monitor.now() });
    return done;
  }

  async #knowledge(tick: MapekTick, policy: Readonly<Record<PolicyParameterName, bigint>>): Promise<void> {
    const outbox = this.#p.outbox;
    const changed = tick.state !== tick.previousState;
    const now = this.monitor.now();
    let directiveCid: string | undefined;
    let directive: ReturnType<typeof planDirective> | undefined;
    // String states compared with string states: the original compared an integer enum here.
    if (changed && (tick.state === "EUPHORIC" || tick.state === "MYSTICAL")) {
      const last = this.#lastDirectiveAt.get(tick.state);
      if (last === undefined || now - last >= (this.#p.directiveCooldownMs ?? 600_000)) {
        this.#lastDirectiveAt.set(tick.state, now);
        directive = planDirective({ state: tick.state, analysis: tick.analysis, policy, actuator: this.#p.actuator });
        if (outbox) {
          const { record } = await submitKnowledgeRecord({
            outbox,
            record: { kind: "Directive", schemaVersion: 1, round: tick.epoch, createdAt: new Date(now).toISOString(), title: directive.title, rationale: directive.rationale, trigger: { state: tick.state }, actions: directive.actions },
          });
          directiveCid = record.cid;
          this.submitted.push({ kind: "Directive", cid: record.cid, state: tick.state });
        }
        this.#p.logger?.info({ state: tick.state, actions: directive.actions, cid: directiveCid }, "MAPE-K proposed a directive");
      }
    }
    // One snapshot per knowledge epoch, plus one per state change: the keeper ratifies
    // an epoch at a time, and a snapshot every minute would only be noise to its voters.
    const epochMs = Number(policy["knowledge.epochSeconds"]) * 1000;
    const epochDue = now - this.#lastEpochSnapshotAt >= epochMs;
    if (!outbox || (!changed && !epochDue)) return;
    if (epochDue) this.#lastEpochSnapshotAt = now;
    const since = this.#lastSnapshotAt;
    const blips = Object.fromEntries(this.#blips);
    const a = tick.analysis;
    const directives = [
      ...tick.actions.map((x) => ({ action: x.action, target: x.target, reason: x.reason })),
      ...(directive ? [{ action: "propose-policy", target: null, reason: directive.title, ...(directiveCid ? { directiveCid } : {}) }] : []),
    ];
    const { record } = await submitKnowledgeRecord({
      outbox,
      record: {
        kind: "MapekSnapshot",
        schemaVersion: 2,
        round: tick.epoch,
        createdAt: new Date(now).toISOString(),
        state: tick.state,
        previousState: tick.previousState,
        phi: tick.phi,
        nodes: { total: a.total, healthy: a.healthy, stale: a.stale, isolated: a.isolated },
        metrics: a.metrics,
        directives,
        blips: { since: since === null ? null : new Date(since).toISOString(), counts: blips },
      },
    });
    // Only once it is stored: a snapshot that failed leaves its blips (and its `since`) to the next.
    this.#lastSnapshotAt = now;
    for (const [condition, n] of Object.entries(blips) as [NodeCondition, number][]) {
      const left = (this.#blips.get(condition) ?? 0) - n;
      if (left > 0) this.#blips.set(condition, left);
      else this.#blips.delete(condition);
    }
    this.submitted.push({ kind: "MapekSnapshot", cid: record.cid, state: tick.state });
  }

  /**
   * Events the mesh suffered on its own (not injected by a chaos experiment, which
   * reports its own) become one Incident record per settled group: which nodes, what
   * failed, how fast it was noticed and healed, and what the loop did.
   */
  async #recordIncidents(tick: MapekTick): Promise<void> {
    const outbox = this.#p.outbox;
    const groups = this.#toRecord.splice(0);
    if (!outbox) return;
    for (const { group, at } of groups) {
      try {
        const { record } = await submitKnowledgeRecord({ outbox, record: incidentRecordOf(group, tick.epoch, at) });
        this.submitted.push({ kind: "Incident", cid: record.cid, state: tick.state });
      } catch (error) {
        this.#p.logger?.error({ err: error, incidentId: group.groupId }, "could not record an incident");
      }
    }
  }
}

/**
 * The Incident record of a settled group: its nodes, from the earliest last sign of
 * health to the last healing, and every action the loop took on any of them (once).
 * A group settled with members still unhealed is "unresolved": no healing time, the
 * unhealed nodes named, created at `at` (when it was settled).
 */
export function incidentRecordOf(group: MapekIncidentGroup, round: number, at?: number): IncidentRecordV1 {
  const iso = (ms: number) => new Date(ms).toISOString();
  const members = group.members;
  const nodes = [...new Set(members.map((m) => m.nodeId))].sort();
  const startedAt = Math.min(...members.map((m) => m.lastHealthyAt));
  const detectedAt = Math.min(...members.map((m) => m.detectedAt));
  const unhealed = [...new Set(members.filter((m) => m.healedAt === null).map((m) => m.nodeId))].sort();
  if (unhealed.length > 0) return unresolvedRecordOf(group, round, { nodes, unhealed, startedAt, detectedAt, at: Math.max(at ?? detectedAt, detectedAt) });
  const healedAt = Math.max(...members.map((m) => m.healedAt ?? detectedAt));
  const resolution = members.some((m) => m.resolution === "mitigated") ? "mitigated" : "healed";
  // A restart names every node of its host: the same action object sits on each member.
  const actions = [...new Set(members.flatMap((m) => m.actions))].sort((x, y) => x.at - y.at);
  const { condition, host } = group.cause;
  const where = host ? ` on host ${host}` : "";
  return {
    kind: "Incident",
    schemaVersion: 1,
    round,
    createdAt: iso(healedAt),
    incidentId: group.groupId,
    fault: { kind: condition, description: `${nodes.length === 1 ? nodes[0] : `${nodes.length} nodes`}${where} ${nodes.length === 1 ? "was" : "were"} ${condition}; MAPE-K noticed it and ${resolution}`.slice(0, 2000), injected: false },
    affectedNodes: nodes,
    startedAt: iso(startedAt),
    detectedAt: iso(detectedAt),
    healedAt: iso(healedAt),
    timeToDetectMs: detectedAt - startedAt,
    timeToRecoverMs: healedAt - startedAt,
    actions: actions.map((a) => ({ action: a.action, target: a.target ?? "coordinator", at: iso(Math.max(a.at, detectedAt)), outcome: a.outcome, ...(a.detail ? { detail: a.detail.slice(0, 2000) } : {}) })),
    resolution: { status: resolution, summary: `${resolution} ${healedAt - detectedAt} ms after detection (${healedAt - startedAt} ms after the last sign of health)${nodes.length > 1 ? `; ${nodes.length} nodes, one cause` : ""}` },
  };
}

/** The Incident record of a group settled while some of its members were still unhealed. */
function unresolvedRecordOf(group: MapekIncidentGroup, round: number, p: { nodes: string[]; unhealed: string[]; startedAt: number; detectedAt: number; at: number }): IncidentRecordV1 {
  const iso = (ms: number) => new Date(ms).toISOString();
  const { nodes, unhealed, startedAt, detectedAt, at } = p;
  const actions = [...new Set(group.members.flatMap((m) => m.actions))].sort((x, y) => x.at - y.at);
  const { condition, host } = group.cause;
  const where = host ? ` on host ${host}` : "";
  const back = nodes.length - unhealed.length;
  const list = unhealed.join(", ");
  const openS = Math.round((at - detectedAt) / 1000);
  return {
    kind: "Incident",
    schemaVersion: 1,
    round,
    createdAt: iso(at),
    incidentId: group.groupId,
    fault: {
      kind: condition,
      description: `${nodes.length === 1 ? nodes[0] : `${nodes.length} nodes`}${where} ${nodes.length === 1 ? "was" : "were"} ${condition}; MAPE-K noticed it; ${back > 0 ? `${back} healed, ` : ""}not healed after ${openS} s: ${list}`.slice(0, 2000),
      injected: false,
    },
    affectedNodes: nodes,
    startedAt: iso(startedAt),
    detectedAt: iso(detectedAt),
    healedAt: null,
    timeToDetectMs: detectedAt - startedAt,
    timeToRecoverMs: null,
    actions: actions.map((a) => ({ action: a.action, target: a.target ?? "coordinator", at: iso(Math.max(a.at, detectedAt)), outcome: a.outcome, ...(a.detail ? { detail: a.detail.slice(0, 2000) } : {}) })),
    resolution: { status: "unresolved", summary: `unresolved ${at - detectedAt} ms after detection: ${unhealed.length} of ${nodes.length} node(s) not healed (${list})`.slice(0, 4000) },
  };
}
