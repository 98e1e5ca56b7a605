/**
 * Governor proposals over HTTP, from the local index with live states (schemas: `schemas/proposals.ts`).
 *
 * - `GET /api/proposals?limit=`
 * - `GET /api/proposals/:id` (decimal or 0x-hex id; 404 for an unknown one)
 */
import { getProposal, listProposals, type ProposalDetails as ProposalDetailsView, type ProposalsViewSources } from "../knowledge/proposalsView.ts";
import { errorResponses } from "./schemas/common.ts";
import { proposalDetailsSchema, proposalListSchema, proposalParamsSchema, proposalsQuerySchema, type ProposalDetails } from "./schemas/proposals.ts";
import type { ApiPlugin, AssertTrue, KeepsEveryKey } from "./types.ts";

// The schema keeps every field the view returns (the serializer drops unknown ones).
export type ProposalResponsesKeepEveryField = AssertTrue<KeepsEveryKey<ProposalDetailsView, ProposalDetails>>;

/** @param sources - the view's sources, resolved per request (the chain may connect later). */
export function proposalsRoutes(sources: () => ProposalsViewSources): ApiPlugin {
  return async (app) => {
    app.get(
      "/api/proposals",
      { schema: { querystring: proposalsQuerySchema, response: { 200: proposalListSchema, ...errorResponses } } },
      async (request) => ({ proposals: await listProposals(sources(), request.query) }),
    );
    app.get(
      "/api/proposals/:id",
      { schema: { params: proposalParamsSchema, response: { 200: proposalDetailsSchema, ...errorResponses } } },
      async (request) => getProposal(sources(), request.params.id),
    );
  };
}
