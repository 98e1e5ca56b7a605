"use client";

import Link from "next/link";
import { useEpoch } from "../../../../hooks/useEpoch.ts";
import { useKnowledgeRecord } from "../../../../hooks/useKnowledgeRecord.ts";
import { useRecords } from "../../../../hooks/useRecords.ts";
import { useSynodConfig } from "../../../../hooks/useSynodConfig.ts";
import { useVerifiedContent } from "../../../../hooks/useVerifiedContent.ts";
import { formatTimestamp, shortId } from "../../../../lib/format.ts";
import { formatRecordId, KNOWLEDGE_KINDS, type KnowledgeKind } from "../../../../lib/knowledge.ts";
import { cidBytesHex, verifyEpochRecord } from "../../../../lib/verifyEpochRecord.ts";
import { CoordinatorNotice } from "../../_components/CoordinatorNotice.tsx";
import { RecordContent } from "../../_components/RecordContent.tsx";
import { RootBadge, type RootCheck } from "../../_components/RootBadge.tsx";
import { VerificationBadge } from "../../_components/VerificationBadge.tsx";

/**
 * One record, addressed by its CID: the content (shown only when its bytes hash to the
 * CID), kind, round, epoch, whether its leaf is in the epoch's on-chain root, and the
 * proposal that ratified it as the chain says. The coordinator supplies where to look
 * (epoch, proof, stored id); every answer is checked against the chain here.
 */
export function RecordPermalink({ cid }: { cid: string }) {
  const { coordinatorUrl } = useSynodConfig();
  const cidHex = cidBytesHex(cid);
  const api = useKnowledgeRecord({ cid });
  const content = useVerifiedContent({ cid: cidHex });
  const listed = api.data;
  const epochNumber = listed?.epoch?.epoch;
  const onChainEpoch = useEpoch({ epoch: epochNumber });
  const stored = useRecords({ ids: listed?.recordId ? [BigInt(listed.recordId)] : [] });
  const storedRecord = stored.data?.[0];

  const json = content.data?.status === "verified" ? content.data.json : undefined;
  const contentKind = typeof (json as { kind?: unknown } | undefined)?.kind === "string" ? KNOWLEDGE_KINDS.find((k) => k === (json as { kind: string }).kind) : undefined;
  const kind: KnowledgeKind | undefined = listed?.kind ?? contentKind;

  let rootCheck: RootCheck = "checking";
  if (listed && !listed.epoch) rootCheck = "no-epoch";
  else if (listed?.epoch && !onChainEpoch.isPending) {
    // The leaf is rebuilt from the coordinator's fields (refCid included): no content needed.
    rootCheck = verifyEpochRecord({
      root: onChainEpoch.data?.root,
      record: { epoch: listed.epoch.epoch, kind: listed.kind, schemaVersion: listed.schemaVersion, round: listed.round, cid, refCid: listed.refCid },
      proof: listed.epoch.proof,
    });
  }
  const storedMatches = storedRecord ? storedRecord.cid.toLowerCase() === cidHex.toLowerCase() : undefined;

  return (
    <article>
      <p className="small">
        <Link href={kind ? `/knowledge?kind=${kind}` : "/knowledge"}>← Knowledge</Link>
      </p>
      <h1>{kind ?? "Record"}</h1>
      <p className="small break">
        CID <code data-testid="cid">{cid}</code> <VerificationBadge content={content.data} loading={content.isPending} />{" "}
        {listed || api.isPending ? <RootBadge check={rootCheck} epoch={epochNumber ?? null} /> : null}
      </p>
      {api.error ? (
        <CoordinatorNotice
          error={api.error}
          coordinatorUrl={coordinatorUrl}
          fallback="without it this page cannot tell which epoch holds the record, so only its content is checked (against the CID)."
        />
      ) : null}
      {listed ? (
        <dl className="grid small" data-testid="record-facts" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(180px, 1fr))" }}>
          <Fact label="Kind">{listed.kind}</Fact>
          <Fact label="Round">{listed.round}</Fact>
          <Fact label="Schema">v{listed.schemaVersion}</Fact>
          <Fact label="Status (coordinator)">{listed.status}</Fact>
          <Fact label="Epoch">
            {listed.epoch ? (
              <Link href={`/knowledge/epochs/${listed.epoch.epoch}`} data-testid="record-epoch">
                epoch {listed.epoch.epoch}
              </Link>
            ) : (
              "none yet"
            )}
          </Fact>
          <Fact label="Ratified by (chain)">
            {rootCheck === "in-root" && onChainEpoch.data ? (
              <Link href={`/proposals/${onChainEpoch.data.proposalId}`} data-testid="ratifying-proposal">
                proposal {shortId(onChainEpoch.data.proposalId)}
              </Link>
            ) : storedRecord && storedMatches ? (
              <Link href={`/proposals/${storedRecord.proposalId}`} data-testid="ratifying-proposal">
                proposal {shortId(storedRecord.proposalId)}
              </Link>
            ) : (
              <span className="muted">not ratified{listed.proposalId ? ` (proposed in ${shortId(BigInt(listed.proposalId))})` : ""}</span>
            )}
          </Fact>
          {listed.epoch ? (
            <Fact label="Leaf">
              <code className="break">{listed.epoch.leaf}</code>
            </Fact>
          ) : null}
          {storedRecord ? (
            <Fact label="Stored record">
              {formatRecordId(storedRecord.id)}, {formatTimestamp(storedRecord.recordedAt)}{" "}
              {storedMatches ? <span className="badge verified">✓ same CID on chain</span> : <span className="badge not-verified">✗ another CID on chain</span>}
              {storedRecord.revokedAt > 0 ? <span className="badge revoked"> revoked</span> : null}
            </Fact>
          ) : null}
        </dl>
      ) : null}
      {rootCheck === "not-in-root" ? (
        <p className="notice bad" data-testid="root-mismatch">
          The coordinator places this record in epoch {epochNumber}, but its leaf and proof do not lead to the root the registry stores for that epoch.
        </p>
      ) : null}
      <section className="card" aria-label="Content">
        {content.data?.status === "verified" && kind ? (
          <RecordContent kind={kind} json={content.data.json} text={content.data.text} />
        ) : content.data?.status === "verified" ? (
          <pre className="small" style={{ whiteSpace: "pre-wrap" }}>{content.data.text}</pre>
        ) : content.data?.status === "mismatch" ? (
          <p className="notice bad small">The gateway returned content that does not match this CID. It is not shown.</p>
        ) : content.data?.status === "unavailable" ? (
          <p className="small muted">Content not available from the gateway ({content.data.error}).</p>
        ) : (
          <p className="small muted">Loading the content…</p>
        )}
      </section>
    </article>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="muted">{label}</dt>
      <dd style={{ margin: 0, fontWeight: 600 }}>{children}</dd>
    </div>
  );
}
