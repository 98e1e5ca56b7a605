/**
 * What a knowledge proposal ratifies, for the summary at the top of its page: the
 * epoch(s) it records with their counts per kind (decoded from `recordEpoch`), and the
 * headline records it names one by one (`record`, `recordBatch`, `supersede`).
 * Everything comes from the proposal's calldata on chain, not from its description.
 */
import { decodeFunctionData, isAddressEqual, type Address, type Hex } from "viem";
import type { KnownContracts } from "./decodeProposalActions.ts";
import { KNOWLEDGE_KINDS, knowledgeKindName, type KnowledgeKind } from "./knowledge.ts";
import { cidFromHex } from "./verifyCid.ts";

export type ProposalEpoch = {
  epoch: number;
  root: Hex;
  /** The manifest's CID in text form, or `undefined` when its bytes are no CID. */
  manifestCid: string | undefined;
  counts: Record<KnowledgeKind, number>;
  total: number;
};

export type ProposalHeadline = {
  kind: KnowledgeKind | undefined;
  round: number;
  schemaVersion: number;
  /** Text CID, or `undefined` when the bytes are no CID. */
  cid: string | undefined;
  cidHex: Hex;
};

export type ProposalKnowledgeSummary = {
  epochs: ProposalEpoch[];
  headlines: ProposalHeadline[];
  /** Records per kind: the epochs' counts, plus headlines not in an epoch of this proposal. */
  counts: Record<KnowledgeKind, number>;
};

type RecordInput = { kind: number; schemaVersion: number; round: number; cid: Hex };

const zeroCounts = () => Object.fromEntries(KNOWLEDGE_KINDS.map((kind) => [kind, 0])) as Record<KnowledgeKind, number>;

function textCid(hex: Hex): string | undefined {
  try {
    return cidFromHex(hex).toString();
  } catch {
    return undefined;
  }
}

function headline(input: RecordInput): ProposalHeadline {
  let kind: KnowledgeKind | undefined;
  try {
    kind = knowledgeKindName(input.kind);
  } catch {
    kind = undefined;
  }
  return { kind, round: input.round, schemaVersion: input.schemaVersion, cid: textCid(input.cid), cidHex: input.cid };
}

/**
 * Decodes the knowledge a proposal writes.
 *
 * @param parameters.targets - the proposal's targets.
 * @param parameters.calldatas - each call's calldata.
 * @param parameters.contracts - the deployed contracts by name (`KnowledgeRegistry` is read).
 * @returns its epochs, headline records and counts per kind; empty for a proposal that writes no knowledge.
 *
 * @example
 * import { summarizeProposal } from "./summarizeProposal.ts";
 * const { epochs, headlines, counts } = summarizeProposal({ targets, calldatas, contracts });
 * counts.Model; // 30
 */
export function summarizeProposal({
  targets,
  calldatas,
  contracts,
}: {
  targets: readonly Address[];
  calldatas: readonly Hex[];
  contracts: KnownContracts;
}): ProposalKnowledgeSummary {
  const registry = contracts.KnowledgeRegistry;
  const epochs: ProposalEpoch[] = [];
  const headlines: ProposalHeadline[] = [];
  if (!registry) return { epochs, headlines, counts: zeroCounts() };
  targets.forEach((target, i) => {
    const data = calldatas[i];
    if (!data || data === "0x" || !isAddressEqual(target, registry.address)) return;
    let decoded: { functionName: string; args: readonly unknown[] | undefined };
    try {
      decoded = decodeFunctionData({ abi: registry.abi, data }) as typeof decoded;
    } catch {
      return;
    }
    const args = decoded.args ?? [];
    switch (decoded.functionName) {
      case "recordEpoch": {
        const [epoch, root, manifestCid, perKind] = args as [bigint, Hex, Hex, readonly number[]];
        const counts = zeroCounts();
        KNOWLEDGE_KINDS.forEach((kind, k) => (counts[kind] = Number(perKind[k] ?? 0)));
        epochs.push({ epoch: Number(epoch), root, manifestCid: textCid(manifestCid), counts, total: Object.values(counts).reduce((a, b) => a + b, 0) });
        return;
      }
      case "record":
        headlines.push(headline(args[0] as RecordInput));
        return;
      case "recordBatch":
        headlines.push(...(args[0] as RecordInput[]).map(headline));
        return;
      case "supersede":
        headlines.push(headline(args[1] as RecordInput));
        return;
    }
  });
  const counts = zeroCounts();
  for (const epoch of epochs) for (const kind of KNOWLEDGE_KINDS) counts[kind] += epoch.counts[kind];
  // A headline is also a leaf of the epoch the same proposal records: count it once.
  if (epochs.length === 0) for (const h of headlines) if (h.kind) counts[h.kind] += 1;
  return { epochs, headlines, counts };
}
