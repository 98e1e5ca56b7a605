/**
 * `link-down`: takes the selected nodes' links down: every open connection is reset
 * and new ones are refused (RST) until recovery. Unlike a partition the failure is
 * loud: senders learn at once.
 */
import { z } from "zod";
import { baseSpecShape, linksOf, validateSpec, type FaultContext, type FaultKindDefinition, type FaultStatus, type Injection } from "../fault.ts";
import type { HostLink } from "../../mesh/hosts/hostControl.ts";

export const LinkDownSpecSchema = z.strictObject({ ...baseSpecShape });
export type LinkDownSpec = z.infer<typeof LinkDownSpecSchema>;
export type LinkDownStatus = { links: [string, HostLink][] };

/** Validates a link-down spec. */
export const validateLinkDown = (input: unknown) => validateSpec(LinkDownSpecSchema, input, (spec) => (spec.durationMs === 0 ? [{ path: "durationMs", message: "must be positive" }] : []));

export async function applyLinkDown(_spec: LinkDownSpec, targets: string[], context: FaultContext): Promise<Injection<LinkDownStatus>> {
  const { links, affected, records } = linksOf(context.system, targets);
  for (const [id, link] of links) {
    await link.setDown(true);
    records.push({ target: id, phase: "injected", detail: "links down" });
  }
  return { affected, state: { links }, records };
}

export async function recoverLinkDown(_spec: LinkDownSpec, injection: Injection<LinkDownStatus>): Promise<FaultStatus["records"]> {
  const records: FaultStatus["records"] = [];
  for (const [id, link] of injection.state.links) {
    await link.setDown(false);
    records.push({ target: id, phase: "recovered" });
  }
  return records;
}

export const linkDown: FaultKindDefinition<LinkDownSpec, LinkDownStatus> = {
  kind: "link-down",
  scope: "host",
  description: "reset and refuse every connection on the nodes' links",
  schema: LinkDownSpecSchema,
  validate: validateLinkDown,
  apply: applyLinkDown,
  recover: recoverLinkDown,
};
