"use client";

import { useMemo } from "react";
import { LineChart } from "../../../components/LineChart.tsx";
import { PHI_MAX, phiSeries, phiThresholdsOf, type MapekHistory, type PhiThresholds } from "../../../lib/coordinator.ts";

/** Threshold colours: the dashboard's state colours (globals.css `.state-*`). */
const GUIDE_COLORS = { EUPHORIC: "#1b5e3a", HARMONIC: "#2e7d4f", CONTEMPLATIVE: "#8a6d00", MYSTICAL: "#5b2ca0" } as const;
const Y_RANGE: [number, number] = [0, Math.ceil(PHI_MAX * 10) / 10];

export type PhiHistoryChartProps = {
  history: MapekHistory | undefined;
  /** The thresholds in force (`/api/mapek`); the defaults until it answers. */
  thresholds: PhiThresholds | null | undefined;
};

/** φ per MAPE-K tick, with the state thresholds as dashed lines (listed in text below). */
export function PhiHistoryChart({ history, thresholds }: PhiHistoryChartProps) {
  const points = useMemo(() => phiSeries(history), [history]);
  const bands = useMemo(() => phiThresholdsOf(thresholds), [thresholds]);
  const guides = useMemo(() => bands.map((t) => ({ y: t.phi, label: `${t.state} ≥ ${t.phi}`, color: GUIDE_COLORS[t.state] })), [bands]);
  if (points.length === 0) return <p className="muted small">No MAPE-K tick recorded yet.</p>;
  return (
    <>
      <LineChart label="φ after each MAPE-K tick" xLabel="epoch" yLabel="φ" points={points} yRange={Y_RANGE} guides={guides} />
      <p className="small muted" data-testid="phi-thresholds">
        Thresholds ({thresholds ? "MeshPolicy in force" : "default MeshPolicy"}): {guides.map((g) => g.label).join(" · ")} · CHAOTIC below{" "}
        {bands.at(-1)!.phi}. QUIESCENT means healing is in progress, whatever φ says.
      </p>
    </>
  );
}
