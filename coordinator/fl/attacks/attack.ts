import type { Rng } from "../random.ts";

/** Wire names of the attacks a node can be turned to (the chaos engine uses these). */
export type AttackKind = "sign-flip" | "gaussian-noise" | "scaling" | "label-flip" | "alie" | "nan-injection";

/** What a Byzantine node knows when it crafts its update. */
export type AttackContext = {
  round: number;
  /** The global parameters it was sent. */
  global: Float32Array;
  /** What honest local training produced (with poisoned labels for label flip). */
  honest: Float32Array;
  rng: Rng;
};

/**
 * A Byzantine behaviour. `poison` maps the honest result to the update actually sent;
 * `labelTransform`, when present, is applied to labels before local training.
 */
export interface Attack {
  readonly kind: AttackKind;
  labelTransform?(label: number, numClasses: number): number;
  poison(context: AttackContext): Float32Array;
}
