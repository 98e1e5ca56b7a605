import { formatRelative, formatTimestamp } from "../../../../lib/format.ts";
import type { ProposalSummary } from "../../../../lib/readProposals.ts";

/** Proposed → voting opens → voting closes → queued (eta) → executed, with countdowns on the chain's clock. */
export function ProposalTimeline({ proposal: p, now, createdBlock }: { proposal: ProposalSummary; now: bigint | undefined; createdBlock: bigint | undefined }) {
  const at = (t: bigint) => (
    <>
      {formatTimestamp(t)}
      {now !== undefined ? <span className="muted"> ({formatRelative(t, now)})</span> : null}
    </>
  );
  const steps: Array<{ label: string; when: React.ReactNode; done: boolean }> = [
    { label: "Proposed", when: createdBlock !== undefined ? `block ${createdBlock}` : "", done: true },
    { label: "Voting opens (voting power snapshot)", when: at(p.snapshot), done: now !== undefined && now > p.snapshot },
    { label: "Voting closes", when: at(p.deadline), done: now !== undefined && now > p.deadline },
  ];
  if (p.state === "Defeated") steps.push({ label: "Defeated", when: "", done: true });
  if (p.state === "Canceled") steps.push({ label: "Canceled", when: "", done: true });
  if (p.state === "Expired") steps.push({ label: "Expired: not queued within the grace period", when: "", done: true });
  if (p.eta > 0n) steps.push({ label: "Queued; executable after the timelock", when: at(p.eta), done: now !== undefined && now >= p.eta });
  else if (["Pending", "Active", "Succeeded"].includes(p.state)) steps.push({ label: "Queue in the timelock", when: "", done: false });
  steps.push({ label: "Executed", when: "", done: p.state === "Executed" });
  return (
    <ol className="timeline" data-testid="timeline">
      {steps.map((step) => (
        <li key={step.label} className={step.done ? "done" : undefined}>
          <strong>{step.label}</strong>
          {step.done ? <span className="visually-hidden"> (done)</span> : null}
          <div className="small">{step.when}</div>
        </li>
      ))}
    </ol>
  );
}
