import type { Address } from "viem";
import { hashUpdate, recoverUpdateSigner } from "../../mesh/nodeIdentity.ts";
import type { SignedUpdate } from "../client.ts";

/** Why an update was rejected. */
export type RejectionReason =
  | "hash-mismatch"
  | "bad-signature"
  | "wrong-round"
  | "wrong-model-version"
  | "replay"
  | "wrong-shape"
  | "non-finite"
  | "bad-example-count"
  | "late";

/**
 * Reasons the node provably caused: the update was correctly signed by it, so its
 * trust may be lowered. A bad signature or hash may come from anyone on the path, so
 * it is counted but never held against the node it names.
 */
export const ATTRIBUTABLE_REASONS: ReadonlySet<RejectionReason> = new Set(["wrong-shape", "non-finite", "bad-example-count"]);

/** Outcome of {@link validateUpdate}. */
export type ValidationResult = { ok: true } | { ok: false; reason: RejectionReason; detail: string };

/** What the coordinator expects of an update this round. */
export type ValidationExpectation = {
  round: number;
  modelVersion: number;
  numParams: number;
  /** The address registered for `update.nodeId`. */
  address: Address;
  /** Largest believable example count (a node cannot claim more data than exists). */
  maxExamples: number;
};

/**
 * Remembers signatures already accepted, so a captured update cannot be submitted
 * twice. Keeps the last `maxRounds` rounds of signatures.
 */
export class ReplayGuard {
  readonly maxRounds: number;
  #byRound = new Map<number, Set<string>>();

  constructor(options: { maxRounds?: number } = {}) {
    this.maxRounds = options.maxRounds ?? 64;
  }

  /** Whether this signature was already seen. */
  has(signature: string): boolean {
    for (const seen of this.#byRound.values()) if (seen.has(signature.toLowerCase())) return true;
    return false;
  }

  /** Records a signature as used in `round`, forgetting rounds older than `maxRounds`. */
  add(round: number, signature: string): void {
    let seen = this.#byRound.get(round);
    if (!seen) this.#byRound.set(round, (seen = new Set()));
    seen.add(signature.toLowerCase());
    for (const r of this.#byRound.keys()) if (r <= round - this.maxRounds) this.#byRound.delete(r);
  }
}

/**
 * Checks one update before aggregation, in order: content hash, signature (EIP-712,
 * recovered address = registered address), round, model version, replay, shape,
 * finiteness, example count. Returns the first failure; on success the signature is
 * recorded in `replayGuard`.
 *
 * @param update - the client's signed update.
 * @param expected - this round's expectations for that node.
 * @param replayGuard - shared across rounds.
 * @returns `{ ok: true }` or `{ ok: false, reason, detail }`.
 */
export function validateUpdate(update: SignedUpdate, expected: ValidationExpectation, replayGuard: ReplayGuard): ValidationResult {
  const fail = (reason: RejectionReason, detail: string): ValidationResult => ({ ok: false, reason, detail });
  if (!(update.params instanceof Float32Array)) return fail("wrong-shape", "params is not a Float32Array");
  if (hashUpdate(update.params, update.numExamples) !== update.updateHash) return fail("hash-mismatch", "updateHash does not match params and numExamples");
  const signer = recoverUpdateSigner({ round: update.round, modelVersion: update.modelVersion, updateHash: update.updateHash }, update.signature);
  if (!signer) return fail("bad-signature", "signature is malformed");
  if (signer !== expected.address) return fail("bad-signature", `signed by ${signer}, node is registered as ${expected.address}`);
  if (update.round !== expected.round) return fail("wrong-round", `update is for round ${update.round}, current round is ${expected.round}`);
  if (update.modelVersion !== expected.modelVersion) return fail("wrong-model-version", `trained on version ${update.modelVersion}, current is ${expected.modelVersion}`);
  if (replayGuard.has(update.signature)) return fail("replay", "this signed update was already submitted");
  if (update.params.length !== expected.numParams) return fail("wrong-shape", `expected ${expected.numParams} parameters, got ${update.params.length}`);
  const p = update.params;
  for (let j = 0; j < p.length; j++) {
    const v = p[j] as number;
    // v - v is NaN for NaN and ±Infinity, 0 otherwise: one test for both.
    if (v - v !== 0) return fail("non-finite", `parameter ${j} is ${v}`);
  }
  if (!Number.isInteger(update.numExamples) || update.numExamples < 1 || update.numExamples > expected.maxExamples) {
    return fail("bad-example-count", `numExamples ${update.numExamples} is not an integer in [1, ${expected.maxExamples}]`);
  }
  replayGuard.add(expected.round, update.signature);
  return { ok: true };
}
