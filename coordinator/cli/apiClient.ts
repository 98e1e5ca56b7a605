/**
 * The CLI's connection to a running coordinator: its HTTP API, with the admin token
 * for mutating calls. The CLI never opens the coordinator's database or IPFS repo
 * itself, so it is safe to use while the coordinator runs (and from another machine).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { BaseError, redactUrl } from "../errors/base.ts";

/** What to do about a refused admin call. */
const AUTH_HINT = "Admin commands need the coordinator's token: set SYNOD_ADMIN_TOKEN, or SYNOD_DATA_DIR to the coordinator's data directory (its admin-token file).";

export class ApiRequestError extends BaseError {
  readonly status: number;
  readonly issues: ReadonlyArray<{ path: string; message: string }>;
  constructor({ status, message, issues = [] }: { status: number; message: string; issues?: ReadonlyArray<{ path: string; message: string }> }) {
    super(message, { name: "ApiRequestError", metaMessages: [...issues.map((issue) => `- ${issue.path || "(body)"}: ${issue.message}`), ...(status === 401 || status === 403 ? [AUTH_HINT] : [])] });
    this.status = status;
    this.issues = issues;
  }
}

export class CoordinatorUnreachableError extends BaseError {
  constructor({ url, cause }: { url: string; cause: unknown }) {
    super(`The coordinator at ${redactUrl(url)} is not reachable.`, {
      name: "CoordinatorUnreachableError",
      cause,
      metaMessages: ["Start it with `npm start`, or point SYNOD_API_URL at a running coordinator."],
    });
  }
}

export type ApiClient = {
  baseUrl: string;
  get<T>(pathname: string, query?: Record<string, string | number | undefined>): Promise<T>;
  post<T>(pathname: string, body: unknown): Promise<T>;
};

export type CreateApiClientParameters = { env?: Record<string, string | undefined>; fetch?: typeof fetch };

/**
 * @param env - `SYNOD_API_URL` (default `http://127.0.0.1:8787`), `SYNOD_ADMIN_TOKEN`, else the
 * token file `$SYNOD_DATA_DIR/admin-token` the coordinator writes in the local profile.
 */
export function createApiClient({ env = process.env, fetch: fetchImpl = fetch }: CreateApiClientParameters = {}): ApiClient {
  const baseUrl = (env.SYNOD_API_URL ?? `http://${env.SYNOD_API_HOST ?? "127.0.0.1"}:${env.SYNOD_API_PORT ?? "8787"}`).replace(/\/$/, "");
  let token: Promise<string | undefined> | undefined;
  const adminToken = () =>
    (token ??= env.SYNOD_ADMIN_TOKEN
      ? Promise.resolve(env.SYNOD_ADMIN_TOKEN)
      : readFile(path.join(env.SYNOD_DATA_DIR ?? ".synod", "admin-token"), "utf8").then((text) => text.trim(), () => undefined));

  async function request<T>(method: "GET" | "POST", pathname: string, init: { query?: Record<string, string | number | undefined>; body?: unknown }): Promise<T> {
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
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = (body as { error?: { message?: string; issues?: Array<{ path: string; message: string }> } } | undefined)?.error;
      throw new ApiRequestError({ status: response.status, message: error?.message ?? `${method} ${pathname} failed with HTTP ${response.status}.`, issues: error?.issues ?? [] });
    }
    return body as T;
  }

  return {
    baseUrl,
    get: (pathname, query) => request("GET", pathname, { ...(query ? { query } : {}) }),
    post: (pathname, body) => request("POST", pathname, { body }),
  };
}
