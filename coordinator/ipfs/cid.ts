/**
 * CID parsing and the codec/hash numbers the content store understands.
 */
import { CID } from "multiformats/cid";
import { InvalidCidError } from "../errors/ipfs.ts";

/** Multicodec of raw bytes (a UnixFS leaf or a whole single-chunk file). */
export const RAW_CODE = 0x55;
/** Multicodec of dag-pb (a UnixFS file node linking its chunks). */
export const DAG_PB_CODE = 0x70;
/** Multihash code of sha2-256. */
export const SHA2_256_CODE = 0x12;
/** Multihash code of identity (the "digest" is the content itself). */
export const IDENTITY_CODE = 0x00;

/** A CID object or its string form (base32 `bafy…`/`bafk…`, or a CIDv0 `Qm…`). */
export type CidLike = CID | string;

/**
 * Parses a CID string, or returns a CID unchanged.
 *
 * @param value - a CID or its string form.
 * @returns the CID.
 * @throws {InvalidCidError} when the string is not a CID.
 *
 * @example
 * import { toCid } from "./cid.ts";
 * toCid("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e").code; // 0x55
 */
export function toCid(value: CidLike): CID {
  if (typeof value !== "string") {
    const cid = CID.asCID(value);
    if (cid) return cid;
    throw new InvalidCidError({ value: String(value) });
  }
  try {
    return CID.parse(value.trim());
  } catch (cause) {
    throw new InvalidCidError({ value, cause });
  }
}

/** The canonical string of a CID: base32 for v1 (what Synod stores and proposes). */
export function cidToString(cid: CID): string {
  return cid.toString();
}
