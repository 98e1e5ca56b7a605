"use client";

import { useProposalVotes } from "../../../../hooks/useProposalVotes.ts";
import { useSynodConfig } from "../../../../hooks/useSynodConfig.ts";
import { formatVotes, shortAddress } from "../../../../lib/format.ts";

const SUPPORT = ["Against", "For", "Abstain"] as const;

/** Who voted how, with their reasons (VoteCast events over a bounded block range). */
export function Voters({ proposalId }: { proposalId: bigint }) {
  const votes = useProposalVotes({ proposalId });
  const { logBlockRange } = useSynodConfig();
  if (votes.isPending) return <p>Loading votes…</p>;
  if (votes.error) return <p className="notice bad">Could not read votes: {votes.error.message.split("\n")[0]}</p>;
  if (votes.data.length === 0) return <p className="muted">No votes found in the last {logBlockRange} blocks.</p>;
  return (
    <div className="table-scroll">
      <table data-testid="voters">
        <thead>
          <tr>
            <th scope="col">Voter</th>
            <th scope="col">Vote</th>
            <th scope="col">Weight</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {votes.data.map((vote) => (
            <tr key={vote.transactionHash}>
              <td className="mono" title={vote.voter}>{shortAddress(vote.voter)}</td>
              <td>{SUPPORT[vote.support]}</td>
              <td>{formatVotes(vote.weight)}</td>
              <td style={{ whiteSpace: "pre-wrap" }}>{vote.reason || <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
