/**
 * `link-down`: takes the selected nodes' links down: every open connection is reset
 * and new ones are refused (RST) until recovery. Unlike a partition the failure is
 * loud: senders learn at once.
 */
import { z } from "zod";
import { baseSpecShape, linksOf, validateSpec, type FaultContext, type FaultKindDefinition, type FaultStatus, type Injection } from "../fault.ts";
import type { NodeLinks } from "../system.ts";

export const LinkDownSpecSchema = z.strictObject({ ...baseSpecShape });
export type LinkDownSpec = z.infer<typeof LinkDownSpecSchema>;
export type LinkDownStatus = { links: [string, NodeLinks][] };

/** Validates a link-down spec. */
export const validateLinkDown = (input: unknown) => validateSpec(LinkDownSpecSchema, input, (spec) => (spec.durationMs === 0 ? [{ path: "durationMs", message: "must be positive" }] : []));

export async function applyLinkDown(_spec: LinkDownSpec, targets: string[], context: FaultContext): Promise<Injection<LinkDownStatus>> {
  const { links, records } = linksOf(context.system, targets);
  for (const [id, link] of links) {
    link.down.setDown(true);
    link.up.setDown(true);
    records.push({ target: id, phase: "injected", detail: "links down" });
  }
  return { affected: links.map(([id]) => id), state: { links }, records };
}

export async function recoverLinkDown(_spec: LinkDownSpec, injection: Injection<LinkDownStatus>): Promise<FaultStatus["records"]> {
  return injection.state.links.map(([id, link]) => {
    link.down.setDown(false);
    link.up.setDown(false);
    return { target: id, phase: "recovered" as const };
  });
}

export const linkDown: FaultKindDefinition<LinkDownSpec, LinkDownStatus> = {
  kind: "link-down",
  description: "reset and refuse every connection on the nodes' links",
  schema: LinkDownSpecSchema,
  validate: validateLinkDown,
  apply: applyLinkDown,
  recover: recoverLinkDown,
};
