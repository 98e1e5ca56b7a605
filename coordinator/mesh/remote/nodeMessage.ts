/**
 * Signed messages between a remote mesh node and the coordinator (register,
 * heartbeat, update, probe answer). Each is EIP-712 typed data
 *
 *   NodeMessage(string kind, string nodeId, uint64 seq, uint64 sentAt, bytes32 payloadHash)
 *
 * under the domain `{ name: "Synod Mesh", version: "1" }`, signed by the node's
 * secp256k1 key, so any EIP-712 wallet or library can produce and check them. The
 * payload travels as the exact JSON string that was hashed (SHA-256 of its UTF-8
 * bytes): the coordinator verifies before it parses, and no re-serialisation can make
 * the two sides disagree.
 */
import { createHash } from "node:crypto";
import * as secp from "tiny-secp256k1";
import { bytesToHex, getAddress, hashDomain, hexToBytes, keccak256, stringToBytes, type Address, type Hex } from "viem";
import { typedDataDigest } from "../nodeIdentity.ts";

/** EIP-712 domain of node messages. */
export const nodeMessageDomain = { name: "Synod Mesh", version: "1" } as const;

/** EIP-712 types of a node message. */
export const nodeMessageTypes = {
  NodeMessage: [
    { name: "kind", type: "string" },
    { name: "nodeId", type: "string" },
    { name: "seq", type: "uint64" },
    { name: "sentAt", type: "uint64" },
    { name: "payloadHash", type: "bytes32" },
  ],
} as const;

/**
 * What a message is; `payload` is hashed into `payloadHash`. Nodes sign the first four;
 * a host agent signs `agent-hello` with one of its nodes' keys, and the coordinator
 * signs `control` (nodeId = the host id) with its control key. The kind is part of the
 * signed struct, so a message of one kind is never accepted as another.
 */
export type NodeMessageKind = "register" | "heartbeat" | "update" | "probe" | "agent-hello" | "control";

/** The signed struct. */
export type NodeMessageFields = { kind: NodeMessageKind; nodeId: string; seq: number; sentAt: number; payloadHash: Hex };

/** A message as it travels: the struct's fields, the payload string and the signature. */
export type SignedNodeMessage<K extends NodeMessageKind = NodeMessageKind> = { kind: K; nodeId: string; seq: number; sentAt: number; payload: string; signature: Hex };

const TYPEHASH = keccak256(stringToBytes("NodeMessage(string kind,string nodeId,uint64 seq,uint64 sentAt,bytes32 payloadHash)"), "bytes");
const DOMAIN_SEPARATOR = hexToBytes(hashDomain({ domain: nodeMessageDomain, types: { EIP712Domain: [{ name: "name", type: "string" }, { name: "version", type: "string" }] } }));

// keccak256 in JS is the slowest step of verifying a message; the hashed strings
// repeat (four kinds, a few hundred node ids, the same keys), so their hashes are kept.
// Bounded: a flood of made-up node ids cannot grow the caches without limit.
const CACHE_LIMIT = 100_000;
const stringHashes = new Map<string, Uint8Array>();
function hashString(value: string): Uint8Array {
  let hash = stringHashes.get(value);
  if (!hash) {
    hash = keccak256(stringToBytes(value), "bytes");
    if (stringHashes.size >= CACHE_LIMIT) stringHashes.clear();
    stringHashes.set(value, hash);
  }
  return hash;
}
const addresses = new Map<string, Address>();
function addressOfPublicKey(publicKey: Uint8Array): Address {
  const key = Buffer.from(publicKey).toString("base64");
  let address = addresses.get(key);
  if (!address) {
    address = getAddress(`0x${keccak256(publicKey.subarray(1)).slice(-40)}`);
    if (addresses.size >= CACHE_LIMIT) addresses.clear();
    addresses.set(key, address);
  }
  return address;
}

/** SHA-256 of the payload's UTF-8 bytes, as 0x-hex. */
export function hashPayload(payload: string): Hex {
  return `0x${createHash("sha256").update(payload, "utf8").digest("hex")}`;
}

/**
 * The EIP-712 digest of a node message, computed on raw bytes (viem's generic
 * `hashTypedData` gives the same result, checked by a test, but costs several times
 * more per call, and the coordinator verifies every heartbeat of every node).
 */
export function nodeMessageDigest(fields: NodeMessageFields): Uint8Array {
  const struct = new Uint8Array(192);
  struct.set(TYPEHASH, 0);
  struct.set(hashString(fields.kind), 32);
  struct.set(hashString(fields.nodeId), 64);
  const view = new DataView(struct.buffer);
  view.setBigUint64(96 + 24, BigInt(fields.seq), false);
  view.setBigUint64(128 + 24, BigInt(fields.sentAt), false);
  struct.set(hexToBytes(fields.payloadHash), 160);
  return typedDataDigest(DOMAIN_SEPARATOR, struct);
}

/** A node's message signer: its address and a function that signs node messages. */
export type NodeMessageSigner = {
  readonly address: Address;
  /**
   * Signs `payload` as a message of `kind`.
   * @param kind - what the message is.
   * @param nodeId - the sending node.
   * @param seq - strictly increasing per node (the coordinator refuses replays).
   * @param payload - the JSON string to send.
   */
  sign<K extends NodeMessageKind>(kind: K, nodeId: string, seq: number, payload: string): SignedNodeMessage<K>;
};

/**
 * The address of a secp256k1 private key (keccak256 of the uncompressed public key).
 * @param privateKey - 32 bytes of hex.
 */
export function addressOfKey(privateKey: Hex): Address {
  const publicKey = secp.pointFromScalar(hexToBytes(privateKey), false);
  if (!publicKey) throw new RangeError("not a valid secp256k1 private key");
  return getAddress(`0x${keccak256(publicKey.subarray(1)).slice(-40)}`);
}

/**
 * Creates a signer for node messages.
 *
 * @param privateKey - the node's 32-byte secp256k1 key.
 * @param now - the clock `sentAt` comes from (a clock-skew test moves it); default `Date.now`.
 * @example
 * import { createNodeMessageSigner } from "./nodeMessage.ts";
 * const signer = createNodeMessageSigner("0x…");
 * const message = signer.sign("heartbeat", "node-001", 1, JSON.stringify({ bootId }));
 */
export function createNodeMessageSigner(privateKey: Hex, now: () => number = Date.now): NodeMessageSigner {
  const secret = hexToBytes(privateKey);
  const address = addressOfKey(privateKey);
  return {
    address,
    sign(kind, nodeId, seq, payload) {
      const sentAt = now();
      const digest = nodeMessageDigest({ kind, nodeId, seq, sentAt, payloadHash: hashPayload(payload) });
      const { signature, recoveryId } = secp.signRecoverable(digest, secret);
      const out = new Uint8Array(65);
      out.set(signature, 0);
      out[64] = 27 + recoveryId;
      return { kind, nodeId, seq, sentAt, payload, signature: bytesToHex(out) };
    },
  };
}

/**
 * Recovers who signed a node message, or `null` when the signature is malformed.
 *
 * @param message - the message as received.
 * @returns the signer's checksummed address, or `null`.
 */
export function recoverNodeMessageSigner(message: SignedNodeMessage): Address | null {
  if (!/^0x[0-9a-fA-F]{130}$/.test(message.signature)) return null;
  if (!Number.isSafeInteger(message.seq) || message.seq < 0 || !Number.isSafeInteger(message.sentAt) || message.sentAt < 0) return null;
  const bytes = hexToBytes(message.signature);
  const v = bytes[64] as number;
  const recoveryId = v >= 27 ? v - 27 : v;
  if (recoveryId !== 0 && recoveryId !== 1) return null;
  try {
    const digest = nodeMessageDigest({ kind: message.kind, nodeId: message.nodeId, seq: message.seq, sentAt: message.sentAt, payloadHash: hashPayload(message.payload) });
    const publicKey = secp.recover(digest, bytes.subarray(0, 64), recoveryId, false);
    if (!publicKey) return null;
    return addressOfPublicKey(publicKey);
  } catch {
    return null;
  }
}
