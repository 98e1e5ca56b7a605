/**
 * `GET /api/openapi.json`: this API described by OpenAPI 3.1, generated from the routes' schemas.
 */
import { z } from "zod";

export const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.record(z.string(), z.unknown()).optional(),
});
export type OpenApiDocument = z.output<typeof openApiDocumentSchema>;
