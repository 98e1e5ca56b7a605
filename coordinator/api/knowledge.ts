/**
 * Knowledge over HTTP: list and read records (content verified against its CID) and,
 * with the admin token, queue a new record for publication and ratification.
 *
 * - `GET /api/knowledge?kind=&status=&round=&limit=`
 * - `GET /api/knowledge/:cid`
 * - `POST /api/knowledge` (admin): body is the record; 201 when queued, 200 when the same content was queued before.
 */
import { z } from "zod";
import { RequestValidationError } from "../errors/api.ts";
import { RecordValidationError } from "../errors/knowledge.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import { getKnowledge, listKnowledge } from "../knowledge/knowledgeView.ts";
import { KNOWLEDGE_KINDS, type KnowledgeKind } from "../knowledge/schemas/index.ts";
import { submitKnowledgeRecord } from "../knowledge/submitKnowledgeRecord.ts";
import type { ChainIndexRepository } from "../store/chainIndexRepository.ts";
import type { KnowledgeRepository } from "../store/knowledgeRepository.ts";
import type { EventBus } from "../events.ts";
import type { ApiPlugin } from "./types.ts";

export type KnowledgeRoutesParameters = {
  outbox: KnowledgeRepository;
  index: ChainIndexRepository;
  content: ContentStore;
  events?: EventBus;
  /** Called after a record is queued (e.g. to wake the keeper). */
  onSubmitted?: () => void;
};

const kinds = Object.keys(KNOWLEDGE_KINDS) as [KnowledgeKind, ...KnowledgeKind[]];
const statuses = ["unpublished", "pending", "proposed", "ratified", "defeated", "revoked"] as const;

export function knowledgeRoutes({ outbox, index, content, onSubmitted }: KnowledgeRoutesParameters): ApiPlugin {
  return async (app) => {
    app.get(
      "/api/knowledge",
      {
        schema: {
          querystring: z.strictObject({
            kind: z.enum(kinds).optional(),
            status: z.enum(statuses).optional(),
            round: z.coerce.number().int().min(0).optional(),
            proposal: z.string().regex(/^\d{1,78}$/, "must be a proposal id in decimal").optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          }),
        },
      },
      async (request) => ({ records: listKnowledge({ outbox, index }, request.query) }),
    );

    app.get(
      "/api/knowledge/:cid",
      { schema: { params: z.strictObject({ cid: z.string().regex(/^b[a-z2-7]{50,}$/, "must be a CIDv1 in base32") }) } },
      async (request) => getKnowledge({ outbox, index, content }, request.params.cid),
    );

    app.post("/api/knowledge", { schema: { body: z.unknown() } }, async (request, reply) => {
      try {
        const { record, created } = await submitKnowledgeRecord({ outbox, record: request.body });
        if (created) onSubmitted?.();
        reply.code(created ? 201 : 200);
        return { created, record: { cid: record.cid, status: record.status, summary: record.summary, localId: record.localId } };
      } catch (error) {
        if (error instanceof RecordValidationError) throw new RequestValidationError({ part: "body", issues: error.issues });
        throw error;
      }
    });
  };
}
