import { BaseError } from "./base.ts";

/** A directive bans or unbans a node whose key (address) the coordinator does not know. */
export class DirectiveNodeUnknownError extends BaseError {
  constructor({ nodeId }: { nodeId: string }) {
    super(`Directive names node "${nodeId}", whose address is unknown.`, {
      name: "DirectiveNodeUnknownError",
      metaMessages: ["MeshPolicy bans node keys (addresses): name the node by its address or register it first."],
    });
  }
}

/** A governor transaction was mined but reverted. */
export class ProposalTransactionRevertedError extends BaseError {
  constructor({ action, proposalId, txHash }: { action: string; proposalId: bigint; txHash: string }) {
    super(`${action} of proposal ${proposalId} reverted (transaction ${txHash}).`, { name: "ProposalTransactionRevertedError" });
  }
}

/** No proposal with this id is known (not on chain, not in the index). */
export class UnknownProposalError extends BaseError {
  readonly statusCode = 404;
  constructor({ proposalId }: { proposalId: string }) {
    super(`Unknown proposal ${proposalId}.`, { name: "UnknownProposalError", metaMessages: ["List proposals with `synod proposals ls`."] });
  }
}
