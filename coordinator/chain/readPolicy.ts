/**
 * Reads MeshPolicy in one call: every parameter by name, and the banned node keys.
 */
import { hexToString, type Address } from "viem";
import type { ChainClient } from "./createChainClient.ts";
import { toChainError } from "./createChainClient.ts";

export type PolicySnapshot = { parameters: Record<string, bigint>; banned: Address[] };

/** @throws {ChainUnavailableError} when the chain does not answer. */
export async function readPolicy(chain: ChainClient): Promise<PolicySnapshot> {
  try {
    const [parameters, banned] = await Promise.all([chain.contracts.policy.read.parameters(), chain.contracts.policy.read.bannedNodes()]);
    return {
      parameters: Object.fromEntries(parameters.map((p) => [hexToString(p.name, { size: 32 }), p.value])),
      banned: [...banned],
    };
  } catch (error) {
    throw toChainError(error, chain.rpcUrl);
  }
}
