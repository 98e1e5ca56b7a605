/**
 * Knowledge over HTTP: page through records (content verified against its CID), the
 * keeper's epochs with every record's leaf and Merkle proof, the audit, and, with the
 * admin token, queue a new record or close the open epoch now.
 *
 * - `GET /api/knowledge?kind=&status=&round=&epoch=&proposal=&offset=&limit=`
 * - `GET /api/knowledge/epochs?offset=&limit=`
 * - `GET /api/knowledge/epochs/:epoch?kind=&status=&offset=&limit=` (404 for an epoch the keeper never built)
 * - `POST /api/knowledge/epochs/close` (admin): close the open epoch now
 * - `GET /api/knowledge/audit`
 * - `GET /api/knowledge/:cid`
 * - `POST /api/knowledge` (admin): body is the record; 201 when queued, 200 when the same content was queued before.
 *
 * The schemas are in `schemas/knowledge.ts`, the single source of these routes' types
 * (the CLI, the bot and the dApp import them).
 */
import type { z } from "zod";
import { RequestValidationError } from "../errors/api.ts";
import { RecordValidationError } from "../errors/knowledge.ts";
import type { EventBus } from "../events.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import { auditKnowledge, getEpochPage, listEpochs, type EpochEntry as EpochView, type EpochPage as EpochPageView, type KnowledgeAudit } from "../knowledge/epochsView.ts";
import { getKnowledge, listKnowledge, type KnowledgeEntry as KnowledgeView, type KnowledgeRecordDetails } from "../knowledge/knowledgeView.ts";
import type { CloseEpochReturnType } from "../knowledge/proposalKeeper.ts";
import { submitKnowledgeRecord } from "../knowledge/submitKnowledgeRecord.ts";
import type { ChainIndexRepository } from "../store/chainIndexRepository.ts";
import type { EpochStatus, KnowledgeRepository, RecordStatus } from "../store/knowledgeRepository.ts";
import { errorResponses } from "./schemas/common.ts";
import {
  closeEpochBodySchema,
  closeEpochSchema,
  epochListQuerySchema,
  epochListSchema,
  epochPageQuerySchema,
  epochPageSchema,
  epochParamsSchema,
  knowledgeAuditSchema,
  knowledgeListQuerySchema,
  knowledgeListSchema,
  knowledgeRecordParamsSchema,
  knowledgeRecordSchema,
  submitKnowledgeBodySchema,
  submitKnowledgeSchema,
  type EpochEntry,
  type EpochPage,
  type KnowledgeAuditResponse,
  type KnowledgeEntry,
  type KnowledgeRecordResponse,
  type EpochStatus as WireEpochStatus,
  type RecordStatus as WireRecordStatus,
} from "./schemas/knowledge.ts";
import type { ApiPlugin, AssertTrue, KeepsEveryKey } from "./types.ts";

// The schemas keep every field the views return (the serializer drops unknown ones), and
// their status lists are the outbox's, no more and no less.
export type KnowledgeResponsesKeepEveryField = [
  AssertTrue<KeepsEveryKey<KnowledgeView, KnowledgeEntry>>,
  AssertTrue<KeepsEveryKey<KnowledgeRecordDetails, KnowledgeRecordResponse>>,
  AssertTrue<KeepsEveryKey<EpochView, EpochEntry>>,
  AssertTrue<KeepsEveryKey<EpochPageView, EpochPage>>,
  AssertTrue<KeepsEveryKey<KnowledgeAudit, KnowledgeAuditResponse>>,
  AssertTrue<KeepsEveryKey<CloseEpochReturnType, z.output<typeof closeEpochSchema>>>,
  AssertTrue<[RecordStatus] extends [WireRecordStatus] ? ([WireRecordStatus] extends [RecordStatus] ? true : false) : false>,
  AssertTrue<[EpochStatus] extends [WireEpochStatus] ? ([WireEpochStatus] extends [EpochStatus] ? true : false) : false>,
];

export type KnowledgeRoutesParameters = {
  outbox: KnowledgeRepository;
  index: ChainIndexRepository;
  content: ContentStore;
  events?: EventBus;
  /** Closes the open epoch now (the keeper's `closeEpoch`); throws `ChainUnavailableError` before the chain connects. */
  closeEpoch?: () => Promise<CloseEpochReturnType>;
  /** Called after a record is queued (e.g. to wake the keeper). */
  onSubmitted?: () => void;
};

export function knowledgeRoutes({ outbox, index, content, closeEpoch, onSubmitted }: KnowledgeRoutesParameters): ApiPlugin {
  return async (app) => {
    app.get(
      "/api/knowledge",
      {
        schema: { querystring: knowledgeListQuerySchema, response: { 200: knowledgeListSchema, ...errorResponses } },
      },
      async (request) => ({ ...listKnowledge({ outbox, index }, request.query), offset: request.query.offset, limit: request.query.limit }),
    );

    app.get(
      "/api/knowledge/epochs",
      { schema: { querystring: epochListQuerySchema, response: { 200: epochListSchema, ...errorResponses } } },
      async (request) => listEpochs(outbox, request.query),
    );

    app.get(
      "/api/knowledge/epochs/:epoch",
      {
        schema: { params: epochParamsSchema, querystring: epochPageQuerySchema, response: { 200: epochPageSchema, ...errorResponses } },
      },
      async (request) => getEpochPage(outbox, request.params.epoch, request.query),
    );

    app.post("/api/knowledge/epochs/close", { schema: { body: closeEpochBodySchema, response: { 200: closeEpochSchema, ...errorResponses } } }, async () => {
      if (!closeEpoch) throw new Error("this coordinator runs no keeper");
      const { closed, reason } = await closeEpoch();
      return { closed: closed && { ...closed, proposalId: closed.proposalId.toString() }, reason };
    });

    app.get("/api/knowledge/audit", { schema: { response: { 200: knowledgeAuditSchema, ...errorResponses } } }, async () => auditKnowledge(outbox));

    app.get(
      "/api/knowledge/:cid",
      { schema: { params: knowledgeRecordParamsSchema, response: { 200: knowledgeRecordSchema, ...errorResponses } } },
      async (request) => getKnowledge({ outbox, index, content }, request.params.cid),
    );

    // 201 queued, 200 when the same content was queued before: one shape.
    app.post("/api/knowledge", { schema: { body: submitKnowledgeBodySchema, response: { 200: submitKnowledgeSchema, 201: submitKnowledgeSchema, ...errorResponses } } }, async (request, reply) => {
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
