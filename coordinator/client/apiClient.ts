/**
 * The connection to a running coordinator that the CLI and the Telegram bot share: its
 * HTTP API, with the admin token for mutating calls. Neither opens the coordinator's
 * database or IPFS repo itself, so both are safe to use while it runs (and from another
 * machine).
 *
 * Call the API through the typed actions in `./actions/` (`getFlStatus(api)`,
 * `startChaosRun(api, { name })`, …): each validates the answer with the route's
 * response schema (`coordinator/api/schemas/`), so a coordinator of another version
 * gives an {@link ApiResponseValidationError} instead of `undefined` further on.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import { errorResponseSchema } from "../api/schemas/common.ts";
import { ApiRequestError, ApiResponseValidationError, CoordinatorUnreachableError } from "../errors/client.ts";

/** Query parameters, sent as `String(value)`; `undefined` ones are left out. */
export type ApiQuery = Readonly<Record<string, unknown>>;

/**
 * The transport: one HTTP call, the JSON body back as it came (not validated: the
 * actions do that). Errors: {@link ApiRequestError} for a non-2xx answer,
 * {@link CoordinatorUnreachableError} without one.
 */
export type ApiClient = {
  baseUrl: string;
  get<T>(pathname: string, query?: ApiQuery): Promise<T>;
  post<T>(pathname: string, body: unknown): Promise<T>;
};

export type CreateApiClientParameters = { env?: Record<string, string | undefined>; fetch?: typeof fetch };

/**
 * @param env - `SYNOD_API_URL` (default `http://127.0.0.1:8787`), `SYNOD_ADMIN_TOKEN`, else the
 * token file `$SYNOD_DATA_DIR/admin-token` the coordinator writes in the local profile.
 *
 * @example
 * import { createApiClient } from "./apiClient.ts";
 * import { getFlStatus } from "./actions/fl.ts";
 * const api = createApiClient({ env: { SYNOD_API_URL: "http://127.0.0.1:8787" } });
 * const { rounds } = await getFlStatus(api);
 */
export function createApiClient({ env = process.env, fetch: fetchImpl = fetch }: CreateApiClientParameters = {}): ApiClient {
  const baseUrl = (env.SYNOD_API_URL ?? `http://${env.SYNOD_API_HOST ?? "127.0.0.1"}:${env.SYNOD_API_PORT ?? "8787"}`).replace(/\/$/, "");
  let token: Promise<string | undefined> | undefined;
  const adminToken = () =>
    (token ??= env.SYNOD_ADMIN_TOKEN
      ? Promise.resolve(env.SYNOD_ADMIN_TOKEN)
      : readFile(path.join(env.SYNOD_DATA_DIR ?? ".synod", "admin-token"), "utf8").then((text) => text.trim(), () => undefined));

  async function request(method: "GET" | "POST", pathname: string, init: { query?: ApiQuery; body?: unknown }): Promise<unknown> {
    const url = new URL(baseUrl + pathname);
    for (const [key, value] of Object.entries(init.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: "application/json" };
    if (method === "POST") {
      headers["content-type"] = "application/json";
      const secret = await adminToken();
      if (secret) headers.authorization = `Bearer ${secret}`;
    }
    let response: Response;
    try {
      response = await fetchImpl(url, { method, headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
    } catch (cause) {
      throw new CoordinatorUnreachableError({ url: baseUrl, cause });
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // A proxy's HTML error page, say: the status says enough.
      body = undefined;
    }
    if (!response.ok) {
      const error = errorResponseSchema.safeParse(body).data?.error;
      throw new ApiRequestError({ status: response.status, message: error?.message ?? `${method} ${pathname} failed with HTTP ${response.status}.`, errorName: error?.name, issues: error?.issues ?? [] });
    }
    if (body === undefined && text) throw new ApiResponseValidationError({ path: pathname, issues: [{ path: "", message: "not JSON" }] });
    return body;
  }

  return {
    baseUrl,
    get: async <T>(pathname: string, query?: ApiQuery) => (await request("GET", pathname, { ...(query ? { query } : {}) })) as T,
    post: async <T>(pathname: string, body: unknown) => (await request("POST", pathname, { body })) as T,
  };
}

/** Formats a zod issue path as the API does (`nodes[1].id`). */
function issuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) out += typeof key === "number" ? `[${key}]` : out === "" ? String(key) : `.${String(key)}`;
  return out;
}

export type CallRouteParameters<S extends z.ZodType> = {
  method: "GET" | "POST";
  /** The path with its parameters filled in, e.g. `/api/chaos/runs/4`. */
  path: `/${string}`;
  query?: ApiQuery;
  body?: unknown;
  /** The route's response schema (`coordinator/api/schemas/`). */
  schema: S;
};

/**
 * Calls a route and validates its answer with the route's response schema: what every
 * action does.
 *
 * @returns the parsed body, typed by the schema.
 * @throws {ApiResponseValidationError} when the body does not match, listing every problem.
 */
export async function callRoute<S extends z.ZodType>(api: ApiClient, { method, path, query, body, schema }: CallRouteParameters<S>): Promise<z.output<S>> {
  const answer = method === "GET" ? await api.get<unknown>(path, query) : await api.post<unknown>(path, body ?? {});
  const parsed = schema.safeParse(answer);
  if (!parsed.success) throw new ApiResponseValidationError({ path: path.split("?")[0]!, issues: parsed.error.issues.map((issue) => ({ path: issuePath(issue.path), message: issue.message })) });
  return parsed.data;
}
