import { encodeAbiParameters, keccak256, toHex, type Address, type Hex } from "viem";

/** One call of a Governor proposal (value is always 0: Synod's proposals move no ether). */
export type ProposalAction = { target: Address; data: Hex };

/**
 * `Governor.hashProposal(targets, values, calldatas, keccak256(description))`, computed
 * offline: the keeper knows a proposal's id before it sends it, so it can store it first
 * and ask the governor about it after a crash.
 */
export function hashProposal(actions: readonly ProposalAction[], description: string): bigint {
  return BigInt(
    keccak256(
      encodeAbiParameters(
        [{ type: "address[]" }, { type: "uint256[]" }, { type: "bytes[]" }, { type: "bytes32" }],
        [actions.map((a) => a.target), actions.map(() => 0n), actions.map((a) => a.data), keccak256(toHex(description))],
      ),
    ),
  );
}
