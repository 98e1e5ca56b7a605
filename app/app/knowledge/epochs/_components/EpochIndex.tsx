"use client";

import Link from "next/link";
import { useEpochList } from "../../../../hooks/useEpochList.ts";
import { useEpochRoots } from "../../../../hooks/useEpochRoots.ts";
import { useRecordedEpochs } from "../../../../hooks/useRecordedEpochs.ts";
import { useSynodConfig } from "../../../../hooks/useSynodConfig.ts";
import { formatTimestamp, shortId } from "../../../../lib/format.ts";
import { KNOWLEDGE_KINDS, type KnowledgeKind } from "../../../../lib/knowledge.ts";
import { CoordinatorNotice } from "../../_components/CoordinatorNotice.tsx";

const countsText = (counts: Record<KnowledgeKind, number>) =>
  KNOWLEDGE_KINDS.filter((k) => counts[k] > 0)
    .map((k) => `${counts[k]} ${k}`)
    .join(", ") || "none";

/**
 * Every epoch the keeper built (coordinator), each with whether the chain holds its
 * root; without the coordinator, the epochs ratified within the event range (chain).
 */
export function EpochIndex() {
  const { coordinatorUrl, logBlockRange } = useSynodConfig();
  const listing = useEpochList({});
  const roots = useEpochRoots({ epochs: listing.data?.epochs.map((e) => e.epoch) ?? [] });
  const recorded = useRecordedEpochs({ enabled: Boolean(listing.error) });
  return (
    <>
      <p className="small">
        <Link href="/knowledge">← Knowledge</Link>
      </p>
      <h1>Knowledge epochs</h1>
      <p className="small muted">
        One proposal ratifies a whole epoch of records through the root of a Merkle tree over them. The root, the manifest's CID and
        the counts are read from the KnowledgeRegistry; each epoch's page checks every record against that root in your browser.
      </p>
      {listing.error ? (
        <>
          <CoordinatorNotice
            error={listing.error}
            coordinatorUrl={coordinatorUrl}
            fallback={`below are the epochs the chain recorded in the last ${logBlockRange} blocks (EpochRecorded events); epochs not yet ratified are not shown.`}
          />
          {recorded.data?.length === 0 ? <p className="muted">No epoch ratified in that range.</p> : null}
          <ul className="proposal-list">
            {recorded.data?.map((e) => (
              <li key={e.epoch} className="card" data-testid="epoch-row">
                <div className="row">
                  <Link className="title" href={`/knowledge/epochs/${e.epoch}`}>
                    Epoch {e.epoch}
                  </Link>
                  <span className="badge ratified">ratified</span>
                </div>
                <p className="small" style={{ margin: "0.35rem 0" }}>
                  {countsText(e.counts)} · by <Link href={`/proposals/${e.proposalId}`}>proposal {shortId(e.proposalId)}</Link> on {formatTimestamp(e.recordedAt)}
                </p>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {listing.isPending ? <p>Loading epochs…</p> : null}
      {listing.data?.epochs.length === 0 ? <p className="muted">No epoch built yet.</p> : null}
      <ul className="proposal-list">
        {listing.data?.epochs.map((e) => {
          const root = roots.data?.get(e.epoch);
          const onChain = root === undefined ? "checking" : /^0x0*$/.test(root) ? "none" : root.toLowerCase() === e.root.toLowerCase() ? "match" : "differs";
          return (
            <li key={e.epoch} className="card" data-testid="epoch-row">
              <div className="row">
                <Link className="title" href={`/knowledge/epochs/${e.epoch}`}>
                  Epoch {e.epoch}
                </Link>
                <span className={`badge ${e.status === "ratified" ? "ratified" : e.status === "defeated" ? "revoked" : "pending-check"}`}>{e.status}</span>
                <span className={`badge type-${e.proposalType === "routine" ? "Routine" : "FullVote"}`}>{e.proposalType === "routine" ? "Routine" : "Full vote"}</span>
                {onChain === "match" ? (
                  <span className="badge in-root" data-testid="epoch-root-check">✓ root on chain</span>
                ) : onChain === "differs" ? (
                  <span className="badge not-in-root" data-testid="epoch-root-check">✗ root differs from the chain’s</span>
                ) : onChain === "none" ? (
                  <span className="badge pending-check" data-testid="epoch-root-check">no root on chain</span>
                ) : null}
              </div>
              <p className="small" style={{ margin: "0.35rem 0" }}>
                {e.records} records: {countsText(e.counts)}
                {e.outcome ? ` · ${e.outcome}` : ""} · <Link href={`/proposals/${e.proposalId}`}>proposal {shortId(BigInt(e.proposalId))}</Link> · closed{" "}
                {e.closedAt}
              </p>
            </li>
          );
        })}
      </ul>
    </>
  );
}
