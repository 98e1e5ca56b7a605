/**
 * Closes a knowledge epoch on paper: from the pending records it builds the Merkle tree,
 * the manifest (canonical JSON, CID computed locally) and the one Governor proposal
 * that ratifies them all: `KnowledgeRegistry.recordEpoch(epoch, root, manifestCid,
 * counts)`, then one `recordBatch` of the headlines (every Directive, the released model,
 * then ChaosReports while the packed proposal stays under {@link PROPOSAL_BUDGET_BYTES}),
 * then the Directives' MeshPolicy calls. Nothing is sent or stored
 * here: the keeper stores the result before it publishes and proposes.
 */
import { encodeFunctionData, type Address, type Hex } from "viem";
import { knowledgeRegistryAbi } from "../chain/abis.ts";
import type { SynodAddresses } from "../chain/resolveDeployment.ts";
import { canonicalJson } from "../ipfs/canonicalJson.ts";
import { computeFileCid } from "../ipfs/importUnixfsFile.ts";
import { directivePolicyActions } from "./directivePolicyActions.ts";
import { cidToBytes, epochTree, type RecordLeafValue } from "./epochTree.ts";
import { hashProposal, type ProposalAction } from "./hashProposal.ts";
import { proposalTypeOf, type ProposalType } from "./proposalType.ts";
import { epochManifestV1Schema, LEAF_ENCODING, type EpochManifestV1 } from "./schemas/epochManifest.ts";
import { KNOWLEDGE_KINDS, kindName, parseKnowledgeRecord, type KnowledgeKind, type KnowledgeRecord } from "./schemas/index.ts";
import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";

/** MeshPolicy `knowledge.modelRelease`: which of an epoch's models the proposal releases. */
export const MODEL_RELEASE = { BestHoldoutAccuracy: 0, Latest: 1 } as const;
export type ModelRelease = (typeof MODEL_RELEASE)[keyof typeof MODEL_RELEASE];

/** A pending outbox record, as the epoch needs it. */
export type EpochRecordInput = { localId: number; kind: number; schemaVersion: number; round: number; summary: string; content: string; cid: string };

export type BuildEpochParameters = {
  /** The epoch's number (1, 2, 3, …; the keeper's last plus one). */
  epoch: number;
  /** Its records, in outbox order; the tree's value `i` is record `i`. */
  records: readonly EpochRecordInput[];
  chainId: number;
  addresses: Pick<SynodAddresses, "registry" | "policy">;
  /** When the epoch opened and closed, ms since the epoch of time. */
  openedAt: number;
  closedAt: number;
  modelRelease: ModelRelease;
  /** The stored registry id (`kind << 40 | sequence`) of a CID, if the registry holds it as a record. */
  storedRecordId?: ((cid: string) => number | undefined) | undefined;
  /** Where voters fetch content (`<gatewayUrl>/ipfs/<cid>`). */
  gatewayUrl?: string | undefined;
  /** Resolves a node id to its key's address, for directive bans. */
  nodeAddress?: ((nodeId: string) => Address | undefined) | undefined;
  /**
   * The keeper's address. The description then ends with `#proposer=<address>`, and
   * OpenZeppelin's Governor refuses that description from anyone else
   * (`GovernorRestrictedProposer`): nobody can front-run the proposal and cancel it.
   */
  proposer?: Address | undefined;
};

/** A record's place in the epoch: tree position, leaf hash, and (headlines) the `ref` its `record` call carries. */
export type EpochLeaf = { localId: number; position: number; leaf: Hex; headline: boolean; refId: number };

export type BuildEpochReturnType = {
  manifest: EpochManifestV1;
  /** The manifest's canonical JSON: exactly the bytes published under `manifestCid`. */
  manifestJson: string;
  manifestCid: string;
  tree: StandardMerkleTree<RecordLeafValue>;
  root: Hex;
  /** Records per kind in `Kind` order (Model, Incident, ChaosReport, MapekSnapshot, Directive). */
  counts: [number, number, number, number, number];
  leaves: EpochLeaf[];
  actions: ProposalAction[];
  description: string;
  /** `Governor.hashProposal` of the actions and description, computed offline. */
  proposalId: bigint;
  proposalType: ProposalType;
};

const KINDS = Object.keys(KNOWLEDGE_KINDS) as KnowledgeKind[];

/**
 * GovernorCodeStorage keeps a proposal's actions packed as a data contract's code: 36 bytes
 * plus 56 and the calldata per action, at most 24,576 bytes. The keeper stays well under.
 */
export const PROPOSAL_BUDGET_BYTES = 20_000;
const PACKED_HEADER_BYTES = 36;
const PACKED_ACTION_BYTES = 56;
/** `recordEpoch(epoch, root, manifestCid, counts)` calldata is about 420 bytes with a 36-byte CID. */
const RECORD_EPOCH_RESERVE_BYTES = 512;
const hexBytes = (data: Hex) => (data.length - 2) / 2;

/** The parent a record builds on, as its content names it: a model's `parentModelCid`. */
export function refCidOf(record: KnowledgeRecord): string | null {
  return record.kind === "Model" ? record.parentModelCid : null;
}

/**
 * @throws {DirectiveNodeUnknownError} when a directive bans a node whose address is unknown.
 * @throws {ZodError} when the manifest would not validate (no records, a CID twice).
 *
 * @example
 * import { buildEpoch } from "./buildEpoch.ts";
 * const epoch = await buildEpoch({ epoch: 7, records, chainId, addresses, openedAt, closedAt: Date.now(), modelRelease: 0 });
 * // epoch.actions[0] is recordEpoch(7, epoch.root, epoch.manifestCid, epoch.counts)
 */
export async function buildEpoch(parameters: BuildEpochParameters): Promise<BuildEpochReturnType> {
  const { epoch, records, chainId, addresses, openedAt, closedAt, modelRelease, storedRecordId, gatewayUrl, nodeAddress, proposer } = parameters;
  const parsed = records.map((record) => parseKnowledgeRecord(JSON.parse(record.content)));

  const manifestRecords = records.map((record, i) => ({
    cid: record.cid,
    kind: record.kind,
    schemaVersion: record.schemaVersion,
    round: record.round,
    refCid: refCidOf(parsed[i]!),
    summary: record.summary.slice(0, 500),
  }));
  const tree = epochTree(epoch, manifestRecords);
  const root = tree.root as Hex;
  const counts = KINDS.map((kind) => records.filter((record) => record.kind === KNOWLEDGE_KINDS[kind]).length) as BuildEpochReturnType["counts"];

  // The Directives' MeshPolicy calls: always in the proposal.
  const policyActions: ProposalAction[] = [];
  const policyLines: string[] = [];
  for (const record of parsed) {
    if (record.kind !== "Directive") continue;
    const policy = directivePolicyActions({ directive: record, policy: addresses.policy, nodeAddress });
    policyActions.push(...policy.actions);
    policyLines.push(...policy.lines);
  }

  // headlines: every directive, then the released model, then chaos reports while the
  // proposal's packed actions stay under PROPOSAL_BUDGET_BYTES (GovernorCodeStorage refuses
  // more than 24,576); a chaos report left out is still an ordinary leaf: ratified, provable
  const released = releasedModel(parsed, modelRelease);
  const headlineInput = (i: number) => {
    const record = records[i]!;
    const refCid = manifestRecords[i]!.refCid;
    // a released model whose parent is already a stored record refers to it by id
    const ref = refCid ? (storedRecordId?.(refCid) ?? 0) : 0;
    return { kind: record.kind, schemaVersion: record.schemaVersion, ref, round: record.round, cid: cidToBytes(record.cid) };
  };
  const batchData = (indexes: number[]) =>
    encodeFunctionData({ abi: knowledgeRegistryAbi, functionName: "recordBatch", args: [[...indexes].sort((a, b) => a - b).map(headlineInput)] });
  const fixedBytes = PACKED_HEADER_BYTES + PACKED_ACTION_BYTES + RECORD_EPOCH_RESERVE_BYTES + policyActions.reduce((sum, a) => sum + PACKED_ACTION_BYTES + hexBytes(a.data), 0);
  const fits = (indexes: number[]) => fixedBytes + PACKED_ACTION_BYTES + hexBytes(batchData(indexes)) <= PROPOSAL_BUDGET_BYTES;
  const chosen: number[] = [];
  parsed.forEach((record, i) => {
    if (record.kind === "Directive") chosen.push(i);
  });
  if (released !== undefined && fits([...chosen, released])) chosen.push(released);
  let leftOut = 0;
  parsed.forEach((record, i) => {
    if (record.kind !== "ChaosReport") return;
    if (fits([...chosen, i])) chosen.push(i);
    else leftOut++;
  });
  const headlines = [...chosen].sort((a, b) => a - b);

  const manifest = epochManifestV1Schema.parse({
    kind: "EpochManifest",
    schemaVersion: 1,
    epoch,
    chainId,
    registry: addresses.registry,
    openedAt: new Date(openedAt).toISOString(),
    closedAt: new Date(closedAt).toISOString(),
    leafEncoding: [...LEAF_ENCODING],
    root,
    counts: Object.fromEntries(KINDS.map((kind, k) => [kind, counts[k]])),
    headlines: headlines.map((i) => records[i]!.cid),
    records: manifestRecords,
  });
  const manifestJson = canonicalJson(manifest);
  const manifestCid = (await computeFileCid(new TextEncoder().encode(manifestJson))).toString();

  const actions: ProposalAction[] = [
    {
      target: addresses.registry,
      data: encodeFunctionData({ abi: knowledgeRegistryAbi, functionName: "recordEpoch", args: [BigInt(epoch), root, cidToBytes(manifestCid), counts] }),
    },
  ];
  const refIds = new Map<number, number>();
  // One `recordBatch` for all headlines: the governor keeps every proposal's calldata, and
  // one call's ABI head costs less than one per headline (npm run gas).
  if (headlines.length) {
    for (const i of headlines) refIds.set(i, headlineInput(i).ref);
    actions.push({ target: addresses.registry, data: batchData(headlines) });
  }
  actions.push(...policyActions);
  const proposalType = proposalTypeOf(actions, addresses.registry);

  const link = (cid: string) => (gatewayUrl ? `[\`${cid}\`](${gatewayUrl.replace(/\/$/, "")}/ipfs/${cid})` : `\`${cid}\``);
  const total = records.length;
  const description = [
    `# Synod knowledge epoch ${epoch}: ${total} record${total === 1 ? "" : "s"} (${proposalType === "routine" ? "routine" : "full vote"})`,
    "",
    proposalType === "routine"
      ? "Routine: this proposal only writes knowledge to the registry. It passes unless vetoed (votes against reaching the veto threshold); no quorum is needed."
      : "Full vote: this proposal changes MeshPolicy, so it needs the quorum and more votes for than against.",
    "",
    "| kind | records |",
    "|---|---|",
    ...KINDS.filter((_, k) => counts[k]! > 0).map((kind) => `| ${kind} | ${counts[KNOWLEDGE_KINDS[kind]]} |`),
    "",
    ...(headlines.length
      ? [
          "## Headlines",
          "",
          "| kind | round | summary | content |",
          "|---|---|---|---|",
          ...headlines.map((i) => {
            const record = records[i]!;
            const label = i === released ? "Model (released)" : (kindName(record.kind) ?? String(record.kind));
            return `| ${label} | ${record.round} | ${record.summary.replaceAll("|", "\\|")} | ${link(record.cid)} |`;
          }),
          "",
        ]
      : []),
    ...(leftOut
      ? [
          `${leftOut} ChaosReport${leftOut === 1 ? "" : "s"} left out of the headlines to keep the proposal under GovernorCodeStorage's size limit; ${leftOut === 1 ? "it is" : "they are"} still leaves of the tree, ratified and provable.`,
          "",
        ]
      : []),
    ...(policyLines.length ? ["## Policy changes", "", ...policyLines, ""] : []),
    // Short on purpose: the governor keeps the description's bytes in calldata and the
    // ProposalCreated event (about 24 gas a byte), and voters read the decoded actions.
    `Each record is a leaf of the Merkle root \`${root}\` (OpenZeppelin StandardMerkleTree); the manifest ${link(manifestCid)} lists them, so anyone can rebuild the root and prove any record.`,
    // last, exactly: OZ's front-running protection (only this address may propose it)
    ...(proposer ? ["", `#proposer=${proposer}`] : []),
  ].join("\n");

  const headlineSet = new Set(headlines);
  return {
    manifest,
    manifestJson,
    manifestCid,
    tree,
    root,
    counts,
    leaves: records.map((record, i) => ({ localId: record.localId, position: i, leaf: tree.leafHash(tree.at(i)!) as Hex, headline: headlineSet.has(i), refId: refIds.get(i) ?? 0 })),
    actions,
    description,
    proposalId: hashProposal(actions, description),
    proposalType,
  };
}

/** Index of the model the epoch releases: the best holdout accuracy (ties: the later round), or the latest round. */
function releasedModel(records: readonly KnowledgeRecord[], rule: ModelRelease): number | undefined {
  let best: number | undefined;
  records.forEach((record, i) => {
    if (record.kind !== "Model") return;
    if (best === undefined) return void (best = i);
    const current = records[best] as Extract<KnowledgeRecord, { kind: "Model" }>;
    const better =
      rule === MODEL_RELEASE.Latest
        ? record.round >= current.round
        : record.evaluation.holdoutAccuracy > current.evaluation.holdoutAccuracy ||
          (record.evaluation.holdoutAccuracy === current.evaluation.holdoutAccuracy && record.round >= current.round);
    if (better) best = i;
  });
  return best;
}
