/**
 * The one check every byte Synod reads from IPFS goes through: hash the block and
 * compare with the digest inside its CID. A content store that skipped it could hand
 * out anything a compromised or buggy node returned.
 */
import type { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { BlockVerificationError, UnsupportedContentError } from "../errors/ipfs.ts";
import { bytesEqual, toHex } from "./bytes.ts";
import { IDENTITY_CODE, SHA2_256_CODE } from "./cid.ts";

export type VerifyBlockParameters = {
  /** The CID the block was requested by. */
  cid: CID;
  /** The bytes a backend returned for it. */
  bytes: Uint8Array;
  /** Which backend served the bytes (named in the error). */
  backend: string;
};

/**
 * Verifies that `bytes` are the block `cid` names.
 *
 * @param parameters.cid - the requested CID.
 * @param parameters.bytes - the bytes a backend returned.
 * @param parameters.backend - the backend's name, for the error.
 * @returns the same bytes, now known to be the right ones.
 * @throws {BlockVerificationError} when the digest differs.
 * @throws {UnsupportedContentError} for hash functions other than sha2-256 and identity.
 *
 * @example
 * import { CID } from "multiformats/cid";
 * import { verifyBlock } from "./verifyBlock.ts";
 * const cid = CID.parse("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
 * await verifyBlock({ cid, bytes: new TextEncoder().encode("hello world"), backend: "helia" });
 */
export async function verifyBlock({ cid, bytes, backend }: VerifyBlockParameters): Promise<Uint8Array> {
  const expected = cid.multihash.digest;
  let actual: Uint8Array;
  if (cid.multihash.code === SHA2_256_CODE) {
    actual = (await sha256.digest(bytes)).digest;
  } else if (cid.multihash.code === IDENTITY_CODE) {
    actual = bytes;
  } else {
    throw new UnsupportedContentError({
      cid: cid.toString(),
      reason: `hash function 0x${cid.multihash.code.toString(16)} cannot be verified`,
    });
  }
  if (!bytesEqual(expected, actual)) {
    throw new BlockVerificationError({
      cid: cid.toString(),
      backend,
      expected: toHex(expected),
      actual: cid.multihash.code === IDENTITY_CODE ? `${bytes.length} other bytes` : toHex(actual),
    });
  }
  return bytes;
}
