/**
 * What every fault kind shares: the base spec fields (selector, duration), one status
 * shape, and the contract each kind's file fulfils (after Chaos Mesh's
 * `controllers/chaosimpl/types`: a kind validates its spec, applies itself to the
 * selected targets and recovers them).
 */
import { z } from "zod";
import type { ChaosIssue } from "../errors/chaos.ts";
import type { Logger } from "../logger.ts";
import { TargetSelectorSchema, validateSelector } from "./selector.ts";
import type { HostLink } from "../mesh/hosts/hostControl.ts";
import type { ChaosSystem } from "./system.ts";

/** Wire names of the fault kinds (Chaos Mesh style, kebab-case). */
export const FAULT_KIND_NAMES = [
  "node-crash",
  "node-pause",
  "node-restart",
  "network-partition",
  "link-down",
  "network-delay",
  "network-loss",
  "network-bandwidth",
  "byzantine",
  "cpu-stress",
  "request-flood",
  "clock-skew",
] as const;
export type FaultKindName = (typeof FAULT_KIND_NAMES)[number];

/** Fields every spec has: which nodes, for how long. */
export const baseSpecShape = {
  selector: TargetSelectorSchema,
  /** How long the fault stays before it is recovered, ms (instant kinds ignore it). */
  durationMs: z.number().int().nonnegative(),
};

/** Network direction relative to the selected nodes (Chaos Mesh `direction`). */
export const DirectionSchema = z.enum(["to", "from", "both"]);
export type Direction = z.infer<typeof DirectionSchema>;

/** A phase per target, as Chaos Mesh records per-target phases. */
export type TargetPhase = "injected" | "recovered" | "failed";

/** The one status shape of every fault. */
export type FaultStatus = {
  faultId: string;
  kind: FaultKindName;
  phase: "injecting" | "injected" | "recovering" | "recovered" | "failed";
  /** Selected targets. */
  targets: string[];
  /** Nodes actually affected (a host crash takes its co-hosted nodes along). */
  affected: string[];
  injectedAt: number | null;
  recoveredAt: number | null;
  durationMs: number;
  /** Per affected node: when MAPE-K detected it and when it was healed (ms since epoch). */
  detection: Record<string, { detectedAt: number | null; healedAt: number | null }>;
  records: { target: string; phase: TargetPhase; detail?: string }[];
  message: string | null;
};

/** What a kind's `apply` gets. */
export type FaultContext = { system: ChaosSystem; faultId: string; logger?: Logger | undefined };

/** What `apply` returns: the affected nodes and the state `recover` needs. */
export type Injection<State> = { affected: string[]; state: State; records: FaultStatus["records"] };

/** The contract of a fault kind's file. */
export type FaultKindDefinition<Spec extends { selector?: z.infer<typeof TargetSelectorSchema>; durationMs: number }, State> = {
  kind: FaultKindName;
  /** One line for docs and CLI listings. */
  description: string;
  /**
   * What the fault acts on: a node, or the host it runs in (process and link faults,
   * whose blast radius is every node of the host; selectors then count hosts).
   */
  scope: "node" | "host" | "coordinator";
  schema: z.ZodType<Spec>;
  validate(input: unknown): ValidateFaultSpecReturnType<Spec>;
  apply(spec: Spec, targets: string[], context: FaultContext): Promise<Injection<State>>;
  recover(spec: Spec, injection: Injection<State>, context: FaultContext): Promise<FaultStatus["records"]>;
};

/** Result of a kind's validator. */
export type ValidateFaultSpecReturnType<Spec> = { ok: true; spec: Spec } | { ok: false; issues: ChaosIssue[] };

/**
 * Validates `input` against `schema`, then runs `extra` checks, collecting every
 * problem with its path (Chaos Mesh's webhook style: report all, not the first).
 *
 * @param schema - the kind's zod schema.
 * @param input - the raw spec.
 * @param extra - cross-field rules on the parsed spec.
 */
export function validateSpec<Spec extends { selector?: z.infer<typeof TargetSelectorSchema> }>(schema: z.ZodType<Spec>, input: unknown, extra?: (spec: Spec) => ChaosIssue[]): ValidateFaultSpecReturnType<Spec> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
    // Selector rules still apply when another field failed, so the user sees them all.
    const raw = TargetSelectorSchema.safeParse((input as { selector?: unknown } | null)?.selector);
    if (raw.success) issues.push(...validateSelector(raw.data).map((i) => ({ path: `selector.${i.path}`, message: i.message })));
    return { ok: false, issues };
  }
  const issues: ChaosIssue[] = [];
  if (parsed.data.selector) issues.push(...validateSelector(parsed.data.selector).map((i) => ({ path: `selector.${i.path}`, message: i.message })));
  if (extra) issues.push(...extra(parsed.data));
  return issues.length ? { ok: false, issues } : { ok: true, spec: parsed.data };
}

/**
 * The links behind `targets`, one per host, and every node they carry (a link is its
 * host's: cutting it cuts all the host's nodes, the fault's real blast radius).
 * Unknown ids are recorded as failed.
 */
export function linksOf(system: ChaosSystem, targets: readonly string[]): { links: [string, HostLink][]; affected: string[]; records: FaultStatus["records"] } {
  const byHost = new Map<string, [string, HostLink]>();
  const affected = new Set<string>();
  const records: FaultStatus["records"] = [];
  for (const target of targets) {
    const host = system.host(target);
    const link = system.link(target);
    if (!host || !link) {
      records.push({ target, phase: "failed", detail: "no link to this node" });
      continue;
    }
    byHost.set(host.hostId, [host.hostId, link]);
    for (const id of host.nodeIds) affected.add(id);
  }
  return { links: [...byHost.values()], affected: [...affected].sort(), records };
}

/** The directions a `Direction` covers. */
export function directionsOf(direction: Direction): ("to" | "from")[] {
  return direction === "both" ? ["to", "from"] : [direction];
}
