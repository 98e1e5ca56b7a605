/**
 * Governor proposals from the coordinator's index, with live states.
 *
 * - `GET /api/proposals?limit=`
 * - `GET /api/proposals/:id` (decimal or 0x-hex id; 404 for an unknown one)
 */
import { z } from "zod";

export const proposalsQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) });
export type ProposalsQuery = z.input<typeof proposalsQuerySchema>;

export const proposalParamsSchema = z.strictObject({
  id: z.string().regex(/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/, "must be a proposal id (decimal or 0x-hex)"),
});

/** `IGovernor.ProposalState` by name. */
export const PROPOSAL_STATES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"] as const;

export const proposalEntrySchema = z
  .object({
    /** Decimal. */
    id: z.string(),
    state: z.enum(PROPOSAL_STATES),
    proposer: z.string(),
    /** The description's first line, without markdown heading marks. */
    title: z.string(),
    description: z.string(),
    voteStart: z.number(),
    voteEnd: z.number(),
    eta: z.number().nullable(),
    /** Decimal wei. */
    votes: z.object({ for: z.string(), against: z.string(), abstain: z.string() }),
    /** How many calls it executes. */
    actions: z.number(),
    /** Routine proposals only write knowledge and pass unless vetoed; full ones need the quorum vote. */
    proposalType: z.enum(["routine", "full"]),
    /** Present when this coordinator's keeper made the proposal: the epoch it ratifies. */
    epoch: z
      .object({ epoch: z.number(), status: z.string(), root: z.string(), manifestCid: z.string(), records: z.number(), headlines: z.array(z.string()) })
      .nullable(),
  })
  .meta({ id: "ProposalEntry" });
export type ProposalEntry = z.output<typeof proposalEntrySchema>;

export const proposalListSchema = z.object({ proposals: z.array(proposalEntrySchema) });
export type ProposalList = z.output<typeof proposalListSchema>;

export const proposalDetailsSchema = proposalEntrySchema.extend({
  voters: z.array(z.object({ voter: z.string(), support: z.enum(["against", "for", "abstain"]), weight: z.string(), reason: z.string() })),
  /** Votes needed (For + Abstain) at the proposal's snapshot, decimal wei. */
  quorum: z.string(),
});
export type ProposalDetails = z.output<typeof proposalDetailsSchema>;
