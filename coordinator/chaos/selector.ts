/**
 * The one target selector every fault kind uses (after Chaos Mesh `selector.go` and
 * its `SelectorMode`s: one, all, fixed, fixed-percent, random-max-percent), plus
 * explicit ids. Random choices are seeded, so an experiment picks the same nodes
 * every time it runs with the same seed and the same candidate list.
 */
import { z } from "zod";
import { createRng } from "../fl/random.ts";

/** Wire names of the selection modes. */
export const SELECTOR_MODES = ["ids", "one", "all", "fixed", "fixed-percent", "random-max-percent"] as const;
export type SelectorMode = (typeof SELECTOR_MODES)[number];

/**
 * Which nodes a fault acts on.
 * - `ids`: exactly `ids` (each must exist).
 * - `one`: one node at random.
 * - `all`: every candidate.
 * - `fixed`: `value` nodes at random.
 * - `fixed-percent`: ⌊value % × candidates⌋ nodes at random, at least 1.
 * - `random-max-percent`: a random count in [1, ⌊value % × candidates⌋].
 * `exclude` removes ids from the candidates first (e.g. to keep a quorum).
 */
export const TargetSelectorSchema = z.strictObject({
  mode: z.enum(SELECTOR_MODES),
  ids: z.array(z.string().min(1)).optional(),
  value: z.number().positive().optional(),
  exclude: z.array(z.string().min(1)).optional(),
});
export type TargetSelector = z.infer<typeof TargetSelectorSchema>;

/** One problem with a selector, path relative to the selector. */
export type SelectorIssue = { path: string; message: string };

/**
 * Checks the fields each mode needs (collects every problem).
 *
 * @param selector - a parsed selector.
 * @returns the problems, empty when it is valid.
 */
export function validateSelector(selector: TargetSelector): SelectorIssue[] {
  const issues: SelectorIssue[] = [];
  const { mode, ids, value } = selector;
  if (mode === "ids") {
    if (!ids || ids.length === 0) issues.push({ path: "ids", message: "is required and non-empty for mode ids" });
    else if (new Set(ids).size !== ids.length) issues.push({ path: "ids", message: "contains duplicates" });
  } else if (ids !== undefined) {
    issues.push({ path: "ids", message: `is only allowed with mode ids (mode is ${mode})` });
  }
  if (mode === "fixed") {
    if (value === undefined) issues.push({ path: "value", message: "is required for mode fixed (a node count)" });
    else if (!Number.isInteger(value)) issues.push({ path: "value", message: "must be an integer count for mode fixed" });
  } else if (mode === "fixed-percent" || mode === "random-max-percent") {
    if (value === undefined) issues.push({ path: "value", message: `is required for mode ${mode} (a percentage)` });
    else if (value > 100) issues.push({ path: "value", message: "must be at most 100 (percent)" });
  } else if (value !== undefined) {
    issues.push({ path: "value", message: `is not used by mode ${mode}` });
  }
  return issues;
}

/** Result of {@link selectTargets}. */
export type SelectTargetsReturnType = { ok: true; targets: string[] } | { ok: false; reason: string };

/**
 * Picks targets among `candidates` (sorted first, so the choice does not depend on
 * the order they were registered in).
 *
 * @param selector - the selector.
 * @param candidates - node ids that exist now.
 * @param seed - seeds the random modes.
 * @returns the targets in ascending id order, or why none could be picked.
 *
 * @example
 * import { selectTargets } from "./selector.ts";
 * selectTargets({ mode: "fixed-percent", value: 30 }, ["n1", "n2", "n3", "n4"], 7); // { ok: true, targets: ["n3"] }
 */
export function selectTargets(selector: TargetSelector, candidates: readonly string[], seed: number): SelectTargetsReturnType {
  const excluded = new Set(selector.exclude ?? []);
  const pool = [...new Set(candidates)].filter((id) => !excluded.has(id)).sort();
  if (selector.mode === "ids") {
    const ids = selector.ids ?? [];
    const known = new Set(pool);
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length) return { ok: false, reason: `unknown or excluded ids: ${missing.join(", ")}` };
    return { ok: true, targets: [...ids].sort() };
  }
  if (pool.length === 0) return { ok: false, reason: "no candidates" };
  const rng = createRng(seed);
  let count: number;
  switch (selector.mode) {
    case "all":
      return { ok: true, targets: pool };
    case "one":
      count = 1;
      break;
    case "fixed":
      count = selector.value ?? 0;
      if (count > pool.length) return { ok: false, reason: `fixed ${count} but only ${pool.length} candidates` };
      break;
    case "fixed-percent":
      count = Math.max(1, Math.floor(((selector.value ?? 0) / 100) * pool.length));
      break;
    case "random-max-percent": {
      const max = Math.max(1, Math.floor(((selector.value ?? 0) / 100) * pool.length));
      count = 1 + rng.int(max);
      break;
    }
  }
  // Partial Fisher–Yates: the first `count` slots end up a uniform sample.
  const order = [...pool];
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(order.length - i);
    [order[i], order[j]] = [order[j] as string, order[i] as string];
  }
  return { ok: true, targets: order.slice(0, count).sort() };
}
