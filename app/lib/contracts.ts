import { deployedContracts } from "../contracts/deployedContracts.ts";

/** Synod's contracts on one chain: name → { address, abi }. */
export type SynodContracts = (typeof deployedContracts)[31337];

/** The contracts deployed on `chainId`, or `undefined` when Synod has no deployment there. */
export function contractsFor(chainId: number): SynodContracts | undefined {
  return (deployedContracts as Record<number, SynodContracts | undefined>)[chainId];
}
