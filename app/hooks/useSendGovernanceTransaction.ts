"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { BaseError, type Hex } from "viem";
import { useConfig, useWriteContract } from "wagmi";
import { waitForTransactionReceipt } from "wagmi/actions";

export type TransactionStatus =
  | { phase: "idle" }
  | { phase: "signing" }
  | { phase: "mining"; hash: Hex }
  | { phase: "done"; hash: Hex }
  | { phase: "failed"; message: string };

export type UseSendGovernanceTransactionReturnType = {
  status: TransactionStatus;
  /** Sends a contract write, waits for its receipt, then refreshes every Synod read. */
  send: (request: Parameters<ReturnType<typeof useWriteContract>["writeContractAsync"]>[0]) => Promise<void>;
};

/** Human message for a failed write: the viem error's short message (as scaffold-eth's getParsedError). */
export function transactionErrorMessage(error: unknown): string {
  if (error instanceof BaseError) {
    const revert = error.walk((e) => (e as { data?: { errorName?: string } }).data?.errorName !== undefined) as
      | { data?: { errorName?: string } }
      | null;
    return revert?.data?.errorName ? `${error.shortMessage} (${revert.data.errorName})` : error.shortMessage;
  }
  return error instanceof Error ? error.message : String(error);
}

/** One governance transaction (vote, queue, execute, delegate) with its progress. */
export function useSendGovernanceTransaction(): UseSendGovernanceTransactionReturnType {
  const config = useConfig();
  const queryClient = useQueryClient();
  const { writeContractAsync } = useWriteContract();
  const [status, setStatus] = useState<TransactionStatus>({ phase: "idle" });
  return {
    status,
    send: async (request) => {
      setStatus({ phase: "signing" });
      try {
        const hash = await writeContractAsync(request);
        setStatus({ phase: "mining", hash });
        const receipt = await waitForTransactionReceipt(config, { hash });
        if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
        setStatus({ phase: "done", hash });
        await queryClient.invalidateQueries({ queryKey: ["synod"] });
      } catch (error) {
        setStatus({ phase: "failed", message: transactionErrorMessage(error) });
      }
    },
  };
}
