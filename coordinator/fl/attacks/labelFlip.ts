import type { Attack, AttackContext } from "./attack.ts";

/**
 * Label flip: trains honestly on labels mapped y → C − 1 − y (data poisoning;
 * Tolpegin et al. 2020, "Data Poisoning Attacks Against Federated Learning Systems").
 */
export function createLabelFlip(): Attack {
  return {
    kind: "label-flip",
    labelTransform: (label, numClasses) => numClasses - 1 - label,
    poison: ({ honest }: AttackContext) => honest,
  };
}
