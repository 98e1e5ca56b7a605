import { formatPercent, formatVotes, ratio } from "../../../../lib/format.ts";
import type { ProposalSummary } from "../../../../lib/readProposals.ts";

/**
 * For / Against / Abstain with bars, then what decides the proposal: progress to quorum
 * (For + Abstain count toward it) for a full vote, Against votes against the veto
 * threshold for a routine proposal.
 */
export function Tally({ proposal: p }: { proposal: ProposalSummary }) {
  const cast = p.votes.for + p.votes.against + p.votes.abstain;
  const towardQuorum = p.votes.for + p.votes.abstain;
  const rows = [
    { label: "For", value: p.votes.for, className: "for" },
    { label: "Against", value: p.votes.against, className: "against" },
    { label: "Abstain", value: p.votes.abstain, className: "abstain" },
  ] as const;
  return (
    <div data-testid="tally">
      <div className="tally">
        {rows.map((row) => (
          <TallyRow key={row.label} {...row} share={ratio(row.value, cast)} percent={formatPercent(row.value, cast)} />
        ))}
      </div>
      {p.type === "Routine" ? <VetoProgress proposal={p} /> : <QuorumProgress proposal={p} towardQuorum={towardQuorum} />}
    </div>
  );
}

/** Against votes against the veto threshold: how far a routine proposal is from being vetoed. */
export function VetoProgress({ proposal: p }: { proposal: ProposalSummary }) {
  const against = p.votes.against;
  const missing = p.vetoThreshold > against ? p.vetoThreshold - against : 0n;
  return (
    <>
      <h3 className="small" style={{ marginBottom: "0.25rem" }}>
        Veto threshold
      </h3>
      <div
        className="bar"
        role="progressbar"
        aria-label="Progress to a veto"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(ratio(against, p.vetoThreshold) * 100)}
      >
        <span className="veto" style={{ width: `${ratio(against, p.vetoThreshold) * 100}%` }} />
      </div>
      <p className="small" data-testid="veto-threshold">
        {formatVotes(against)} against of {formatVotes(p.vetoThreshold)} that veto it ({formatPercent(against, p.vetoThreshold)})
        {missing === 0n && p.vetoThreshold > 0n ? " — vetoed" : ` — ${formatVotes(missing)} more against would veto it`}
      </p>
      <p className="small muted">No quorum needed: a routine proposal passes unless vetoed.</p>
    </>
  );
}

function QuorumProgress({ proposal: p, towardQuorum }: { proposal: ProposalSummary; towardQuorum: bigint }) {
  return (
    <>
      <h3 className="small" style={{ marginBottom: "0.25rem" }}>
        Quorum
      </h3>
      <div
        className="bar"
        role="progressbar"
        aria-label="Progress to quorum"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(ratio(towardQuorum, p.quorum) * 100)}
      >
        <span className="quorum" style={{ width: `${ratio(towardQuorum, p.quorum) * 100}%` }} />
      </div>
      <p className="small" data-testid="quorum">
        {formatVotes(towardQuorum)} of {formatVotes(p.quorum)} needed ({formatPercent(towardQuorum, p.quorum)})
        {towardQuorum >= p.quorum && p.quorum > 0n ? " — quorum reached" : ""}
      </p>
    </>
  );
}

function TallyRow({ label, value, className, share, percent }: { label: string; value: bigint; className: string; share: number; percent: string }) {
  return (
    <>
      <span>{label}</span>
      <div className="bar" role="img" aria-label={`${label}: ${percent}`}>
        <span className={className} style={{ width: `${share * 100}%` }} />
      </div>
      <span className="amount small" data-testid={`tally-${label.toLowerCase()}`}>
        {formatVotes(value)} ({percent})
      </span>
    </>
  );
}
