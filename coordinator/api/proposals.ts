/**
 * Governor proposals over HTTP, from the local index with live states.
 *
 * - `GET /api/proposals?limit=`
 * - `GET /api/proposals/:id` (decimal or 0x-hex id; 404 for an unknown one)
 */
import { z } from "zod";
import { getProposal, listProposals, type ProposalsViewSources } from "../knowledge/proposalsView.ts";
import type { ApiPlugin } from "./types.ts";

/** @param sources - the view's sources, resolved per request (the chain may connect later). */
export function proposalsRoutes(sources: () => ProposalsViewSources): ApiPlugin {
  return async (app) => {
    app.get(
      "/api/proposals",
      { schema: { querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) }) } },
      async (request) => ({ proposals: await listProposals(sources(), request.query) }),
    );
    app.get(
      "/api/proposals/:id",
      { schema: { params: z.strictObject({ id: z.string().regex(/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/, "must be a proposal id (decimal or 0x-hex)") }) } },
      async (request) => getProposal(sources(), request.params.id),
    );
  };
}
