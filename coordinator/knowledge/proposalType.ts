/**
 * A proposal's type, derived from its actions by the governor's rule
 * (`GovernorProposalTypes.actionsType`): **routine** iff every action calls the
 * KnowledgeRegistry with no value and one of `recordEpoch`, `record`, `recordBatch`;
 * anything else (MeshPolicy, bans, `revoke`, `supersede`, other targets) needs the
 * **full** quorum vote. Routine proposals pass unless vetoed.
 */
import { getAddress, toFunctionSelector, type Abi, type AbiFunction, type Address, type Hex } from "viem";
import { knowledgeRegistryAbi } from "../chain/abis.ts";

export type ProposalType = "routine" | "full";

/** `IGovernorProposalTypes.ProposalType` numbers. */
export const PROPOSAL_TYPES = ["full", "routine"] as const satisfies readonly ProposalType[];

const ROUTINE_FUNCTIONS = ["recordEpoch", "record", "recordBatch"];

const ROUTINE_SELECTORS: ReadonlySet<Hex> = new Set(
  (knowledgeRegistryAbi as Abi)
    .filter((item): item is AbiFunction => item.type === "function" && ROUTINE_FUNCTIONS.includes(item.name))
    .map((item) => toFunctionSelector(item)),
);

/**
 * @param actions - the proposal's calls (values are 0).
 * @param registry - the KnowledgeRegistry bound to the governor.
 */
export function proposalTypeOf(actions: ReadonlyArray<{ target: Address; data: Hex; value?: bigint }>, registry: Address): ProposalType {
  if (actions.length === 0) return "full";
  const routine = actions.every(
    (action) => getAddress(action.target) === getAddress(registry) && (action.value ?? 0n) === 0n && action.data.length >= 10 && ROUTINE_SELECTORS.has(action.data.slice(0, 10).toLowerCase() as Hex),
  );
  return routine ? "routine" : "full";
}
