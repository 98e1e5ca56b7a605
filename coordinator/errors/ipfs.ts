/**
 * Errors of the content store (`coordinator/ipfs/`). Every read is verified against
 * its CID, so most of these name the CID and what did not match; adapters keep the
 * backend's own error as `cause`.
 */
import { BaseError, redactUrl } from "./base.ts";

const DOCS = "#knowledge-model";

/** The IPFS backend could not be reached (Kubo down, connection refused, timeout). */
export type IpfsUnavailableErrorType = IpfsUnavailableError & { name: "IpfsUnavailableError" };
export class IpfsUnavailableError extends BaseError {
  /** Safe to retry the same call later: nothing was written on our side. */
  readonly retryable = true;
  readonly backend: string;
  readonly operation: string;

  constructor({ backend, operation, url, reason, cause }: {
    backend: string;
    operation: string;
    url?: string;
    /** A short machine reason, e.g. `ECONNREFUSED`. */
    reason?: string;
    cause?: unknown;
  }) {
    super(`IPFS is unavailable: ${operation} on the ${backend} backend failed${reason ? ` (${reason})` : ""}.`, {
      name: "IpfsUnavailableError",
      cause,
      metaMessages: [
        ...(url ? [`URL: ${redactUrl(url)}`] : []),
        "Nothing was lost: retry the same call once the IPFS node is back.",
      ],
      docsPath: DOCS,
    });
    this.backend = backend;
    this.operation = operation;
  }
}

/** A block's bytes do not hash to the digest in its CID (tampered or corrupted). */
export type BlockVerificationErrorType = BlockVerificationError & { name: "BlockVerificationError" };
export class BlockVerificationError extends BaseError {
  readonly cid: string;
  readonly backend: string;

  constructor({ cid, backend, expected, actual }: { cid: string; backend: string; expected: string; actual: string }) {
    super(`Block ${cid} served by the ${backend} backend does not match its CID.`, {
      name: "BlockVerificationError",
      metaMessages: [`Expected digest: ${expected}`, `Actual digest:   ${actual}`],
      details: "The block was tampered with or corrupted; its content was not used.",
      docsPath: DOCS,
    });
    this.cid = cid;
    this.backend = backend;
  }
}

/** The content is not held by the store (and, where the backend may search, was not found). */
export type ContentNotFoundErrorType = ContentNotFoundError & { name: "ContentNotFoundError" };
export class ContentNotFoundError extends BaseError {
  readonly cid: string;

  constructor({ cid, backend, cause }: { cid: string; backend: string; cause?: unknown }) {
    super(`Content ${cid} was not found on the ${backend} backend.`, {
      name: "ContentNotFoundError",
      cause,
      docsPath: DOCS,
    });
    this.cid = cid;
  }
}

/** A string that should be a CID is not one. */
export type InvalidCidErrorType = InvalidCidError & { name: "InvalidCidError" };
export class InvalidCidError extends BaseError {
  constructor({ value, cause }: { value: string; cause?: unknown }) {
    super(`"${value.length > 120 ? `${value.slice(0, 120)}…` : value}" is not a valid CID.`, {
      name: "InvalidCidError",
      cause,
    });
  }
}

/** The CID uses a codec or hash function the store cannot verify or decode. */
export type UnsupportedContentErrorType = UnsupportedContentError & { name: "UnsupportedContentError" };
export class UnsupportedContentError extends BaseError {
  readonly cid: string;

  constructor({ cid, reason }: { cid: string; reason: string }) {
    super(`Content ${cid} is not supported: ${reason}.`, {
      name: "UnsupportedContentError",
      metaMessages: ["Supported: CIDv0/v1, codecs raw and dag-pb (UnixFS files), hash sha2-256 or identity."],
    });
    this.cid = cid;
  }
}

/**
 * The backend's DAG is not a well-formed UnixFS file (e.g. sizes that do not add up),
 * although each block matched its CID.
 */
export type MalformedDagErrorType = MalformedDagError & { name: "MalformedDagError" };
export class MalformedDagError extends BaseError {
  readonly cid: string;

  constructor({ cid, reason, cause }: { cid: string; reason: string; cause?: unknown }) {
    super(`Content ${cid} is not a well-formed UnixFS file: ${reason}.`, {
      name: "MalformedDagError",
      cause,
    });
    this.cid = cid;
  }
}

/**
 * The backend reported a different CID than the one Synod computed for the same bytes
 * with the Kubo-compatible import settings (e.g. a Kubo configured with another chunker).
 */
export type CidMismatchErrorType = CidMismatchError & { name: "CidMismatchError" };
export class CidMismatchError extends BaseError {
  constructor({ backend, expected, actual }: { backend: string; expected: string; actual: string }) {
    super(`The ${backend} backend stored the content as ${actual}, but Synod computed ${expected}.`, {
      name: "CidMismatchError",
      metaMessages: [
        "Synod adds files as UnixFS, CIDv1, raw leaves, sha2-256, 256 KiB chunks, balanced DAG of 174 links.",
      ],
      details: "The node's import settings differ from the ones Synod asked for; the content was not published.",
      docsPath: DOCS,
    });
  }
}

/** A JSON value cannot be published (not plain JSON: NaN, Infinity, undefined, a class instance). */
export type InvalidJsonContentErrorType = InvalidJsonContentError & { name: "InvalidJsonContentError" };
export class InvalidJsonContentError extends BaseError {
  constructor({ path, reason }: { path: string; reason: string }) {
    super(`Cannot publish as JSON: ${reason} at ${path || "(root)"}.`, { name: "InvalidJsonContentError" });
  }
}

/** The content is larger than the caller allowed. */
export type ContentTooLargeErrorType = ContentTooLargeError & { name: "ContentTooLargeError" };
export class ContentTooLargeError extends BaseError {
  constructor({ cid, size, limit }: { cid: string; size: number; limit: number }) {
    super(`Content ${cid} is ${size} bytes, over the ${limit}-byte limit.`, { name: "ContentTooLargeError" });
  }
}

/** Content that should be JSON (a knowledge record, a manifest) does not parse as JSON. */
export type ContentNotJsonErrorType = ContentNotJsonError & { name: "ContentNotJsonError" };
export class ContentNotJsonError extends BaseError {
  readonly cid: string;

  constructor({ cid, cause }: { cid: string; cause?: unknown }) {
    super(`Content ${cid} is not UTF-8 JSON.`, { name: "ContentNotJsonError", cause });
    this.cid = cid;
  }
}

/** The IPFS node answered, but refused the request (a bad option, a full disk, …). */
export type IpfsRequestErrorType = IpfsRequestError & { name: "IpfsRequestError" };
export class IpfsRequestError extends BaseError {
  readonly status: number | undefined;

  constructor({ backend, operation, status, url, cause }: {
    backend: string;
    operation: string;
    status?: number;
    url?: string;
    cause?: unknown;
  }) {
    super(`The ${backend} backend refused ${operation}${status ? ` (HTTP ${status})` : ""}.`, {
      name: "IpfsRequestError",
      cause,
      metaMessages: url ? [`URL: ${redactUrl(url)}`] : [],
      docsPath: DOCS,
    });
    this.status = status;
  }
}
