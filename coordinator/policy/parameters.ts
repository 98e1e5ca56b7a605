/**
 * The mesh policy's parameters: the one list that the deployment defines on chain
 * (MeshPolicy) and the coordinator reads back. Values are integers; the unit is part
 * of each name (`Ms` milliseconds, `Bps` basis points, `Milli` thousandths).
 */
import { stringToHex, type Hex } from "viem";

/** FL aggregation strategies, by their on-chain index (`fl.strategy`). */
export const FL_STRATEGIES = [
  "fedavg",
  "fedavgm",
  "fedprox",
  "fedadam",
  "fedmedian",
  "fedtrimmedavg",
  "krum",
  "multikrum",
  "bulyan",
  "centeredclipping",
  "normclipping",
] as const;

export type FlStrategyName = (typeof FL_STRATEGIES)[number];

export type PolicyParameterDefinition = {
  /** ASCII name, at most 32 bytes. */
  name: string;
  /** What it controls and in which unit. */
  description: string;
  min: bigint;
  max: bigint;
  /** Value at deployment (the original scenario's defaults where it had one). */
  value: bigint;
};

export const POLICY_PARAMETERS = [
  { name: "fl.strategy", description: `aggregation strategy, index into ${FL_STRATEGIES.join(", ")}`, min: 0n, max: BigInt(FL_STRATEGIES.length - 1), value: 7n },
  { name: "fl.byzantineF", description: "Byzantine updates the robust strategies tolerate per round (Krum f)", min: 0n, max: 1000n, value: 1n },
  { name: "fl.trimBetaBps", description: "trimmed-mean cut per side, basis points", min: 0n, max: 4999n, value: 1000n },
  { name: "fl.minParticipants", description: "fewest nodes a round may start with", min: 1n, max: 10_000n, value: 3n },
  { name: "fl.targetParticipants", description: "nodes sampled per round", min: 1n, max: 10_000n, value: 10n },
  { name: "fl.maxParticipants", description: "most nodes sampled per round", min: 1n, max: 10_000n, value: 50n },
  { name: "fl.roundDeadlineMs", description: "time a round waits for updates, ms", min: 100n, max: 3_600_000n, value: 60_000n },
  { name: "fl.completionFloorBps", description: "share of sampled nodes that must answer for a round to complete, basis points", min: 1n, max: 10_000n, value: 5_000n },
  { name: "fl.dpEnabled", description: "1 to clip and noise updates (Gaussian DP), 0 to not", min: 0n, max: 1n, value: 0n },
  { name: "fl.dpClipMilli", description: "DP clipping norm, thousandths", min: 1n, max: 1_000_000n, value: 1_000n },
  { name: "fl.dpEpsilonMilli", description: "DP privacy budget ε per round, thousandths", min: 1n, max: 100_000n, value: 1_000n },
  { name: "mesh.heartbeatMs", description: "node heartbeat interval, ms", min: 100n, max: 600_000n, value: 10_000n },
  { name: "mesh.suspicionPhiMilli", description: "φ accrual threshold above which a silent node is suspected and probed (8 = a 1 in 10^8 chance its heartbeat is still coming), thousandths", min: 1_000n, max: 30_000n, value: 8_000n },
  { name: "mapek.euphoricMilli", description: "φ at or above which the mesh is EUPHORIC, thousandths", min: 0n, max: 10_000n, value: 1_456n },
  { name: "mapek.harmonicMilli", description: "φ at or above which the mesh is HARMONIC, thousandths", min: 0n, max: 10_000n, value: 1_133n },
  { name: "mapek.contemplativeMilli", description: "φ at or above which the mesh is CONTEMPLATIVE, thousandths", min: 0n, max: 10_000n, value: 809n },
  { name: "mapek.mysticalMilli", description: "φ at or above which the mesh is MYSTICAL (below: CHAOTIC), thousandths", min: 0n, max: 10_000n, value: 485n },
  { name: "mapek.minIncidentMs", description: "an unprovoked incident healed within this long is a blip: counted in the epoch's MAPE-K snapshot, not recorded, ms", min: 0n, max: 3_600_000n, value: 5_000n },
  { name: "mapek.incidentGroupMs", description: "incidents of one cause detected within this window of the first are grouped into one record, ms", min: 0n, max: 600_000n, value: 2_000n },
  { name: "knowledge.epochSeconds", description: "length of a knowledge epoch: the keeper ratifies each epoch's records with one proposal, seconds (the deployment sets it per profile)", min: 10n, max: 2_592_000n, value: 86_400n },
  { name: "knowledge.modelRelease", description: "which of an epoch's models the proposal names as released: 0 the best holdout accuracy, 1 the latest round", min: 0n, max: 1n, value: 0n },
] as const satisfies readonly PolicyParameterDefinition[];

export type PolicyParameterName = (typeof POLICY_PARAMETERS)[number]["name"];

/** The bytes32 form of a parameter name, as MeshPolicy stores it. */
export function policyParameterKey(name: string): Hex {
  return stringToHex(name, { size: 32 });
}
