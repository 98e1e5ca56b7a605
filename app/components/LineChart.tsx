"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";

export type LineChartProps = {
  /** What the chart shows, read out by screen readers and shown as its caption. */
  label: string;
  xLabel: string;
  yLabel: string;
  points: ReadonlyArray<{ x: number; y: number | null }>;
  /** Fixed y range, e.g. [0, 1] for accuracy. */
  yRange?: [number, number];
  /** Horizontal reference lines (thresholds), drawn dashed with their label; list them in text beside the chart too. */
  guides?: ReadonlyArray<{ y: number; label: string; color: string }>;
};

/** Above this many points the line is drawn without dots. */
const MAX_DOTS = 60;

/** A small line chart (uPlot) with the same data as a table for people who cannot see it. */
export function LineChart({ label, xLabel, yLabel, points, yRange, guides }: LineChartProps) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element || points.length === 0) return;
    const data: uPlot.AlignedData = [points.map((p) => p.x), points.map((p) => p.y)];
    const plot = new uPlot(
      {
        width: element.clientWidth || 320,
        height: 220,
        scales: { x: { time: false }, ...(yRange ? { y: { range: yRange } } : {}) },
        // Rounds and epochs are whole numbers: no 0.2-step ticks on the x axis.
        axes: [{ label: xLabel, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000] }, { label: yLabel }],
        series: [{ label: xLabel }, { label: yLabel, stroke: "#2f5d50", width: 2, points: { show: points.length <= MAX_DOTS, size: 6 } }],
        legend: { show: false },
        ...(guides && guides.length > 0 ? { hooks: { draw: [(u: uPlot) => drawGuides(u, guides)] } } : {}),
      },
      data,
      element,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: element.clientWidth || 320, height: 220 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [points, xLabel, yLabel, yRange, guides]);
  return (
    <figure style={{ margin: 0 }}>
      <div ref={container} className="chart" role="img" aria-label={label} />
      <figcaption className="small muted">{label}</figcaption>
      <details className="small">
        <summary>Data as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{xLabel}</th>
              <th scope="col">{yLabel}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.x}>
                <td>{p.x}</td>
                <td>{p.y ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** Draws dashed horizontal lines with a label at their right end, inside the plot area. */
function drawGuides(u: uPlot, guides: NonNullable<LineChartProps["guides"]>) {
  const { ctx, bbox } = u;
  const scale = devicePixelRatio || 1;
  ctx.save();
  ctx.lineWidth = scale;
  ctx.setLineDash([4 * scale, 4 * scale]);
  ctx.font = `${11 * scale}px system-ui, sans-serif`;
  ctx.textAlign = "right";
  ctx.textBaseline = "bottom";
  for (const guide of guides) {
    const y = u.valToPos(guide.y, "y", true);
    if (!Number.isFinite(y) || y < bbox.top || y > bbox.top + bbox.height) continue;
    ctx.strokeStyle = guide.color;
    ctx.fillStyle = guide.color;
    ctx.beginPath();
    ctx.moveTo(bbox.left, y);
    ctx.lineTo(bbox.left + bbox.width, y);
    ctx.stroke();
    ctx.fillText(guide.label, bbox.left + bbox.width - 4 * scale, y - 2 * scale);
  }
  ctx.restore();
}
