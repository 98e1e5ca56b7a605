/**
 * `GET /ipfs/{cid}`: the trustless gateway. Bytes, not JSON; its own errors are plain
 * text as the gateway spec has them (the API's hooks, e.g. the rate limit, still answer
 * in the API's JSON error shape).
 */
import { z } from "zod";
import { errorResponseSchema } from "./common.ts";

export const gatewayParamsSchema = z.object({ cid: z.string().min(1).max(512) });
export const gatewayQuerySchema = z.object({
  /** `raw` (the block) or `car`; else the file. `Accept` can ask for the same. */
  format: z.string().max(16).optional(),
});

/** Headers the gateway reads (others pass through untouched). */
export const gatewayHeadersSchema = z.looseObject({
  /** `application/vnd.ipld.raw` or `application/vnd.ipld.car` ask for the block or a CAR. */
  accept: z.string().optional(),
  /** A CID's content never changes: a matching ETag gets 304. */
  "if-none-match": z.union([z.string(), z.array(z.string())]).optional(),
});

/** Bytes (OpenAPI `format: binary`), which fastify sends as they are; nothing for HEAD. */
const bytes = z.custom<Uint8Array | undefined>((value) => value === undefined || value instanceof Uint8Array).meta({ type: "string", format: "binary" });
const plainTextError = z.custom<Uint8Array | string>((value) => value instanceof Uint8Array || typeof value === "string").meta({ type: "string" });
const gatewayError = {
  description: "The gateway's plain-text error, or the API's JSON error (auth, rate limit).",
  content: { "text/plain": { schema: plainTextError }, "application/json": { schema: errorResponseSchema } },
};

export const gatewayResponses = {
  200: {
    description: "The block (`application/vnd.ipld.raw`), a CAR (`application/vnd.ipld.car`), or the file with its sniffed type; no body for HEAD.",
    content: {
      "application/vnd.ipld.raw": { schema: bytes },
      "application/vnd.ipld.car": { schema: bytes },
      "*/*": { schema: bytes },
    },
  },
  // `null`: OpenAPI's way of saying "no body" (@fastify/swagger leaves out the content).
  304: z.null().describe("Not modified (`If-None-Match`): no body."),
  "4xx": gatewayError,
  "5xx": gatewayError,
};
