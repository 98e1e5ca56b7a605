import Link from "next/link";
import { KNOWLEDGE_KIND_LABELS, KNOWLEDGE_KINDS } from "../../../../lib/knowledge.ts";
import type { ProposalKnowledgeSummary } from "../../../../lib/summarizeProposal.ts";

/**
 * What a knowledge proposal ratifies, decoded from its calldata: records per kind (from
 * `recordEpoch`), the epoch with its root and manifest, and the headline records named
 * one by one, each linked to its permalink.
 */
export function KnowledgeSummary({ summary }: { summary: ProposalKnowledgeSummary }) {
  const total = KNOWLEDGE_KINDS.reduce((sum, kind) => sum + summary.counts[kind], 0);
  if (total === 0 && summary.epochs.length === 0) return null;
  return (
    <div data-testid="knowledge-summary">
      <h3>Knowledge</h3>
      <ul className="counts" data-testid="kind-counts">
        {KNOWLEDGE_KINDS.filter((kind) => summary.counts[kind] > 0).map((kind) => (
          <li key={kind} data-testid={`count-${kind}`}>
            <strong>{summary.counts[kind]}</strong>
            {KNOWLEDGE_KIND_LABELS[kind].toLowerCase()}
          </li>
        ))}
        <li className="muted">
          <strong>{total}</strong>record{total === 1 ? "" : "s"} in all
        </li>
      </ul>
      {summary.epochs.map((epoch) => (
        <p key={epoch.epoch} className="small break">
          <Link href={`/knowledge/epochs/${epoch.epoch}`} data-testid="epoch-link">
            Epoch {epoch.epoch}
          </Link>
          : every record under the Merkle root <code>{epoch.root}</code>
          {epoch.manifestCid ? (
            <>
              , listed in the manifest <code>{epoch.manifestCid}</code>
            </>
          ) : null}
          .
        </p>
      ))}
      {summary.headlines.length > 0 ? (
        <>
          <h3 className="small">Headline records</h3>
          <ul data-testid="headlines">
            {summary.headlines.map((h, i) => (
              <li key={`${h.cidHex}-${i}`} className="break">
                {h.kind ?? "unknown kind"} (round {h.round}, schema v{h.schemaVersion}){" "}
                {h.cid ? (
                  <Link href={`/knowledge/${h.cid}`} data-testid="headline-link">
                    <code>{h.cid}</code>
                  </Link>
                ) : (
                  <code>{h.cidHex}</code>
                )}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
