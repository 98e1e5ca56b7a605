"use client";

import { useAccount, useSwitchChain } from "wagmi";
import { useSynodConfig } from "../hooks/useSynodConfig.ts";
import { contractsFor } from "../lib/contracts.ts";

/** A clear prompt when the wallet is on another chain than the DAO, or the DAO is not deployed. */
export function NetworkBanner() {
  const { targetChainId, rpcUrl } = useSynodConfig();
  const { isConnected, chainId } = useAccount();
  const { switchChain, isPending, error } = useSwitchChain();
  if (!contractsFor(targetChainId)) {
    return (
      <div className="notice bad" role="alert">
        Synod has no deployment for chain {targetChainId}. Run <code>npm run codegen</code> after deploying.
      </div>
    );
  }
  if (!isConnected || chainId === targetChainId) return null;
  return (
    <div className="notice" role="alert">
      <p style={{ margin: 0 }}>
        <strong>Wrong network.</strong> Your wallet is on chain {chainId ?? "unknown"}; Synod runs on chain {targetChainId} ({rpcUrl}).
        Reading still works, but votes and other transactions need the right network.
      </p>
      <p style={{ margin: "0.5rem 0 0" }}>
        <button type="button" onClick={() => switchChain({ chainId: targetChainId })} disabled={isPending}>
          {isPending ? "Switching…" : `Switch to chain ${targetChainId}`}
        </button>
        {error ? <span className="small"> {error.message.split("\n")[0]}</span> : null}
      </p>
    </div>
  );
}
