/**
 * Groups incidents by cause within a short window, as Alertmanager's `group_by` and
 * `group_wait` do: the first incident of a cause opens a group; every incident of the
 * same cause detected within `windowMs` of that first one joins it; one detected later
 * opens a new group. A host crash that takes down its ten nodes is one group, so one
 * Incident record, not ten.
 */

/** One group: its cause, when its first member was detected, and its members. */
export type IncidentGroup<C, T> = {
  groupId: string;
  /** The cause as {@link IncidentGrouperParameters.keyOf} names it. */
  key: string;
  cause: C;
  /** Detection time of the first member, ms. */
  openedAt: number;
  /** Until when (inclusive, ms) incidents of the same cause still join the group. */
  closesAt: number;
  members: T[];
};

/** Options of {@link IncidentGrouper}. */
export type IncidentGrouperParameters<C> = {
  /** The grouping key of a cause (Alertmanager's `group_by` labels, joined). */
  keyOf: (cause: C) => string;
  /** A new group's id, given its first detection time. */
  newId: (openedAt: number) => string;
};

/**
 * @example
 * import { IncidentGrouper } from "./incidentGrouper.ts";
 * const grouper = new IncidentGrouper<string, string>({ keyOf: (c) => c, newId: (at) => `grp-${at}` });
 * grouper.add("down|host-001", 1000, "node-010", 2000);
 * grouper.add("down|host-001", 1250, "node-011", 2000).members; // ["node-010", "node-011"]
 * grouper.settle(3000, () => true); // [the group], removed
 */
export class IncidentGrouper<C, T> {
  #p: IncidentGrouperParameters<C>;
  /** Groups not settled yet, oldest first. */
  #groups: IncidentGroup<C, T>[] = [];
  /** The group of each key that new incidents may still join. */
  #latest = new Map<string, IncidentGroup<C, T>>();

  constructor(parameters: IncidentGrouperParameters<C>) {
    this.#p = parameters;
  }

  /**
   * Adds an incident detected at `at`.
   *
   * @param windowMs - how long after a new group's first detection others still join it (MeshPolicy `mapek.incidentGroupMs`).
   * @returns the group it joined or opened.
   */
  add(cause: C, at: number, member: T, windowMs: number): IncidentGroup<C, T> {
    const key = this.#p.keyOf(cause);
    const latest = this.#latest.get(key);
    if (latest && at >= latest.openedAt && at <= latest.closesAt) {
      latest.members.push(member);
      return latest;
    }
    const group: IncidentGroup<C, T> = { groupId: this.#p.newId(at), key, cause, openedAt: at, closesAt: at + Math.max(0, windowMs), members: [member] };
    this.#groups.push(group);
    this.#latest.set(key, group);
    return group;
  }

  /** The unsettled group of `cause` that an incident detected at `at` would join, if any. */
  find(cause: C, at: number): IncidentGroup<C, T> | undefined {
    const latest = this.#latest.get(this.#p.keyOf(cause));
    return latest && at >= latest.openedAt && at <= latest.closesAt ? latest : undefined;
  }

  /** Adds a member to a group already found (a symptom of its cause, whatever the symptom's own key). */
  join(group: IncidentGroup<C, T>, member: T): void {
    group.members.push(member);
  }

  /**
   * Moves into `into` the members of other unsettled groups for which `pick` holds
   * (symptoms found before their cause was); groups left empty are dropped.
   *
   * @returns the members moved.
   */
  absorb(into: IncidentGroup<C, T>, pick: (member: T, group: IncidentGroup<C, T>) => boolean): T[] {
    const moved: T[] = [];
    for (const group of this.#groups) {
      if (group === into) continue;
      const taken = group.members.filter((m) => pick(m, group));
      if (taken.length === 0) continue;
      group.members = group.members.filter((m) => !taken.includes(m));
      into.members.push(...taken);
      moved.push(...taken);
    }
    const empty = this.#groups.filter((g) => g.members.length === 0);
    this.#groups = this.#groups.filter((g) => g.members.length > 0);
    for (const g of empty) if (this.#latest.get(g.key) === g) this.#latest.delete(g.key);
    return moved;
  }

  /** Groups not settled yet, oldest first. */
  groups(): readonly IncidentGroup<C, T>[] {
    return this.#groups;
  }

  /**
   * Removes and returns the groups whose window has passed at `now` and for which
   * `done` holds (e.g. every member healed).
   */
  settle(now: number, done: (group: IncidentGroup<C, T>) => boolean): IncidentGroup<C, T>[] {
    const settled = this.#groups.filter((g) => now >= g.closesAt && done(g));
    if (settled.length === 0) return [];
    this.#groups = this.#groups.filter((g) => !settled.includes(g));
    for (const g of settled) if (this.#latest.get(g.key) === g) this.#latest.delete(g.key);
    return settled;
  }
}

/**
 * Groups a finished list of incidents at once (in detection order).
 *
 * @example
 * import { groupIncidents } from "./incidentGrouper.ts";
 * groupIncidents(incidents, { windowMs: 2000, causeOf: (i) => i.condition, keyOf: (c) => c, detectedAt: (i) => i.detectedAt });
 */
export function groupIncidents<C, T>(items: readonly T[], p: { windowMs: number; causeOf: (item: T) => C; keyOf: (cause: C) => string; detectedAt: (item: T) => number }): IncidentGroup<C, T>[] {
  let n = 0;
  const grouper = new IncidentGrouper<C, T>({ keyOf: p.keyOf, newId: () => String(++n) });
  for (const item of [...items].sort((a, b) => p.detectedAt(a) - p.detectedAt(b))) grouper.add(p.causeOf(item), p.detectedAt(item), item, p.windowMs);
  return [...grouper.groups()];
}
