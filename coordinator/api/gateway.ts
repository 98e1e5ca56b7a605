/**
 * `GET /ipfs/{cid}`: the trustless gateway (`coordinator/ipfs/handleGatewayRequest.ts`)
 * on the API. The handler is framework-free; this file only maps the request and
 * reply. Its errors stay plain text, as the gateway spec has them, rather than the
 * API's JSON errors.
 */
import type { ContentStore } from "../ipfs/contentStore.ts";
import { handleGatewayRequest } from "../ipfs/handleGatewayRequest.ts";
import { gatewayHeadersSchema, gatewayParamsSchema, gatewayQuerySchema, gatewayResponses } from "./schemas/gateway.ts";
import type { ApiPlugin } from "./types.ts";

/**
 * `GET /ipfs/{cid}` (and HEAD): raw block (`?format=raw` or `Accept: application/vnd.ipld.raw`),
 * CAR (`?format=car` or `Accept: application/vnd.ipld.car`), or the file's bytes.
 *
 * @param parameters.store - the content store; every block it serves is verified against its CID.
 * @param parameters.maxFileBytes - whole files larger than this are refused (413).
 */
export function gatewayRoutes({ store, maxFileBytes }: { store: ContentStore; maxFileBytes: number }): ApiPlugin {
  return async (app) => {
    app.get(
      "/ipfs/:cid",
      {
        config: { rateLimitPolicy: "gateway" },
        schema: { params: gatewayParamsSchema, querystring: gatewayQuerySchema, headers: gatewayHeadersSchema, response: gatewayResponses },
      },
      async (request, reply) => {
        const ifNoneMatch = request.headers["if-none-match"];
        const response = await handleGatewayRequest(store, {
          cid: request.params.cid,
          accept: request.headers.accept,
          format: request.query.format,
          method: request.method === "HEAD" ? "HEAD" : "GET",
          ifNoneMatch: Array.isArray(ifNoneMatch) ? ifNoneMatch.join(",") : ifNoneMatch,
          maxFileBytes,
        });
        if (response.error !== undefined) {
          // The gateway already chose what the client sees; the log gets the whole error.
          const context = { err: response.error, cid: request.params.cid, statusCode: response.status };
          if (response.status >= 500) request.log.error(context, "gateway request failed");
          else request.log.info(context, "gateway request rejected");
        }
        reply.code(response.status).headers(response.headers);
        if (response.body === null) return reply.send(undefined);
        return reply.send(Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength));
      },
    );
  };
}
