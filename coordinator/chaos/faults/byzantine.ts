/**
 * `byzantine`: turns the selected nodes into attackers with one of the FL engine's
 * attacks (`coordinator/fl/attacks`): they keep training and signing, but send
 * poisoned updates. Recovery makes them honest again.
 */
import { z } from "zod";
import { AttackSpecSchema } from "../../fl/attacks/createAttack.ts";
import { baseSpecShape, validateSpec, type FaultContext, type FaultKindDefinition, type FaultStatus, type Injection } from "../fault.ts";

export const ByzantineSpecSchema = z.strictObject({ ...baseSpecShape, attack: AttackSpecSchema });
export type ByzantineSpec = z.infer<typeof ByzantineSpecSchema>;
export type ByzantineStatus = { nodes: string[] };

/** Validates a byzantine spec. ALIE needs an in-process coalition that spans hosts, which separate processes do not share. */
export const validateByzantine = (input: unknown) =>
  validateSpec(ByzantineSpecSchema, input, (spec) => [
    ...(spec.attack.kind === "alie" ? [{ path: "attack.kind", message: "alie needs a coalition shared by all attackers; not available across node-host processes" }] : []),
    ...(spec.durationMs === 0 ? [{ path: "durationMs", message: "must be positive" }] : []),
  ]);

export async function applyByzantine(spec: ByzantineSpec, targets: string[], context: FaultContext): Promise<Injection<ByzantineStatus>> {
  const records: FaultStatus["records"] = [];
  const nodes: string[] = [];
  for (const id of targets) {
    try {
      await context.system.setAttack(id, spec.attack);
      nodes.push(id);
      records.push({ target: id, phase: "injected", detail: spec.attack.kind });
    } catch (error) {
      records.push({ target: id, phase: "failed", detail: error instanceof Error ? error.message.split("\n")[0] : String(error) });
    }
  }
  return { affected: nodes, state: { nodes }, records };
}

export async function recoverByzantine(_spec: ByzantineSpec, injection: Injection<ByzantineStatus>, context: FaultContext): Promise<FaultStatus["records"]> {
  const records: FaultStatus["records"] = [];
  for (const id of injection.state.nodes) {
    try {
      await context.system.setAttack(id, null);
      records.push({ target: id, phase: "recovered" });
    } catch (error) {
      // A host restarted since comes up honest: nothing left to revert.
      records.push({ target: id, phase: "recovered", detail: `host did not answer (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); a restarted host is honest` });
    }
  }
  return records;
}

export const byzantine: FaultKindDefinition<ByzantineSpec, ByzantineStatus> = {
  kind: "byzantine",
  scope: "node",
  description: "make nodes send poisoned FL updates (sign-flip, gaussian-noise, scaling, label-flip, nan-injection)",
  schema: ByzantineSpecSchema,
  validate: validateByzantine,
  apply: applyByzantine,
  recover: recoverByzantine,
};
