/**
 * Governor proposals (`coordinator/api/schemas/proposals.ts`).
 */
import { proposalDetailsSchema, proposalListSchema, type ProposalDetails, type ProposalList, type ProposalsQuery } from "../../api/schemas/proposals.ts";
import { callRoute, type ApiClient } from "../apiClient.ts";

/** Proposals with live states and tallies, newest first. */
export function listProposals(api: ApiClient, query: ProposalsQuery = {}): Promise<ProposalList> {
  return callRoute(api, { method: "GET", path: "/api/proposals", query, schema: proposalListSchema });
}

/** One proposal with its voters and quorum (decimal or 0x-hex id). */
export function getProposal(api: ApiClient, { id }: { id: string }): Promise<ProposalDetails> {
  return callRoute(api, { method: "GET", path: `/api/proposals/${encodeURIComponent(id)}`, schema: proposalDetailsSchema });
}
