/**
 * `GET /ipfs/{cid}` as a framework-free function, after the IPFS Trustless Gateway
 * spec (https://specs.ipfs.tech/http-gateways/trustless-gateway/): verifiable
 * responses (a raw block, or a CAR of the whole DAG) that the dApp re-hashes in the
 * browser, plus the plain file bytes for convenience. Everything served has already
 * been verified against its CID by the content store; a block that fails is never sent.
 */
import { CarWriter } from "@ipld/car";
import { BaseError } from "../errors/base.ts";
import {
  BlockVerificationError,
  ContentNotFoundError,
  ContentTooLargeError,
  InvalidCidError,
  IpfsUnavailableError,
  MalformedDagError,
  UnsupportedContentError,
} from "../errors/ipfs.ts";
import { concatBytes } from "./bytes.ts";
import { toCid } from "./cid.ts";
import type { ContentStore } from "./contentStore.ts";

/** Media type of a single raw block. */
export const RAW_BLOCK_TYPE = "application/vnd.ipld.raw";
/** Media type of a CAR (content-addressed archive). */
export const CAR_TYPE = "application/vnd.ipld.car";

export type HandleGatewayRequestParameters = {
  /** The `{cid}` path segment, as received. */
  cid: string;
  /** The request's `Accept` header. */
  accept?: string | undefined;
  /** The `?format=` query parameter: `raw` or `car` (overrides `Accept`). */
  format?: string | undefined;
  /** `GET` (default) or `HEAD` (headers only). */
  method?: "GET" | "HEAD";
  /** The request's `If-None-Match` header. */
  ifNoneMatch?: string | undefined;
  /** Refuse plain-file responses larger than this (raw blocks are ≤ 1 MiB by construction). */
  maxFileBytes?: number;
};

export type HandleGatewayRequestReturnType = {
  status: number;
  headers: Record<string, string>;
  /** `null` for HEAD and 304. */
  body: Uint8Array | null;
  /** On 4xx/5xx, the error behind the response, for the API's error log. */
  error?: unknown;
};

type ResponseFormat = "raw" | "car" | "file";

/**
 * Answers `GET /ipfs/{cid}`.
 *
 * - `?format=raw` or `Accept: application/vnd.ipld.raw` → the block, verified (200).
 * - `?format=car` or `Accept: application/vnd.ipld.car` → CARv1 of the DAG, depth-first,
 *   every block verified before it is written (200).
 * - otherwise → the UnixFS file's bytes (200), JSON sniffed as `application/json`.
 *
 * Errors: 400 bad CID or format, 404 not found, 406 unsupported CAR version,
 * 413 file over `maxFileBytes`, 501 unsupported codec/hash, 502 a block failed
 * verification (the backend served wrong bytes), 503 IPFS unavailable (with `Retry-After`).
 *
 * @param store - the content store that holds the content.
 * @param request - the parts of the HTTP request the gateway needs.
 * @returns status, headers and body to send.
 *
 * @example
 * import { handleGatewayRequest } from "./handleGatewayRequest.ts";
 * const response = await handleGatewayRequest(store, { cid: request.params.cid, accept: request.headers.accept, format: request.query.format });
 * reply.code(response.status).headers(response.headers).send(response.body ? Buffer.from(response.body) : undefined);
 */
export async function handleGatewayRequest(
  store: ContentStore,
  request: HandleGatewayRequestParameters,
): Promise<HandleGatewayRequestReturnType> {
  let format: ResponseFormat;
  try {
    format = chooseFormat(request.format, request.accept);
  } catch (error) {
    return errorResponse(error instanceof GatewayFormatError ? error.status : 400, error);
  }

  try {
    const cid = toCid(request.cid);
    const cidString = cid.toString();
    const etag = format === "file" ? `"${cidString}"` : `"${cidString}.${format}"`;
    const headers: Record<string, string> = {
      // Content at a CID never changes: cache it for as long as caches allow.
      "Cache-Control": "public, max-age=29030400, immutable",
      Etag: etag,
      Vary: "Accept",
      "X-Content-Type-Options": "nosniff",
      // The parsed CID, never the raw path segment: nothing from the request reaches a header.
      "X-Ipfs-Path": `/ipfs/${cidString}`,
      "X-Ipfs-Roots": cidString,
    };
    if (request.ifNoneMatch && request.ifNoneMatch.split(",").map((tag) => tag.trim()).includes(etag)) {
      return { status: 304, headers, body: null };
    }

    let body: Uint8Array;
    if (format === "raw") {
      body = await store.getBlock(cid);
      headers["Content-Type"] = RAW_BLOCK_TYPE;
      headers["Content-Disposition"] = `attachment; filename="${cidString}.bin"`;
    } else if (format === "car") {
      body = await writeCar(store, cid);
      headers["Content-Type"] = `${CAR_TYPE}; version=1; order=dfs; dups=n`;
      headers["Content-Disposition"] = `attachment; filename="${cidString}.car"`;
    } else {
      body = await store.get(cid, request.maxFileBytes === undefined ? {} : { maxBytes: request.maxFileBytes });
      headers["Content-Type"] = sniffContentType(body);
    }
    headers["Content-Length"] = String(body.length);
    return { status: 200, headers, body: request.method === "HEAD" ? null : body };
  } catch (error) {
    return errorResponse(statusOf(error), error);
  }
}

/** Collects a CARv1 (one root, blocks depth-first, no duplicates) of the DAG under `cid`. */
async function writeCar(store: ContentStore, cid: ReturnType<typeof toCid>): Promise<Uint8Array> {
  const { writer, out } = CarWriter.create([cid]);
  // The writer applies backpressure: its output must be drained while blocks are put.
  const collected = (async () => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of out) chunks.push(chunk);
    return concatBytes(chunks);
  })();
  const seen = new Set<string>();
  try {
    for await (const block of store.blocks(cid)) {
      const key = block.cid.toString();
      if (seen.has(key)) continue;
      seen.add(key);
      await writer.put(block);
    }
  } finally {
    await writer.close();
  }
  return collected;
}

class GatewayFormatError extends BaseError {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message, { name: "GatewayFormatError" });
    this.status = status;
  }
}

function chooseFormat(format: string | undefined, accept: string | undefined): ResponseFormat {
  if (format !== undefined && format !== "") {
    if (format === "raw" || format === "car") return format;
    throw new GatewayFormatError(`Unsupported format "${format}": use raw or car.`, 400);
  }
  for (const entry of (accept ?? "").split(",")) {
    const [type, ...params] = entry.split(";").map((part) => part.trim().toLowerCase());
    if (type === RAW_BLOCK_TYPE) return "raw";
    if (type === CAR_TYPE) {
      const version = params.find((param) => param.startsWith("version="));
      if (version && version !== "version=1") throw new GatewayFormatError(`Only CAR version=1 is served.`, 406);
      return "car";
    }
  }
  return "file";
}

function sniffContentType(body: Uint8Array): string {
  const first = body.find((byte) => byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09);
  if (first === 0x7b || first === 0x5b) {
    try {
      JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
      return "application/json; charset=utf-8";
    } catch {
      // not JSON after all: fall through to bytes.
    }
  }
  return "application/octet-stream";
}

function statusOf(error: unknown): number {
  if (error instanceof InvalidCidError) return 400;
  if (error instanceof ContentNotFoundError) return 404;
  if (error instanceof ContentTooLargeError) return 413;
  if (error instanceof UnsupportedContentError) return 501;
  if (error instanceof BlockVerificationError || error instanceof MalformedDagError) return 502;
  if (error instanceof IpfsUnavailableError) return 503;
  return 500;
}

function errorResponse(status: number, error: unknown): HandleGatewayRequestReturnType {
  // 5xx from an unexpected error: say nothing about internals (the API's error handler logs it).
  const known = error instanceof BaseError && status !== 500;
  const message = known ? (error as BaseError).shortMessage : "Internal error.";
  const headers: Record<string, string> = {
    "Content-Type": "text/plain; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  };
  if (status === 503) headers["Retry-After"] = "5";
  const body = new TextEncoder().encode(`${message}\n`);
  headers["Content-Length"] = String(body.length);
  return { status, headers, body, error };
}
