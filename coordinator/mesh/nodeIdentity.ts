import { createHash } from "node:crypto";
import * as secp from "tiny-secp256k1";
import {
  bytesToHex,
  getAddress,
  hashDomain,
  hexToBytes,
  keccak256,
  stringToBytes,
  type Address,
  type Hex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

/** EIP-712 domain of FL updates. Bump `version` if the typed struct changes. */
export const updateDomain = { name: "Synod Federated Learning", version: "1" } as const;

/** EIP-712 types of a signed FL update. */
export const updateTypes = {
  ModelUpdate: [
    { name: "round", type: "uint64" },
    { name: "modelVersion", type: "uint64" },
    { name: "updateHash", type: "bytes32" },
  ],
} as const;

/** The struct that is signed. */
export type UpdateMessage = { round: number; modelVersion: number; updateHash: Hex };

/**
 * SHA-256 over the example count (8 bytes, big-endian) followed by the parameters'
 * raw little-endian float32 bytes. Binding the count stops a relay from inflating a
 * node's weight in FedAvg without breaking its signature. SHA-256 rather than
 * keccak256 because it runs natively in node:crypto (~60× faster than keccak in JS:
 * 500 MNIST updates hash in ~10 ms instead of ~1 s) and is also IPFS's default digest.
 *
 * @param params - the update's parameters.
 * @param numExamples - its example count.
 */
export function hashUpdate(params: Float32Array, numExamples: number): Hex {
  const count = new Uint8Array(8);
  new DataView(count.buffer).setBigUint64(0, BigInt(Math.max(0, Math.floor(numExamples))), false);
  const hash = createHash("sha256");
  hash.update(count);
  hash.update(new Uint8Array(params.buffer, params.byteOffset, params.byteLength));
  return `0x${hash.digest("hex")}`;
}

/** A node's signing identity. */
export type NodeIdentity = {
  readonly address: Address;
  /** Signs `{ round, modelVersion, updateHash }` as EIP-712 typed data. */
  signUpdate(message: UpdateMessage): Promise<Hex>;
};

/**
 * Creates a node identity from a private key, a deterministic seed (simulation), or a
 * fresh random key.
 *
 * @param options.privateKey - a 32-byte hex secp256k1 key.
 * @param options.seed - derives the key as keccak256("synod-node:" + seed); for simulations only.
 * @example
 * import { createNodeIdentity } from "./nodeIdentity.ts";
 * const identity = createNodeIdentity({ seed: "node-7" });
 * const signature = await identity.signUpdate({ round: 1, modelVersion: 0, updateHash: "0x…" });
 */
export function createNodeIdentity(options: { privateKey?: Hex; seed?: string } = {}): NodeIdentity {
  const key = options.privateKey ?? (options.seed !== undefined ? keccak256(stringToBytes(`synod-node:${options.seed}`)) : generatePrivateKey());
  const address = privateKeyToAccount(key).address;
  const secret = hexToBytes(key);
  return {
    address,
    // libsecp256k1 (WASM, via tiny-secp256k1) signs the EIP-712 digest ~5× faster
    // than pure-JS; the result is the usual 65-byte r‖s‖v that viem/wallets verify.
    signUpdate: async (message) => {
      const { signature, recoveryId } = secp.signRecoverable(updateDigestBytes(message), secret);
      const out = new Uint8Array(65);
      out.set(signature, 0);
      out[64] = 27 + recoveryId;
      return bytesToHex(out);
    },
  };
}

/**
 * The EIP-712 digest of an update message (what is actually signed).
 *
 * @param message - `{ round, modelVersion, updateHash }`.
 */
export function updateDigest(message: UpdateMessage): Hex {
  return bytesToHex(updateDigestBytes(message));
}

const MODEL_UPDATE_TYPEHASH = keccak256(stringToBytes("ModelUpdate(uint64 round,uint64 modelVersion,bytes32 updateHash)"), "bytes");
const DOMAIN_SEPARATOR = hexToBytes(hashDomain({ domain: updateDomain, types: { EIP712Domain: [{ name: "name", type: "string" }, { name: "version", type: "string" }] } }));

/**
 * keccak256(0x1901 ‖ domainSeparator ‖ keccak256(typeHash ‖ round ‖ modelVersion ‖ updateHash))
 * on raw bytes, constant parts computed once: viem's generic `hashTypedData`
 * re-derives them and round-trips through hex on every call, which dominated
 * verifying 500 updates. A test checks the result equals viem's.
 */
function updateDigestBytes(message: UpdateMessage): Uint8Array {
  const struct = new Uint8Array(128);
  struct.set(MODEL_UPDATE_TYPEHASH, 0);
  const view = new DataView(struct.buffer);
  view.setBigUint64(32 + 24, BigInt(message.round), false);
  view.setBigUint64(64 + 24, BigInt(message.modelVersion), false);
  struct.set(hexToBytes(message.updateHash), 96);
  return typedDataDigest(DOMAIN_SEPARATOR, struct);
}

/**
 * EIP-712's final hash, `keccak256(0x1901 ‖ domainSeparator ‖ keccak256(encodedStruct))`,
 * for callers that encode their struct themselves (see {@link updateDigestBytes}).
 *
 * @param domainSeparator - the 32-byte domain separator.
 * @param encodedStruct - the type hash followed by the encoded fields.
 */
export function typedDataDigest(domainSeparator: Uint8Array, encodedStruct: Uint8Array): Uint8Array {
  const outer = new Uint8Array(66);
  outer[0] = 0x19;
  outer[1] = 0x01;
  outer.set(domainSeparator, 2);
  outer.set(keccak256(encodedStruct, "bytes"), 34);
  return keccak256(outer, "bytes");
}

/**
 * Recovers the address that signed an update message, or `null` when the signature
 * is malformed or does not recover to a point. Compatible with any EIP-712 signer.
 *
 * @param message - the signed struct.
 * @param signature - 65-byte hex signature r‖s‖v (v = 27/28 or 0/1).
 */
export function recoverUpdateSigner(message: UpdateMessage, signature: Hex): Address | null {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return null;
  const bytes = hexToBytes(signature);
  const v = bytes[64] as number;
  const recoveryId = v >= 27 ? v - 27 : v;
  if (recoveryId !== 0 && recoveryId !== 1) return null;
  try {
    if (!/^0x[0-9a-fA-F]{64}$/.test(message.updateHash)) return null;
    const publicKey = secp.recover(updateDigestBytes(message), bytes.subarray(0, 64), recoveryId, false);
    if (!publicKey) return null;
    return getAddress(`0x${keccak256(publicKey.subarray(1)).slice(-40)}`);
  } catch {
    return null;
  }
}
