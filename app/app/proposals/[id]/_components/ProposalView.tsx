"use client";

import Link from "next/link";
import { useAccount } from "wagmi";
import { Markdown } from "../../../../components/Markdown.tsx";
import { ProposalTypeBadge } from "../../../../components/ProposalTypeBadge.tsx";
import { StateBadge } from "../../../../components/StateBadge.tsx";
import { useChainTime } from "../../../../hooks/useChainTime.ts";
import { useProposal } from "../../../../hooks/useProposal.ts";
import { useProposalTexts } from "../../../../hooks/useProposalTexts.ts";
import { useSynodReadClient } from "../../../../hooks/useSynodReadClient.ts";
import { decodeProposalActions } from "../../../../lib/decodeProposalActions.ts";
import { shortAddress, shortId } from "../../../../lib/format.ts";
import { proposalTitle } from "../../../../lib/proposalState.ts";
import { descriptionMatches } from "../../../../lib/readProposals.ts";
import { summarizeProposal } from "../../../../lib/summarizeProposal.ts";
import { GovernanceActions } from "./GovernanceActions.tsx";
import { KnowledgeSummary } from "./KnowledgeSummary.tsx";
import { ProposalTimeline } from "./ProposalTimeline.tsx";
import { Tally } from "./Tally.tsx";
import { Voters } from "./Voters.tsx";
import { VotePanel } from "./VotePanel.tsx";

function parseId(id: string): bigint | undefined {
  return /^\d{1,78}$/.test(id) ? BigInt(id) : undefined;
}

/**
 * One proposal: its state and the vote (or, for a routine proposal, veto) form first,
 * then the summary (type, records per kind, headline records, decoded actions), the
 * timeline, the description and the voters.
 */
export function ProposalView({ id: rawId }: { id: string }) {
  const id = parseId(rawId);
  const { address } = useAccount();
  const { contracts } = useSynodReadClient();
  const proposal = useProposal({ id, account: address });
  const texts = useProposalTexts();
  const { now } = useChainTime();

  if (id === undefined) return <p className="notice bad">“{rawId}” is not a proposal id.</p>;
  if (proposal.error) {
    return (
      <p className="notice bad" role="alert">
        Proposal {shortId(id)} could not be read: {proposal.error.message.split("\n")[0]}
      </p>
    );
  }
  if (!proposal.data || !contracts) return <p>Loading proposal {shortId(id)}…</p>;
  const p = proposal.data;
  const text = texts.data?.get(id);
  const matches = text ? descriptionMatches(text.description, p.descriptionHash) : false;
  const actions = decodeProposalActions({ targets: p.targets, values: p.values, calldatas: p.calldatas, contracts });
  const summary = summarizeProposal({ targets: p.targets, calldatas: p.calldatas, contracts });

  return (
    <article>
      <p className="small">
        <Link href="/">← All proposals</Link>
      </p>
      <div className="row">
        <StateBadge state={p.state} />
        <ProposalTypeBadge type={p.type} />
        <h1 style={{ margin: 0 }}>{(matches && proposalTitle(text?.description)) || `Proposal ${shortId(id)}`}</h1>
      </div>
      <p className="small muted">
        Proposal <span className="mono">{id.toString()}</span> by <span className="mono">{shortAddress(p.proposer)}</span>
      </p>

      <div className="grid">
        <section className="card" aria-labelledby="vote-heading">
          <h2 id="vote-heading">{p.type === "Routine" ? "Veto" : "Your vote"}</h2>
          <VotePanel proposal={p} now={now} />
          <GovernanceActions proposal={p} now={now} />
        </section>
        <section className="card" aria-labelledby="tally-heading">
          <h2 id="tally-heading">Votes</h2>
          <Tally proposal={p} />
        </section>
      </div>

      <section className="card" aria-labelledby="summary-heading">
        <h2 id="summary-heading">What it does</h2>
        <p className="small">
          <ProposalTypeBadge type={p.type} />{" "}
          {p.type === "Routine"
            ? "Routine: it only writes knowledge to the registry, so it needs no quorum and passes unless vetoed."
            : "Full vote: it needs quorum and more For than Against votes."}
        </p>
        <KnowledgeSummary summary={summary} />
        <h3>Actions</h3>
        <ol data-testid="decoded-actions" className="break">
          {actions.flatMap((a, i) =>
            a.lines.map((line, j) => (
              <li key={`${i}-${j}`}>
                {line}
                <span className="small muted"> — {a.contract}{a.functionName ? `.${a.functionName}` : ""}</span>
              </li>
            )),
          )}
        </ol>
      </section>

      <section className="card" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <ProposalTimeline proposal={p} now={now} createdBlock={text?.blockNumber} />
      </section>

      <section className="card" aria-labelledby="description-heading">
        <h2 id="description-heading">Description</h2>
        {text ? (
          matches ? (
            <>
              <p className="small muted">The text below matches the description hash stored on chain.</p>
              <div data-testid="proposal-description">
                <Markdown source={text.description} />
              </div>
            </>
          ) : (
            <p className="notice bad">The description found does not match the hash stored on chain; it is not shown.</p>
          )
        ) : (
          <p className="muted">
            {texts.isPending ? "Loading the description…" : "The description was not found in the recent blocks searched (only its hash is stored on chain)."}
          </p>
        )}
      </section>

      <section className="card" aria-labelledby="voters-heading">
        <h2 id="voters-heading">Voters</h2>
        <Voters proposalId={id} />
      </section>
    </article>
  );
}
