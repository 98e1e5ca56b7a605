import { z } from "zod";
import { InvalidStrategyConfigError, UnknownStrategyError } from "../../errors/fl.ts";
import { Bulyan } from "./bulyan.ts";
import { CenteredClipping } from "./centeredClipping.ts";
import { FedAdam } from "./fedAdam.ts";
import { FedAvg } from "./fedAvg.ts";
import { FedAvgM } from "./fedAvgM.ts";
import { FedMedian } from "./fedMedian.ts";
import { FedProx } from "./fedProx.ts";
import { FedTrimmedAvg } from "./fedTrimmedAvg.ts";
import { Krum } from "./krum.ts";
import { MultiKrum } from "./multiKrum.ts";
import { NormClipping } from "./normClipping.ts";
import type { Strategy, StrategyName } from "./strategy.ts";

/** Config of each strategy, as it arrives from YAML, HTTP or MeshPolicy. */
export const StrategySpecSchema = z.discriminatedUnion("name", [
  z.object({ name: z.literal("fedavg") }),
  z.object({ name: z.literal("fedavgm"), serverLearningRate: z.number().optional(), serverMomentum: z.number().optional() }),
  z.object({ name: z.literal("fedprox"), proximalMu: z.number() }),
  z.object({ name: z.literal("fedadam"), eta: z.number().optional(), beta1: z.number().optional(), beta2: z.number().optional(), tau: z.number().optional() }),
  z.object({ name: z.literal("fedmedian") }),
  z.object({ name: z.literal("fedtrimmedavg"), beta: z.number().optional() }),
  z.object({ name: z.literal("krum"), numMalicious: z.number().int() }),
  z.object({ name: z.literal("multikrum"), numMalicious: z.number().int(), numToKeep: z.number().int().optional() }),
  z.object({ name: z.literal("bulyan"), numMalicious: z.number().int() }),
  z.object({ name: z.literal("centered-clipping"), tau: z.number(), iterations: z.number().int().optional(), momentum: z.number().optional() }),
  z.object({ name: z.literal("norm-clipping"), maxNorm: z.number() }),
]);

/** A validated strategy config. */
export type StrategySpec = z.infer<typeof StrategySpecSchema>;

/** Every built-in strategy name. */
export const strategyNames: readonly StrategyName[] = StrategySpecSchema.options.map((o) => o.shape.name.value);

/**
 * Builds a strategy from a config object, validating it first.
 *
 * @param spec - e.g. `{ name: "multikrum", numMalicious: 20 }`.
 * @returns the {@link Strategy}.
 * @throws {UnknownStrategyError} for an unknown `name`.
 * @throws {InvalidStrategyConfigError} for fields out of range.
 * @example
 * import { createStrategy } from "./createStrategy.ts";
 * const strategy = createStrategy({ name: "bulyan", numMalicious: 5 });
 */
export function createStrategy(spec: unknown): Strategy {
  const name = typeof spec === "object" && spec !== null && "name" in spec ? String(spec.name) : "";
  if (!strategyNames.includes(name as StrategyName)) throw new UnknownStrategyError({ name, known: strategyNames });
  const parsed = StrategySpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidStrategyConfigError({ strategy: name, field: issue?.path.join(".") || "spec", reason: issue?.message ?? "invalid" });
  }
  const s = parsed.data;
  switch (s.name) {
    case "fedavg":
      return new FedAvg();
    case "fedavgm":
      return new FedAvgM(s);
    case "fedprox":
      return new FedProx(s);
    case "fedadam":
      return new FedAdam(s);
    case "fedmedian":
      return new FedMedian();
    case "fedtrimmedavg":
      return new FedTrimmedAvg(s);
    case "krum":
      return new Krum(s);
    case "multikrum":
      return new MultiKrum(s);
    case "bulyan":
      return new Bulyan(s);
    case "centered-clipping":
      return new CenteredClipping(s);
    case "norm-clipping":
      return new NormClipping(s);
  }
}
