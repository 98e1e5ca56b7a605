"use client";

import { useConnectModal } from "@rainbow-me/rainbowkit";
import Link from "next/link";
import { useState } from "react";
import { useAccount } from "wagmi";
import { useSendGovernanceTransaction } from "../../../../hooks/useSendGovernanceTransaction.ts";
import { useSynodConfig } from "../../../../hooks/useSynodConfig.ts";
import { useSynodReadClient } from "../../../../hooks/useSynodReadClient.ts";
import { useVotesAt } from "../../../../hooks/useVotesAt.ts";
import { formatVotes } from "../../../../lib/format.ts";
import type { ProposalSummary } from "../../../../lib/readProposals.ts";
import { TransactionStatusLine } from "./TransactionStatusLine.tsx";

const CHOICES = [
  { value: 1, label: "For" },
  { value: 0, label: "Against" },
  { value: 2, label: "Abstain" },
] as const;

/**
 * Vote For / Against / Abstain with an optional reason, showing what the vote weighs.
 * A routine proposal passes unless vetoed, so its form is a veto: one Against vote.
 */
export function VotePanel({ proposal: p, now }: { proposal: ProposalSummary; now: bigint | undefined }) {
  const { address, chainId } = useAccount();
  const { targetChainId } = useSynodConfig();
  const { contracts } = useSynodReadClient();
  const { openConnectModal } = useConnectModal();
  const weight = useVotesAt({ account: address, timepoint: p.snapshot, past: now !== undefined && now > p.snapshot });
  const tx = useSendGovernanceTransaction();
  const [support, setSupport] = useState<0 | 1 | 2>(1);
  const [reason, setReason] = useState("");

  if (p.state !== "Active") {
    return <p className="muted">{p.state === "Pending" ? "Voting has not opened yet." : "Voting is closed."}{p.hasVoted ? " You voted on this proposal." : ""}</p>;
  }
  if (!address) {
    return (
      <p>
        <button type="button" onClick={openConnectModal}>
          {p.type === "Routine" ? "Connect a wallet to veto" : "Connect a wallet to vote"}
        </button>
      </p>
    );
  }
  if (p.hasVoted || tx.status.phase === "done") {
    return (
      <p className="notice good" data-testid="voted">
        You voted on this proposal.
      </p>
    );
  }
  const zero = weight.data === 0n;
  const routine = p.type === "Routine";
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (!contracts) return;
        void tx.send({
          ...contracts.MeshGovernor,
          functionName: "castVoteWithReason",
          args: [p.id, routine ? 0 : support, reason],
          chainId: targetChainId,
        });
      }}
    >
      <p className="small">
        Your vote weighs{" "}
        <strong data-testid="vote-weight">{weight.data !== undefined ? formatVotes(weight.data) : "…"}</strong>: your voting power at the snapshot, when voting opened.
      </p>
      {zero ? (
        <p className="notice">
          You had no voting power at this proposal’s snapshot. Tokens count only once delegated (to yourself or someone else), and only
          for proposals whose snapshot comes after the delegation. <Link href="/delegate">Delegate now</Link> for future proposals.
        </p>
      ) : null}
      {routine ? (
        <p data-testid="veto-form">
          This routine proposal only writes knowledge to the registry: it passes by itself unless Against votes reach{" "}
          <strong>{formatVotes(p.vetoThreshold)}</strong> (the veto threshold) before voting closes; they stand at {formatVotes(p.votes.against)}.
          Vote against only to stop it.
        </p>
      ) : (
        <fieldset>
          <legend>Choice</legend>
          <div className="row">
            {CHOICES.map((choice) => (
              <label key={choice.value} style={{ fontWeight: 400 }}>
                <input
                  type="radio"
                  name="support"
                  value={choice.value}
                  checked={support === choice.value}
                  onChange={() => setSupport(choice.value)}
                  style={{ minHeight: "auto" }}
                />{" "}
                {choice.label}
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <label htmlFor="vote-reason">Reason (optional, public, stored in the vote event)</label>
      <textarea id="vote-reason" value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
      <p>
        <button type="submit" disabled={tx.status.phase === "signing" || tx.status.phase === "mining" || chainId !== targetChainId}>
          {routine ? "Vote against to veto" : "Cast vote"}
        </button>
      </p>
      <TransactionStatusLine status={tx.status} />
    </form>
  );
}
