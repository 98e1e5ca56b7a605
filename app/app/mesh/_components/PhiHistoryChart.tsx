"use client";

import { useMemo } from "react";
import { LineChart } from "../../../components/LineChart.tsx";
import { PHI_MAX, PHI_THRESHOLDS, phiSeries, type MapekHistory } from "../../../lib/coordinator.ts";

/** Threshold colours: the dashboard's state colours (globals.css `.state-*`). */
const GUIDE_COLORS = { EUPHORIC: "#1b5e3a", HARMONIC: "#2e7d4f", CONTEMPLATIVE: "#8a6d00", MYSTICAL: "#5b2ca0" } as const;
const GUIDES = PHI_THRESHOLDS.map((t) => ({ y: t.phi, label: `${t.state} ≥ ${t.phi}`, color: GUIDE_COLORS[t.state] }));
const Y_RANGE: [number, number] = [0, Math.ceil(PHI_MAX * 10) / 10];

export type PhiHistoryChartProps = { history: MapekHistory | undefined };

/** φ per MAPE-K tick, with the state thresholds as dashed lines (listed in text below). */
export function PhiHistoryChart({ history }: PhiHistoryChartProps) {
  const points = useMemo(() => phiSeries(history), [history]);
  if (points.length === 0) return <p className="muted small">No MAPE-K tick recorded yet.</p>;
  return (
    <>
      <LineChart label="φ after each MAPE-K tick" xLabel="epoch" yLabel="φ" points={points} yRange={Y_RANGE} guides={GUIDES} />
      <p className="small muted" data-testid="phi-thresholds">
        Thresholds (default MeshPolicy): {GUIDES.map((g) => g.label).join(" · ")} · CHAOTIC below {PHI_THRESHOLDS.at(-1)!.phi}. QUIESCENT
        means healing is in progress, whatever φ says.
      </p>
    </>
  );
}
