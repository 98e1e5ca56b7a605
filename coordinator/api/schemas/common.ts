/**
 * What every route's schemas share: the error body and hex strings.
 *
 * The files in this folder are the API's one contract: the routes declare them (so
 * requests are validated, responses checked and `GET /api/openapi.json` generated from
 * them) and the clients take their types from them (the CLI and the bot through
 * `coordinator/client/`, the dApp through `app/lib/`). So they hold zod and nothing
 * else: no node modules, no domain code, importable from the browser.
 */
import { z } from "zod";

/** `0x` and hex digits (viem's `Hex`). */
export const hexSchema = z.templateLiteral(["0x", z.string().regex(/^[0-9a-fA-F]*$/)]);

/**
 * The body of a POST that takes no parameters: `{}`, or no body at all (which fastify
 * hands over as `null`).
 */
export const noParametersBodySchema = z.strictObject({}).nullish();

/** One problem in a request, with the path of the field it concerns (`nodes[1].id`). */
export const requestIssueSchema = z.object({ path: z.string(), message: z.string() });

/** The body of every error the API sends (the IPFS gateway's plain-text errors aside). */
export const errorResponseSchema = z
  .object({
    error: z.object({
      /** The error class, e.g. `RequestValidationError`; `InternalServerError` for any hidden 5xx. */
      name: z.string(),
      /** One line for people: the `shortMessage` of a 4xx. */
      message: z.string(),
      /** Validation problems, each with its field path (400 only). */
      issues: z.array(requestIssueSchema).optional(),
      /** The request id, also in the coordinator's log (5xx only). */
      requestId: z.string().optional(),
    }),
  })
  .meta({ id: "ErrorResponse", description: "Every API error: `{ error: { name, message } }`, with `issues` on a 400 and `requestId` on a 5xx." });
export type ErrorResponse = z.output<typeof errorResponseSchema>;

/**
 * The error responses every route declares beside its own: fastify serializes an error
 * with the schema of its exact status code, else of its class (`4xx`, `5xx`).
 */
export const errorResponses = { "4xx": errorResponseSchema, "5xx": errorResponseSchema } as const;
