"use client";

import { useMemo } from "react";
import { LineChart } from "../../../components/LineChart.tsx";
import { useVerifiedContents } from "../../../hooks/useVerifiedContents.ts";
import type { KnowledgeRecord } from "../../../lib/readKnowledge.ts";

/** Hold-out accuracy per FL round, from verified model records only. */
export function ModelAccuracyChart({ records }: { records: KnowledgeRecord[] }) {
  const contents = useVerifiedContents({ cids: records.map((r) => r.cid) });
  const points = useMemo(() => {
    const out: Array<{ x: number; y: number }> = [];
    records.forEach((record, i) => {
      const content = contents[i];
      if (content?.status !== "verified" || record.revokedAt > 0) return;
      const json = content.json as { evaluation?: { holdoutAccuracy?: unknown } } | undefined;
      const accuracy = json?.evaluation?.holdoutAccuracy;
      if (typeof accuracy === "number") out.push({ x: record.round, y: accuracy });
    });
    return out.sort((a, b) => a.x - b.x);
  }, [records, contents]);
  if (points.length === 0) return null;
  return (
    <section className="card" aria-labelledby="accuracy-heading">
      <h2 id="accuracy-heading">Accuracy per round</h2>
      <LineChart label="Hold-out accuracy of ratified models, by FL round" xLabel="round" yLabel="accuracy" points={points} yRange={[0, 1]} />
    </section>
  );
}
