"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { KNOWLEDGE_KIND_LABELS, type KnowledgeKind } from "../../../lib/knowledge.ts";
import type { VerifiedContent } from "../../../lib/loadVerifiedContent.ts";
import { RootBadge, type RootCheck } from "./RootBadge.tsx";
import { VerificationBadge } from "./VerificationBadge.tsx";

export type RecordRowProps = {
  cid: string;
  kind: KnowledgeKind;
  round: number;
  schemaVersion: number;
  summary: string | null;
  /** The coordinator's status for it (listing only), e.g. `ratified`. */
  status?: string | undefined;
  epoch: number | null;
  headline?: boolean;
  content: VerifiedContent | undefined;
  contentLoading: boolean;
  rootCheck: RootCheck;
  /** Extra line (e.g. the ratifying proposal). */
  children?: ReactNode;
};

/** One record in a list: its permalink, what it is, and both checks made in this browser (bytes vs CID, leaf vs on-chain root). */
export function RecordRow({ cid, kind, round, schemaVersion, summary, status, epoch, headline, content, contentLoading, rootCheck, children }: RecordRowProps) {
  return (
    <li className="record-row" data-testid="record-row" data-cid={cid}>
      <div className="row">
        <strong>{KNOWLEDGE_KIND_LABELS[kind].replace(/s$/, "")}</strong>
        <span className="small muted">
          round {round} · schema v{schemaVersion}
          {epoch !== null ? (
            <>
              {" "}
              · <Link href={`/knowledge/epochs/${epoch}`}>epoch {epoch}</Link>
            </>
          ) : null}
          {status ? ` · ${status}` : ""}
        </span>
        {headline ? <span className="badge pending-check">headline</span> : null}
      </div>
      <p className="small break" style={{ margin: "0.35rem 0" }}>
        <Link href={`/knowledge/${cid}`} data-testid="record-link">
          <code>{cid}</code>
        </Link>{" "}
        <VerificationBadge content={content} loading={contentLoading} /> <RootBadge check={rootCheck} epoch={epoch} />
      </p>
      {summary ? <p className="small" style={{ margin: 0 }}>{summary}</p> : null}
      {children}
    </li>
  );
}
