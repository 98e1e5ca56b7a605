/**
 * Turns a batch of outbox records into a Governor proposal: one
 * `KnowledgeRegistry.record` call per record, followed by the MeshPolicy calls of any
 * directive, and a markdown description that tells voters what they ratify.
 */
import { CID } from "multiformats/cid";
import { encodeFunctionData, getAddress, isAddress, keccak256, encodeAbiParameters, toHex, type Address } from "viem";
import { knowledgeRegistryAbi, meshPolicyAbi } from "../chain/abis.ts";
import type { SynodAddresses } from "../chain/resolveDeployment.ts";
import { DirectiveNodeUnknownError } from "../errors/governance.ts";
import { policyParameterKey } from "../policy/parameters.ts";
import type { OutboxRecord, ProposalAction } from "../store/knowledgeRepository.ts";
import { kindName, parseKnowledgeRecord } from "./schemas/index.ts";

export type BuildBatchProposalParameters = {
  records: ReadonlyArray<Pick<OutboxRecord, "kind" | "schemaVersion" | "round" | "summary" | "content" | "cid"> & { refId: number }>;
  addresses: Pick<SynodAddresses, "registry" | "policy">;
  /** Sequence number of the batch; makes the description, and so the proposal id, unique. */
  batchNumber: number;
  /** Where voters can fetch and verify the content (`<gatewayUrl>/ipfs/<cid>`). */
  gatewayUrl?: string | undefined;
  /** Resolves a node id to its key's address, for directive bans. */
  nodeAddress?: ((nodeId: string) => Address | undefined) | undefined;
};

export type BuildBatchProposalReturnType = {
  actions: ProposalAction[];
  description: string;
  /** `Governor.hashProposal` of the actions and description, computed offline. */
  proposalId: bigint;
};

/** @throws {DirectiveNodeUnknownError} when a directive names a node without a known address. */
export function buildBatchProposal(parameters: BuildBatchProposalParameters): BuildBatchProposalReturnType {
  const { records, addresses, batchNumber, gatewayUrl, nodeAddress } = parameters;
  const actions: ProposalAction[] = records.map((record) => ({
    target: addresses.registry,
    data: encodeFunctionData({
      abi: knowledgeRegistryAbi,
      functionName: "record",
      args: [{ kind: record.kind, schemaVersion: record.schemaVersion, ref: record.refId, round: record.round, cid: toHex(CID.parse(record.cid).bytes) }],
    }),
  }));
  const policyLines: string[] = [];
  for (const record of records) {
    const parsed = parseKnowledgeRecord(JSON.parse(record.content));
    if (parsed.kind !== "Directive") continue;
    for (const action of parsed.actions) {
      if (action.type === "set-parameter") {
        actions.push({
          target: addresses.policy,
          data: encodeFunctionData({ abi: meshPolicyAbi, functionName: "setParameter", args: [policyParameterKey(action.parameter), BigInt(action.value)] }),
        });
        policyLines.push(`- set \`${action.parameter}\` to ${action.value}${action.previous ? ` (now ${action.previous})` : ""}`);
      } else {
        const address = isAddress(action.nodeId) ? getAddress(action.nodeId) : nodeAddress?.(action.nodeId);
        if (!address) throw new DirectiveNodeUnknownError({ nodeId: action.nodeId });
        const functionName = action.type === "ban-node" ? "banNode" : "unbanNode";
        actions.push({ target: addresses.policy, data: encodeFunctionData({ abi: meshPolicyAbi, functionName, args: [address] }) });
        policyLines.push(`- ${action.type === "ban-node" ? "ban" : "unban"} node \`${action.nodeId}\` (${address})`);
      }
    }
  }

  const link = (cid: string) => (gatewayUrl ? `[\`${cid}\`](${gatewayUrl.replace(/\/$/, "")}/ipfs/${cid})` : `\`${cid}\``);
  const description = [
    `# Synod knowledge, batch ${batchNumber}: ${records.length} record${records.length === 1 ? "" : "s"}`,
    "",
    "Ratify what the mesh learned and suffered. Each record's content is on IPFS; its CID is its hash, so anyone can verify it.",
    "",
    "| # | kind | round | summary | content |",
    "|---|---|---|---|---|",
    ...records.map((record, i) => `| ${i + 1} | ${kindName(record.kind) ?? record.kind} | ${record.round} | ${record.summary.replaceAll("|", "\\|")} | ${link(record.cid)} |`),
    ...(policyLines.length ? ["", "## Policy changes", "", ...policyLines] : []),
    "",
    `Actions: one \`KnowledgeRegistry.record\` call per record, in this order${policyLines.length ? ", then the MeshPolicy calls above" : ""}.`,
    "",
    `<!-- synod-batch:${batchNumber} -->`,
  ].join("\n");

  const proposalId = BigInt(
    keccak256(
      encodeAbiParameters(
        [{ type: "address[]" }, { type: "uint256[]" }, { type: "bytes[]" }, { type: "bytes32" }],
        [actions.map((a) => a.target), actions.map(() => 0n), actions.map((a) => a.data), keccak256(toHex(description))],
      ),
    ),
  );
  return { actions, description, proposalId };
}
