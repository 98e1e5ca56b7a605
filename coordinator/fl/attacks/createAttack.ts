import { z } from "zod";
import { InvalidStrategyConfigError } from "../../errors/fl.ts";
import { createAlie, type AlieCoalition } from "./alie.ts";
import type { Attack } from "./attack.ts";
import { createGaussianNoise } from "./gaussianNoise.ts";
import { createLabelFlip } from "./labelFlip.ts";
import { createNanInjection } from "./nanInjection.ts";
import { createScaling } from "./scaling.ts";
import { createSignFlip } from "./signFlip.ts";

/** Config of each attack (kebab-case wire names, as the chaos engine sends them). */
export const AttackSpecSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("sign-flip"), scale: z.number().positive().optional() }),
  z.object({ kind: z.literal("gaussian-noise"), std: z.number().positive().optional() }),
  z.object({ kind: z.literal("scaling"), factor: z.number().optional() }),
  z.object({ kind: z.literal("label-flip") }),
  z.object({ kind: z.literal("alie"), z: z.number().optional(), omniscient: z.boolean().optional() }),
  z.object({ kind: z.literal("nan-injection"), fraction: z.number().gt(0).max(1).optional() }),
]);

/** A validated attack config. */
export type AttackSpec = z.infer<typeof AttackSpecSchema>;

/**
 * Builds an attack from its config.
 *
 * @param spec - e.g. `{ kind: "gaussian-noise", std: 1 }`.
 * @param context.coalition - required for `alie`: the colluding group it belongs to.
 * @throws {InvalidStrategyConfigError} on a bad spec or an ALIE attack without a coalition.
 */
export function createAttack(spec: unknown, context: { coalition?: AlieCoalition } = {}): Attack {
  const parsed = AttackSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidStrategyConfigError({ strategy: "attack", field: issue?.path.join(".") || "kind", reason: issue?.message ?? "invalid" });
  }
  const s = parsed.data;
  switch (s.kind) {
    case "sign-flip":
      return createSignFlip(s);
    case "gaussian-noise":
      return createGaussianNoise(s);
    case "scaling":
      return createScaling(s);
    case "label-flip":
      return createLabelFlip();
    case "nan-injection":
      return createNanInjection(s);
    case "alie":
      if (!context.coalition) throw new InvalidStrategyConfigError({ strategy: "attack", field: "coalition", reason: "ALIE needs the AlieCoalition its nodes collude in" });
      return createAlie(context.coalition);
  }
}
