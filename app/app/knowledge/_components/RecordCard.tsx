"use client";

import Link from "next/link";
import { useVerifiedContent } from "../../../hooks/useVerifiedContent.ts";
import { formatRecordId } from "../../../lib/knowledge.ts";
import { formatTimestamp, shortId } from "../../../lib/format.ts";
import type { KnowledgeRecord } from "../../../lib/readKnowledge.ts";
import { cidFromHex } from "../../../lib/verifyCid.ts";
import { RecordContent } from "./RecordContent.tsx";
import { VerificationBadge } from "./VerificationBadge.tsx";

/** One record: id, CID with its verification, lineage, ratifying proposal, revocation, content. */
export function RecordCard({ record }: { record: KnowledgeRecord }) {
  const content = useVerifiedContent({ cid: record.cid });
  let cid: string;
  try {
    cid = cidFromHex(record.cid).toString();
  } catch {
    cid = record.cid;
  }
  const refKind = record.ref !== 0n ? formatRecordId(record.ref).split(" ")[0] : undefined;
  return (
    <article className="card" id={`record-${record.id}`} data-testid="record" aria-labelledby={`record-${record.id}-title`}>
      <div className="row">
        <h2 id={`record-${record.id}-title`} style={{ margin: 0 }}>
          {formatRecordId(record.id)}
        </h2>
        <span className="small muted">
          round {record.round} · schema v{record.schemaVersion}
        </span>
        {record.revokedAt > 0 ? (
          <span className="badge revoked" data-testid="revoked">
            revoked {formatTimestamp(record.revokedAt)}
          </span>
        ) : (
          <span className="badge ratified" data-testid="ratified">
            ratified
          </span>
        )}
      </div>
      <p className="small" style={{ margin: "0.5rem 0" }}>
        CID{" "}
        <Link href={`/knowledge/${cid}`} data-testid="record-link">
          <code data-testid="cid">{cid}</code>
        </Link>{" "}
        <VerificationBadge content={content.data} loading={content.isPending} />
      </p>
      <p className="small muted" style={{ margin: 0 }}>
        Recorded {formatTimestamp(record.recordedAt)} by proposal{" "}
        <Link href={`/proposals/${record.proposalId}`} data-testid="ratifying-proposal">
          {shortId(record.proposalId)}
        </Link>
        {record.ref !== 0n ? (
          <>
            {" "}
            · builds on{" "}
            <Link href={`/knowledge?kind=${refKind}#record-${record.ref}`} data-testid="lineage">
              {formatRecordId(record.ref)}
            </Link>
          </>
        ) : null}
      </p>
      {content.data?.status === "verified" ? (
        <RecordContent kind={record.kind} json={content.data.json} text={content.data.text} />
      ) : content.data?.status === "mismatch" ? (
        <p className="notice bad small">The gateway returned content that does not match this CID. It is not shown.</p>
      ) : content.data?.status === "unavailable" ? (
        <p className="small muted">Content not available from the gateway ({content.data.error}).</p>
      ) : null}
    </article>
  );
}
