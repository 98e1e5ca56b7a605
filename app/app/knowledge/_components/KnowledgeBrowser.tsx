"use client";

import Link from "next/link";
import { useEffect } from "react";
import { useKnowledgeRecords } from "../../../hooks/useKnowledgeRecords.ts";
import { useRecordCounts } from "../../../hooks/useRecordCounts.ts";
import { useSynodConfig } from "../../../hooks/useSynodConfig.ts";
import { KNOWLEDGE_KIND_LABELS, KNOWLEDGE_KINDS, type KnowledgeKind } from "../../../lib/knowledge.ts";
import { ModelAccuracyChart } from "./ModelAccuracyChart.tsx";
import { RecordCard } from "./RecordCard.tsx";

/** Records per kind from the KnowledgeRegistry, each verified against its CID. */
export function KnowledgeBrowser({ kind }: { kind: KnowledgeKind }) {
  const counts = useRecordCounts();
  const records = useKnowledgeRecords({ kind });
  const { gatewayUrl } = useSynodConfig();
  // A link to one record (`#record-ID`, e.g. from the Telegram bot) lands before the
  // records are read: scroll to it once its card exists.
  const loaded = records.data !== undefined;
  useEffect(() => {
    if (loaded && window.location.hash.startsWith("#record-")) document.getElementById(window.location.hash.slice(1))?.scrollIntoView();
  }, [loaded]);
  return (
    <>
      <h1>Knowledge</h1>
      <p className="small muted">
        Ratified records from the KnowledgeRegistry. Content comes from the gateway <code>{gatewayUrl}</code> and is hash-checked in
        your browser against the CID stored on chain: “verified” means the bytes are exactly what was voted on.
      </p>
      <nav className="tabs" aria-label="Record kinds">
        {KNOWLEDGE_KINDS.map((k) => (
          <Link key={k} href={`/knowledge?kind=${k}`} aria-current={k === kind ? "page" : undefined}>
            {KNOWLEDGE_KIND_LABELS[k]}
            {counts.data ? ` (${counts.data[k]})` : ""}
          </Link>
        ))}
      </nav>
      {records.isPending ? <p>Loading records…</p> : null}
      {records.error ? <p className="notice bad">Could not read records: {records.error.message.split("\n")[0]}</p> : null}
      {records.data && records.data.length === 0 ? <p className="muted">No {KNOWLEDGE_KIND_LABELS[kind].toLowerCase()} ratified yet.</p> : null}
      {kind === "Model" && records.data && records.data.length > 0 ? <ModelAccuracyChart records={records.data} /> : null}
      <div>
        {records.data?.map((record) => (
          <RecordCard key={record.id.toString()} record={record} />
        ))}
      </div>
    </>
  );
}
