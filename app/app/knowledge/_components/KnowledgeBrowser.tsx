"use client";

import Link from "next/link";
import { useEffect } from "react";
import { useEpochRoots } from "../../../hooks/useEpochRoots.ts";
import { useKnowledgeList } from "../../../hooks/useKnowledgeList.ts";
import { useKnowledgeRecord } from "../../../hooks/useKnowledgeRecord.ts";
import { useKnowledgeRecords } from "../../../hooks/useKnowledgeRecords.ts";
import { useRecordCounts } from "../../../hooks/useRecordCounts.ts";
import { useRecordPage } from "../../../hooks/useRecordPage.ts";
import { useSynodConfig } from "../../../hooks/useSynodConfig.ts";
import { useVerifiedContent } from "../../../hooks/useVerifiedContent.ts";
import { KNOWLEDGE_KIND_LABELS, type KnowledgeKind } from "../../../lib/knowledge.ts";
import type { KnowledgeEntry } from "../../../lib/knowledgeApi.ts";
import { shortId } from "../../../lib/format.ts";
import { cidBytesHex, verifyEpochRecord } from "../../../lib/verifyEpochRecord.ts";
import { CoordinatorNotice } from "./CoordinatorNotice.tsx";
import { KindFilter } from "./KindFilter.tsx";
import { ModelAccuracyChart } from "./ModelAccuracyChart.tsx";
import { Pager } from "./Pager.tsx";
import { RecordCard } from "./RecordCard.tsx";
import { RecordRow } from "./RecordRow.tsx";
import type { RootCheck } from "./RootBadge.tsx";

export const KNOWLEDGE_PAGE_SIZE = 25;

/**
 * Every record of a kind, page by page, newest first. The coordinator lists them
 * (records ratified through an epoch are not individually on chain); each is checked
 * here: bytes against the CID, leaf and proof against the epoch root the registry
 * stores. Without the coordinator, the records stored on chain one by one (headlines,
 * promoted and older records) are paged from the registry instead.
 */
export function KnowledgeBrowser({ kind, page }: { kind: KnowledgeKind; page: number }) {
  const { gatewayUrl, coordinatorUrl } = useSynodConfig();
  const offset = (page - 1) * KNOWLEDGE_PAGE_SIZE;
  const listing = useKnowledgeList({ offset, limit: KNOWLEDGE_PAGE_SIZE, kind });
  const fallback = Boolean(listing.error);
  const onChain = useRecordPage({ kind, offset, limit: KNOWLEDGE_PAGE_SIZE, enabled: fallback });
  const counts = useRecordCounts();
  const roots = useEpochRoots({ epochs: listing.data?.records.flatMap((r) => (r.epoch !== null ? [r.epoch] : [])) ?? [] });
  const models = useKnowledgeRecords({ kind: kind === "Model" ? "Model" : undefined });
  // A link to one record (`#record-ID`, e.g. from the Telegram bot) lands before the
  // records are read: scroll to it once its card exists.
  const loaded = onChain.data !== undefined;
  useEffect(() => {
    if (loaded && window.location.hash.startsWith("#record-")) document.getElementById(window.location.hash.slice(1))?.scrollIntoView();
  }, [loaded]);
  const href = (p: number, k: KnowledgeKind = kind) => `/knowledge?kind=${k}${p > 1 ? `&page=${p}` : ""}`;
  const total = listing.data?.total ?? onChain.data?.total ?? 0;
  return (
    <>
      <h1>Knowledge</h1>
      <p className="small muted">
        Records the mesh published, with what governance ratified. Content comes from the gateway <code>{gatewayUrl}</code> and is hash-checked in
        your browser against its CID; a record ratified through an epoch is checked against the epoch’s Merkle root stored on chain. See all{" "}
        <Link href="/knowledge/epochs">epochs</Link>.
      </p>
      <KindFilter kind={kind} all={false} href={(k) => href(1, k ?? kind)} counts={fallback ? counts.data : undefined} />
      {listing.error ? (
        <CoordinatorNotice
          error={listing.error}
          coordinatorUrl={coordinatorUrl}
          fallback="below are only the records stored on chain one by one (headlines, promoted and earlier records), read from the registry."
        />
      ) : null}
      {kind === "Model" && models.data && models.data.length > 0 ? <ModelAccuracyChart records={models.data} /> : null}
      {listing.isPending ? <p>Loading records…</p> : null}
      {listing.data ? (
        listing.data.records.length === 0 ? (
          <p className="muted">No {KNOWLEDGE_KIND_LABELS[kind].toLowerCase()} yet.</p>
        ) : (
          <section className="card" aria-label={KNOWLEDGE_KIND_LABELS[kind]}>
            <ul style={{ listStyle: "none", padding: 0, margin: 0 }}>
              {listing.data.records.map((entry) => (
                <ListedRecord key={entry.cid} entry={entry} root={entry.epoch !== null ? roots.data?.get(entry.epoch) : undefined} rootsLoading={roots.isPending} />
              ))}
            </ul>
          </section>
        )
      ) : null}
      {fallback ? (
        <>
          {onChain.isPending ? <p>Loading records from the chain…</p> : null}
          {onChain.error ? <p className="notice bad">Could not read records: {onChain.error.message.split("\n")[0]}</p> : null}
          {onChain.data && onChain.data.records.length === 0 ? <p className="muted">No {KNOWLEDGE_KIND_LABELS[kind].toLowerCase()} stored on chain yet.</p> : null}
          <div>
            {onChain.data?.records.map((record) => (
              <RecordCard key={record.id.toString()} record={record} />
            ))}
          </div>
        </>
      ) : null}
      <Pager page={page} pageSize={KNOWLEDGE_PAGE_SIZE} total={total} href={(p) => href(p)} />
    </>
  );
}

/**
 * A listed record: its proof is read from `GET /api/knowledge/:cid`; the leaf is rebuilt
 * from the listing's fields (`refCid` included), so the root check needs no content.
 */
function ListedRecord({ entry, root, rootsLoading }: { entry: KnowledgeEntry; root: `0x${string}` | undefined; rootsLoading: boolean }) {
  let cidHex: `0x${string}` | undefined;
  try {
    cidHex = cidBytesHex(entry.cid);
  } catch {
    cidHex = undefined;
  }
  const content = useVerifiedContent({ cid: cidHex });
  const detail = useKnowledgeRecord({ cid: entry.epoch !== null ? entry.cid : undefined });
  let rootCheck: RootCheck = "checking";
  if (entry.epoch === null) rootCheck = "no-epoch";
  else if (!rootsLoading && detail.data) {
    const proof = detail.data.epoch?.epoch === entry.epoch ? detail.data.epoch.proof : [];
    rootCheck = verifyEpochRecord({
      root,
      record: { epoch: entry.epoch, kind: entry.kind, schemaVersion: entry.schemaVersion, round: entry.round, cid: entry.cid, refCid: entry.refCid },
      proof,
    });
  }
  return (
    <RecordRow
      cid={entry.cid}
      kind={entry.kind}
      round={entry.round}
      schemaVersion={entry.schemaVersion}
      summary={entry.summary}
      status={entry.status}
      epoch={entry.epoch}
      content={content.data}
      contentLoading={cidHex !== undefined && content.isPending}
      rootCheck={rootCheck}
    >
      {entry.proposalId && rootCheck !== "in-root" ? (
        <p className="small muted" style={{ margin: 0 }}>
          In <Link href={`/proposals/${entry.proposalId}`}>proposal {shortId(BigInt(entry.proposalId))}</Link>
        </p>
      ) : null}
    </RecordRow>
  );
}
