"use client";

import Link from "next/link";
import { useMemo } from "react";
import { useEpoch } from "../../../../../hooks/useEpoch.ts";
import { useEpochManifest } from "../../../../../hooks/useEpochManifest.ts";
import { useEpochPage } from "../../../../../hooks/useEpochPage.ts";
import { useSynodConfig } from "../../../../../hooks/useSynodConfig.ts";
import { useVerifiedContent } from "../../../../../hooks/useVerifiedContent.ts";
import { formatTimestamp, shortId } from "../../../../../lib/format.ts";
import { KNOWLEDGE_KINDS, knowledgeKindName, type KnowledgeKind } from "../../../../../lib/knowledge.ts";
import type { EpochManifest } from "../../../../../lib/loadEpochManifest.ts";
import type { OnChainEpoch } from "../../../../../lib/readEpochs.ts";
import { cidBytesHex, epochTree, verifyEpochRecord } from "../../../../../lib/verifyEpochRecord.ts";
import { CoordinatorNotice } from "../../../_components/CoordinatorNotice.tsx";
import { KindFilter } from "../../../_components/KindFilter.tsx";
import { Pager } from "../../../_components/Pager.tsx";
import { RecordRow } from "../../../_components/RecordRow.tsx";

export const EPOCH_PAGE_SIZE = 25;

/** A record of the epoch as listed (coordinator page or verified manifest), with the proof to check. */
type ListedRecord = {
  cid: string;
  kind: KnowledgeKind;
  schemaVersion: number;
  round: number;
  refCid: string | null;
  summary: string;
  status: string | undefined;
  headline: boolean;
  proof: readonly string[];
};

/**
 * One epoch: its root, manifest and ratifying proposal as the chain stores them, and
 * all its records page by page (filter by kind), each checked in this browser twice:
 * bytes against the CID, leaf and proof against the on-chain root. The records come
 * from the coordinator; without it, from the manifest (its CID read from the chain,
 * its bytes and root checked here).
 */
export function EpochView({ epoch, kind, page }: { epoch: number; kind: KnowledgeKind | undefined; page: number }) {
  const { coordinatorUrl } = useSynodConfig();
  const onChain = useEpoch({ epoch });
  const listing = useEpochPage({ epoch, offset: (page - 1) * EPOCH_PAGE_SIZE, limit: EPOCH_PAGE_SIZE, kind });
  const manifest = useEpochManifest({ epoch: onChain.data });
  const root = onChain.data?.root;

  const fromManifest = useMemo(() => (manifest.data?.status === "verified" ? manifestPage(manifest.data.manifest, kind, page) : undefined), [manifest.data, kind, page]);
  const records: ListedRecord[] | undefined = listing.data
    ? listing.data.records.map((r) => ({ ...r, status: r.status }))
    : listing.error
      ? fromManifest?.records
      : undefined;
  const total = listing.data?.total ?? (listing.error ? fromManifest?.total : undefined) ?? 0;
  const href = (p: number, k: KnowledgeKind | undefined = kind) => `/knowledge/epochs/${epoch}?${new URLSearchParams({ ...(k ? { kind: k } : {}), ...(p > 1 ? { page: String(p) } : {}) })}`;

  return (
    <article>
      <p className="small">
        <Link href="/knowledge/epochs">← All epochs</Link>
      </p>
      <h1>Epoch {epoch}</h1>
      <OnChainFacts epoch={epoch} onChain={onChain.data} loading={onChain.isPending} error={onChain.error} coordinatorRoot={listing.data?.epoch.root} />
      {manifest.data ? (
        <p className="small" data-testid="manifest-check">
          {manifest.data.status === "verified" ? (
            <span className="badge verified">✓ manifest verified</span>
          ) : (
            <span className={`badge ${manifest.data.status === "unavailable" ? "pending-check" : "not-verified"}`}>
              {manifest.data.status === "unavailable" ? "manifest unavailable" : "✗ manifest not verified"}
            </span>
          )}{" "}
          Manifest <code className="break">{manifest.data.cid}</code>
          {manifest.data.status === "verified"
            ? `: its bytes hash to the CID on chain and its ${manifest.data.manifest.records.length} records rebuild the ratified root.`
            : manifest.data.status === "mismatch"
              ? ": the gateway returned bytes that do not hash to the CID on chain."
              : `: ${manifest.data.error}.`}
        </p>
      ) : null}
      {listing.error ? (
        <CoordinatorNotice
          error={listing.error}
          coordinatorUrl={coordinatorUrl}
          fallback={fromManifest ? "the records below come from the epoch's manifest instead, verified against its CID and the root on chain." : "without it, only a ratified epoch's manifest can list them."}
        />
      ) : null}
      <KindFilter kind={kind} href={(k) => href(1, k)} counts={onChain.data?.counts ?? listing.data?.epoch.counts} />
      {records === undefined && !listing.error ? <p>Loading records…</p> : null}
      {records === undefined && listing.error && onChain.data && manifest.isPending ? <p>Loading the epoch’s manifest…</p> : null}
      {records && records.length === 0 ? <p className="muted">No records{kind ? ` of this kind` : ""} in this epoch.</p> : null}
      {records && records.length > 0 ? (
        <section className="card" aria-label={`Records of epoch ${epoch}`}>
          <ul style={{ listStyle: "none", padding: 0, margin: 0 }} data-testid="epoch-records">
            {records.map((record) => (
              <EpochRecordRow key={record.cid} epoch={epoch} root={root} rootLoading={onChain.isPending} record={record} />
            ))}
          </ul>
        </section>
      ) : null}
      <Pager page={page} pageSize={EPOCH_PAGE_SIZE} total={total} href={(p) => href(p)} />
    </article>
  );
}

function manifestPage(manifest: EpochManifest, kind: KnowledgeKind | undefined, page: number): { records: ListedRecord[]; total: number } {
  const tree = epochTree(manifest.epoch, manifest.records);
  const headlines = new Set(manifest.headlines);
  const all = manifest.records
    .map((r, position) => ({ r, position }))
    .filter(({ r }) => kind === undefined || knowledgeKindName(r.kind) === kind);
  const records = all.slice((page - 1) * EPOCH_PAGE_SIZE, page * EPOCH_PAGE_SIZE).map(({ r, position }) => ({
    cid: r.cid,
    kind: knowledgeKindName(r.kind),
    schemaVersion: r.schemaVersion,
    round: r.round,
    refCid: r.refCid,
    summary: r.summary,
    status: undefined,
    headline: headlines.has(r.cid),
    proof: tree.getProof(position),
  }));
  return { records, total: all.length };
}

function OnChainFacts({ epoch, onChain, loading, error, coordinatorRoot }: { epoch: number; onChain: OnChainEpoch | null | undefined; loading: boolean; error: Error | null; coordinatorRoot: string | undefined }) {
  if (error) return <p className="notice bad">Could not read epoch {epoch} from the chain: {error.message.split("\n")[0]}</p>;
  if (loading) return <p>Reading epoch {epoch} from the chain…</p>;
  if (!onChain) {
    return (
      <p className="notice" data-testid="epoch-unratified">
        The registry holds no root for epoch {epoch}: it is not ratified (yet). Its records cannot be checked against a root.
        {coordinatorRoot ? <> The keeper built the root <code className="break">{coordinatorRoot}</code>.</> : null}
      </p>
    );
  }
  const total = KNOWLEDGE_KINDS.reduce((sum, k) => sum + onChain.counts[k], 0);
  return (
    <>
    <dl className="grid small" data-testid="epoch-facts" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(220px, 1fr))" }}>
      <div>
        <dt className="muted">Merkle root (on chain)</dt>
        <dd className="mono break" style={{ margin: 0 }} data-testid="epoch-root">
          {onChain.root}
        </dd>
      </div>
      <div>
        <dt className="muted">Ratified by</dt>
        <dd style={{ margin: 0 }}>
          <Link href={`/proposals/${onChain.proposalId}`} data-testid="epoch-proposal">
            proposal {shortId(onChain.proposalId)}
          </Link>{" "}
          on {formatTimestamp(onChain.recordedAt)}
        </dd>
      </div>
      <div>
        <dt className="muted">Records</dt>
        <dd style={{ margin: 0 }} data-testid="epoch-total">
          {total}
        </dd>
      </div>
    </dl>
    {coordinatorRoot && coordinatorRoot.toLowerCase() !== onChain.root.toLowerCase() ? (
      <p className="notice bad">The coordinator reports another root ({coordinatorRoot}) for this epoch; the chain’s is used.</p>
    ) : null}
    </>
  );
}

function EpochRecordRow({ epoch, root, rootLoading, record }: { epoch: number; root: `0x${string}` | undefined; rootLoading: boolean; record: ListedRecord }) {
  let cidHex: `0x${string}` | undefined;
  try {
    cidHex = cidBytesHex(record.cid);
  } catch {
    cidHex = undefined;
  }
  const content = useVerifiedContent({ cid: cidHex });
  const rootCheck = rootLoading ? "checking" : verifyEpochRecord({ root, record: { ...record, epoch }, proof: record.proof });
  return (
    <RecordRow
      cid={record.cid}
      kind={record.kind}
      round={record.round}
      schemaVersion={record.schemaVersion}
      summary={record.summary}
      status={record.status}
      epoch={epoch}
      headline={record.headline}
      content={content.data}
      contentLoading={cidHex !== undefined && content.isPending}
      rootCheck={rootCheck}
    />
  );
}
