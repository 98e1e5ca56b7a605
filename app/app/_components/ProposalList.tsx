"use client";

import Link from "next/link";
import { useMemo, useState } from "react";
import { useAccount } from "wagmi";
import { ProposalTypeBadge } from "../../components/ProposalTypeBadge.tsx";
import { StateBadge } from "../../components/StateBadge.tsx";
import { useChainTime } from "../../hooks/useChainTime.ts";
import { useProposals } from "../../hooks/useProposals.ts";
import { useProposalTexts } from "../../hooks/useProposalTexts.ts";
import { useSynodReadClient } from "../../hooks/useSynodReadClient.ts";
import { decodeProposalActions } from "../../lib/decodeProposalActions.ts";
import { formatPercent, formatRelative, shortAddress, shortId } from "../../lib/format.ts";
import { matchesProposal, PROPOSAL_FILTERS, proposalTitle, type ProposalFilter } from "../../lib/proposalState.ts";
import { descriptionMatches } from "../../lib/readProposals.ts";

const FILTER_LABELS: Record<ProposalFilter, string> = {
  all: "All",
  active: "Active",
  "needs-my-vote": "Needs my vote",
  succeeded: "Succeeded",
  queued: "Queued",
  executed: "Executed",
  defeated: "Defeated",
};

/** The proposals list: state and type badges, filters, search. */
export function ProposalList() {
  const { address } = useAccount();
  const { contracts } = useSynodReadClient();
  const proposals = useProposals({ account: address });
  const texts = useProposalTexts();
  const { now } = useChainTime();
  const [filter, setFilter] = useState<ProposalFilter>("all");
  const [query, setQuery] = useState("");

  const rows = useMemo(() => {
    if (!proposals.data || !contracts) return [];
    return proposals.data.map((p) => {
      const text = texts.data?.get(p.id);
      const trusted = text && descriptionMatches(text.description, p.descriptionHash) ? text.description : undefined;
      const actions = decodeProposalActions({ targets: p.targets, values: p.values, calldatas: p.calldatas, contracts });
      const lines = actions.flatMap((a) => a.lines);
      return {
        proposal: p,
        title: proposalTitle(trusted) ?? `Proposal ${shortId(p.id)}`,
        summary: lines.slice(0, 2).join("; ") + (lines.length > 2 ? `; and ${lines.length - 2} more` : ""),
        searchText: [trusted ?? "", lines.join(" "), p.id.toString(), p.proposer].join(" "),
      };
    });
  }, [proposals.data, texts.data, contracts]);

  const visible = rows.filter((r) =>
    matchesProposal({ state: r.proposal.state, hasVoted: r.proposal.hasVoted, text: r.searchText }, filter, query),
  );

  return (
    <>
      <h1>Proposals</h1>
      <div className="row">
        <label htmlFor="proposal-search">Search</label>
        <input
          id="proposal-search"
          type="search"
          placeholder="title, action, CID, id…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      <div className="filters" role="group" aria-label="Filter by state">
        {PROPOSAL_FILTERS.map((f) => (
          <button
            key={f}
            type="button"
            aria-pressed={filter === f}
            onClick={() => setFilter(f)}
            disabled={f === "needs-my-vote" && !address}
            title={f === "needs-my-vote" && !address ? "Connect a wallet to see what needs your vote" : undefined}
          >
            {FILTER_LABELS[f]}
          </button>
        ))}
      </div>
      {proposals.isPending ? <p>Loading proposals from the chain…</p> : null}
      {proposals.error ? (
        <p className="notice bad" role="alert">
          Could not read proposals: {proposals.error.message.split("\n")[0]}
        </p>
      ) : null}
      {proposals.data && visible.length === 0 ? (
        <p className="muted">{proposals.data.length === 0 ? "No proposals yet." : "No proposal matches."}</p>
      ) : null}
      <ul className="proposal-list" aria-live="polite">
        {visible.map(({ proposal: p, title, summary }) => {
          const cast = p.votes.for + p.votes.against + p.votes.abstain;
          return (
            <li key={p.id.toString()} className="card" data-testid="proposal-row">
              <div className="row">
                <StateBadge state={p.state} />
                <ProposalTypeBadge type={p.type} />
                <Link className="title" href={`/proposals/${p.id}`}>
                  {title}
                </Link>
              </div>
              <p className="small" style={{ margin: "0.35rem 0" }}>
                {summary || "No actions"}
              </p>
              <p className="small muted" style={{ margin: 0 }}>
                {shortId(p.id)} by {shortAddress(p.proposer)} · For {formatPercent(p.votes.for, cast)} of {cast > 0n ? "votes cast" : "no votes yet"}
                {now !== undefined && p.state === "Active" ? ` · ends ${formatRelative(p.deadline, now)}` : ""}
                {now !== undefined && p.state === "Pending" ? ` · voting starts ${formatRelative(p.snapshot + 1n, now)}` : ""}
                {p.hasVoted ? " · you voted" : ""}
              </p>
            </li>
          );
        })}
      </ul>
    </>
  );
}
