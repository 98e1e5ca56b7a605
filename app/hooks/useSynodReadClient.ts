"use client";

import type { PublicClient } from "viem";
import { usePublicClient } from "wagmi";
import { contractsFor, type SynodContracts } from "../lib/contracts.ts";
import { useSynodConfig } from "./useSynodConfig.ts";

export type UseSynodReadClientReturnType = {
  client: PublicClient | undefined;
  contracts: SynodContracts | undefined;
  chainId: number;
};

/**
 * The public client of the target chain (reads never go through the wallet, so a
 * wallet on the wrong network does not break them) and Synod's contracts there.
 */
export function useSynodReadClient(): UseSynodReadClientReturnType {
  const { targetChainId } = useSynodConfig();
  const client = usePublicClient({ chainId: targetChainId }) as PublicClient | undefined;
  return { client, contracts: contractsFor(targetChainId), chainId: targetChainId };
}
