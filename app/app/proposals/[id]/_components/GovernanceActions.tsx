"use client";

import { useAccount } from "wagmi";
import { useSendGovernanceTransaction } from "../../../../hooks/useSendGovernanceTransaction.ts";
import { useSynodConfig } from "../../../../hooks/useSynodConfig.ts";
import { useSynodReadClient } from "../../../../hooks/useSynodReadClient.ts";
import { formatRelative } from "../../../../lib/format.ts";
import type { ProposalSummary } from "../../../../lib/readProposals.ts";
import { TransactionStatusLine } from "./TransactionStatusLine.tsx";

/** Queue (after it succeeded) and Execute (after the timelock): anyone may press them. */
export function GovernanceActions({ proposal: p, now }: { proposal: ProposalSummary; now: bigint | undefined }) {
  const { address, chainId } = useAccount();
  const { targetChainId } = useSynodConfig();
  const { contracts } = useSynodReadClient();
  const tx = useSendGovernanceTransaction();
  if (!contracts || (p.state !== "Succeeded" && p.state !== "Queued")) return null;
  const busy = tx.status.phase === "signing" || tx.status.phase === "mining";
  const canSend = Boolean(address) && chainId === targetChainId && !busy;
  const ready = p.state === "Queued" && now !== undefined && now >= p.eta;
  return (
    <div>
      <h3>Next step</h3>
      {p.state === "Succeeded" ? (
        <>
          <p className="small">The proposal passed. Queue it in the timelock; it can be executed once the delay has passed.</p>
          <button
            type="button"
            disabled={!canSend}
            onClick={() => void tx.send({ ...contracts.MeshGovernor, functionName: "queue", args: [p.id], chainId: targetChainId })}
          >
            Queue
          </button>
        </>
      ) : (
        <>
          <p className="small">
            Queued. {ready ? "The timelock delay has passed: it can be executed now." : `Executable ${now !== undefined ? formatRelative(p.eta, now) : "after the timelock delay"}.`}
          </p>
          <button
            type="button"
            disabled={!canSend || !ready}
            onClick={() => void tx.send({ ...contracts.MeshGovernor, functionName: "execute", args: [p.id], chainId: targetChainId })}
          >
            Execute
          </button>
        </>
      )}
      {!address ? <p className="small muted">Connect a wallet to send it (anyone may).</p> : null}
      <TransactionStatusLine status={tx.status} />
    </div>
  );
}
