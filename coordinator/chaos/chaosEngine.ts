/**
 * The chaos engine: validates a fault spec, selects its targets with the shared
 * selector, applies it through the kind map, recovers it, publishes events on both,
 * and keeps statistics per kind. Detection and healing times come from MAPE-K's
 * `mesh.incident` events: the first incident detected (healed) on an affected node
 * after injection is that node's detection (healing).
 */
import "./events.ts";
import type { EventBus, SynodEvent } from "../events.ts";
import { FaultApplyError, FaultRecoverError, InvalidFaultSpecError, NoTargetsError, UnknownFaultKindError } from "../errors/chaos.ts";
import type { Logger } from "../logger.ts";
import { FAULT_KIND_NAMES, type FaultKindDefinition, type FaultKindName, type FaultStatus, type Injection } from "./fault.ts";
import { FAULT_KINDS, isFaultKind } from "./faults/index.ts";
import { selectTargets } from "./selector.ts";
import type { ChaosSystem } from "./system.ts";

/** Statistics of one kind. MTTD/MTTR are means over affected nodes that were detected / healed, ms. */
export type FaultKindStatistics = { injected: number; active: number; recovered: number; failed: number; detected: number; healed: number; mttdMs: number | null; mttrMs: number | null };

/** Options of {@link ChaosEngine}. */
export type ChaosEngineParameters = {
  system: ChaosSystem;
  /** The bus: injection/recovery events go out, MAPE-K incident events come in. */
  events?: EventBus;
  logger?: Logger;
  /** The clock; default `Date.now`. */
  now?: () => number;
};

type Active = { status: FaultStatus; definition: FaultKindDefinition<never, unknown>; spec: unknown; injection: Injection<unknown> };

/**
 * @example
 * import { ChaosEngine } from "./chaosEngine.ts";
 * const engine = new ChaosEngine({ system: mesh, events });
 * const status = await engine.inject("network-delay", { selector: { mode: "fixed-percent", value: 30 }, durationMs: 60000, latencyMs: 500, jitterMs: 100 }, { seed: 7 });
 * await engine.recover(status.faultId);
 * engine.statistics()["network-delay"]; // { injected: 1, active: 0, recovered: 1, … }
 */
export class ChaosEngine {
  #system: ChaosSystem;
  #events: EventBus | undefined;
  #logger: Logger | undefined;
  #now: () => number;
  #faults = new Map<string, Active>();
  #next = 1;
  #unsubscribe: (() => void) | undefined;

  constructor(parameters: ChaosEngineParameters) {
    this.#system = parameters.system;
    this.#events = parameters.events;
    this.#logger = parameters.logger?.child({ component: "chaos-engine" });
    this.#now = parameters.now ?? Date.now;
    this.#unsubscribe = this.#events?.subscribe((event) => this.#onIncident(event), { types: ["mesh.incident"] });
  }

  /**
   * Validates a spec for `kind` without applying it.
   * @throws {UnknownFaultKindError} for an unknown kind.
   * @throws {InvalidFaultSpecError} listing every problem.
   */
  validate(kind: string, spec: unknown): unknown {
    if (!isFaultKind(kind)) throw new UnknownFaultKindError({ kind, known: FAULT_KIND_NAMES });
    const result = (FAULT_KINDS[kind] as FaultKindDefinition<never, unknown>).validate(spec);
    if (!result.ok) throw new InvalidFaultSpecError({ kind, issues: result.issues });
    return result.spec;
  }

  /**
   * Applies a fault now. If applying fails part-way, what was applied is recovered
   * before the error is thrown.
   *
   * @param kind - wire name, e.g. `"node-crash"`.
   * @param rawSpec - the spec as written in the experiment.
   * @param options.seed - seeds random target selection.
   * @returns the fault's status (phase `injected`).
   */
  async inject(kind: string, rawSpec: unknown, options: { seed: number }): Promise<FaultStatus> {
    const spec = this.validate(kind, rawSpec) as { selector?: Parameters<typeof selectTargets>[0]; durationMs: number };
    const name = kind as FaultKindName;
    const definition = FAULT_KINDS[name] as FaultKindDefinition<never, unknown>;
    let targets: string[];
    if (name === "request-flood") targets = ["coordinator"];
    else {
      const selector = spec.selector ?? { mode: "all" as const };
      // Random modes pick among running nodes (Chaos Mesh: "running objects"); explicit ids are taken as given.
      const candidates = selector.mode === "ids" ? this.#system.nodeIds() : this.#system.nodeIds().filter((id) => this.#system.isReady(id));
      if (definition.scope === "host" && selector.mode !== "ids" && selector.mode !== "all") {
        // A host's nodes share its process and its link: counts and percentages are of
        // hosts (as Chaos Mesh counts pods, not containers), each named by one node.
        const excluded = new Set(selector.exclude ?? []);
        const byHost = new Map<string, string>();
        for (const id of candidates) {
          if (excluded.has(id)) continue;
          const unit = this.#system.host(id)?.hostId ?? id;
          if (!byHost.has(unit)) byHost.set(unit, id);
        }
        const selected = selectTargets({ ...selector, exclude: [] }, [...byHost.keys()], options.seed);
        if (!selected.ok) throw new NoTargetsError({ kind, reason: `${selected.reason} (hosts)` });
        targets = selected.targets.map((unit) => byHost.get(unit) as string).sort();
      } else {
        const selected = selectTargets(selector, candidates, options.seed);
        if (!selected.ok) throw new NoTargetsError({ kind, reason: selected.reason });
        targets = selected.targets;
      }
    }
    const faultId = `${name}-${this.#next++}`;
    const status: FaultStatus = { faultId, kind: name, phase: "injecting", targets, affected: [], injectedAt: null, recoveredAt: null, durationMs: spec.durationMs, detection: {}, records: [], message: null };
    const context = { system: this.#system, faultId, logger: this.#logger };
    const injectedAt = this.#now();
    let injection: Injection<unknown>;
    try {
      injection = await definition.apply(spec as never, targets, context);
    } catch (cause) {
      status.phase = "failed";
      status.message = cause instanceof Error ? cause.message.split("\n")[0] ?? null : String(cause);
      this.#faults.set(faultId, { status, definition, spec, injection: { affected: [], state: undefined, records: [] } });
      throw new FaultApplyError({ kind, faultId, cause });
    }
    Object.assign(status, { phase: "injected", affected: injection.affected, injectedAt, records: injection.records });
    for (const node of injection.affected) status.detection[node] = { detectedAt: null, healedAt: null };
    this.#faults.set(faultId, { status, definition, spec, injection });
    this.#logger?.info({ faultId, kind, targets, affected: injection.affected, durationMs: spec.durationMs }, "fault injected");
    this.#events?.publish("chaos.fault.injected", { faultId, kind, targets, affected: injection.affected, durationMs: spec.durationMs });
    return structuredClone(this.#public(status));
  }

  /** Reverts a fault (idempotent). */
  async recover(faultId: string): Promise<FaultStatus> {
    const active = this.#faults.get(faultId);
    if (!active) throw new FaultRecoverError({ kind: "unknown", faultId, cause: new Error("no such fault") });
    const { status, definition, spec, injection } = active;
    if (status.phase !== "injected") return this.#public(status);
    status.phase = "recovering";
    try {
      const records = await definition.recover(spec as never, injection, { system: this.#system, faultId, logger: this.#logger });
      status.records.push(...records);
      status.phase = "recovered";
    } catch (cause) {
      status.phase = "failed";
      status.message = cause instanceof Error ? cause.message.split("\n")[0] ?? null : String(cause);
      throw new FaultRecoverError({ kind: status.kind, faultId, cause });
    } finally {
      status.recoveredAt = this.#now();
    }
    const activeMs = (status.recoveredAt ?? 0) - (status.injectedAt ?? 0);
    this.#logger?.info({ faultId, kind: status.kind, activeMs }, "fault recovered");
    this.#events?.publish("chaos.fault.recovered", { faultId, kind: status.kind, affected: status.affected, activeMs });
    return this.#public(status);
  }

  /** Reverts every fault still injected (rollback); collects failures instead of stopping at the first. */
  async recoverAll(): Promise<{ recovered: string[]; failed: { faultId: string; error: unknown }[] }> {
    const recovered: string[] = [];
    const failed: { faultId: string; error: unknown }[] = [];
    for (const [faultId, active] of this.#faults) {
      if (active.status.phase !== "injected") continue;
      try {
        await this.recover(faultId);
        recovered.push(faultId);
      } catch (error) {
        failed.push({ faultId, error });
      }
    }
    return { recovered, failed };
  }

  /** A fault's status. */
  status(faultId: string): FaultStatus | undefined {
    const active = this.#faults.get(faultId);
    return active && this.#public(active.status);
  }

  /** Every fault's status, oldest first. */
  statuses(): FaultStatus[] {
    return [...this.#faults.values()].map((a) => this.#public(a.status));
  }

  /** Statistics per kind (every kind listed, zeros included). */
  statistics(): Record<FaultKindName, FaultKindStatistics> {
    const out = {} as Record<FaultKindName, FaultKindStatistics>;
    for (const kind of FAULT_KIND_NAMES) {
      const faults = [...this.#faults.values()].map((a) => a.status).filter((s) => s.kind === kind);
      const detect: number[] = [];
      const heal: number[] = [];
      for (const s of faults) {
        for (const d of Object.values(s.detection)) {
          if (d.detectedAt !== null && s.injectedAt !== null) detect.push(d.detectedAt - s.injectedAt);
          if (d.healedAt !== null && s.injectedAt !== null) heal.push(d.healedAt - s.injectedAt);
        }
      }
      const mean = (values: number[]): number | null => (values.length ? Math.round(values.reduce((a, b) => a + b, 0) / values.length) : null);
      out[kind] = {
        injected: faults.filter((s) => s.injectedAt !== null).length,
        active: faults.filter((s) => s.phase === "injected" || s.phase === "recovering").length,
        recovered: faults.filter((s) => s.phase === "recovered").length,
        failed: faults.filter((s) => s.phase === "failed").length,
        detected: detect.length,
        healed: heal.length,
        mttdMs: mean(detect),
        mttrMs: mean(heal),
      };
    }
    return out;
  }

  /** Stops listening to incidents (faults still injected are not touched: call {@link recoverAll} first). */
  close(): void {
    this.#unsubscribe?.();
  }

  #onIncident(event: SynodEvent): void {
    if (event.type !== "mesh.incident") return;
    const at = Date.parse(event.time);
    for (const { status } of this.#faults.values()) {
      if (status.injectedAt === null || at < status.injectedAt) continue;
      for (const node of event.data.nodes) {
        const d = status.detection[node];
        if (!d) continue;
        // Detected while it was on: an incident that opens after the fault was lifted is something else.
        if (event.data.phase === "detected" && d.detectedAt === null && (status.recoveredAt === null || at <= status.recoveredAt)) d.detectedAt = at;
        else if (event.data.phase === "healed" && d.detectedAt !== null && d.healedAt === null) d.healedAt = at;
      }
    }
  }

  #public(status: FaultStatus): FaultStatus {
    return { ...status, targets: [...status.targets], affected: [...status.affected], detection: structuredClone(status.detection), records: [...status.records] };
  }
}
