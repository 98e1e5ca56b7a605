/**
 * A Directive's MeshPolicy calls: what executing its proposal changes in the mesh, and
 * one line per call for the proposal description.
 */
import { encodeFunctionData, getAddress, isAddress, type Address } from "viem";
import { meshPolicyAbi } from "../chain/abis.ts";
import { DirectiveNodeUnknownError } from "../errors/governance.ts";
import { policyParameterKey } from "../policy/parameters.ts";
import type { ProposalAction } from "./hashProposal.ts";
import type { DirectiveRecordV1 } from "./schemas/index.ts";

export type DirectivePolicyActionsParameters = {
  directive: DirectiveRecordV1;
  policy: Address;
  /** Resolves a node id to its key's address, for bans. */
  nodeAddress?: ((nodeId: string) => Address | undefined) | undefined;
};

export type DirectivePolicyActionsReturnType = { actions: ProposalAction[]; lines: string[] };

/** @throws {DirectiveNodeUnknownError} when a directive names a node without a known address. */
export function directivePolicyActions({ directive, policy, nodeAddress }: DirectivePolicyActionsParameters): DirectivePolicyActionsReturnType {
  const actions: ProposalAction[] = [];
  const lines: string[] = [];
  for (const action of directive.actions) {
    if (action.type === "set-parameter") {
      actions.push({
        target: policy,
        data: encodeFunctionData({ abi: meshPolicyAbi, functionName: "setParameter", args: [policyParameterKey(action.parameter), BigInt(action.value)] }),
      });
      lines.push(`- set \`${action.parameter}\` to ${action.value}${action.previous ? ` (now ${action.previous})` : ""}`);
    } else {
      const address = isAddress(action.nodeId) ? getAddress(action.nodeId) : nodeAddress?.(action.nodeId);
      if (!address) throw new DirectiveNodeUnknownError({ nodeId: action.nodeId });
      const functionName = action.type === "ban-node" ? "banNode" : "unbanNode";
      actions.push({ target: policy, data: encodeFunctionData({ abi: meshPolicyAbi, functionName, args: [address] }) });
      lines.push(`- ${action.type === "ban-node" ? "ban" : "unban"} node \`${action.nodeId}\` (${address})`);
    }
  }
  return { actions, lines };
}
