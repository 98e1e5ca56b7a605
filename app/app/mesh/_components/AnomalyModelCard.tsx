"use client";

import { useMemo } from "react";
import { LineChart } from "../../../components/LineChart.tsx";
import type { MapekStatus, TelemetryClass } from "../../../lib/coordinator.ts";

const CLASS_LABELS: Record<TelemetryClass, string> = {
  healthy: "healthy",
  unresponsive: "unresponsive (crash, pause, partition)",
  "degraded-link": "degraded link (delay, loss, bandwidth)",
  overloaded: "overloaded (CPU)",
  byzantine: "Byzantine updates",
  "clock-skew": "clock skew",
};
const ACCURACY_RANGE: [number, number] = [0, 1];
const percent = (x: number | null) => (x === null ? "—" : `${Math.round(x * 100)} %`);

/** The MAPE-K anomaly model: how FL trained it, how well it does on held-out telemetry, and what it suspects now. */
export function AnomalyModelCard({ mapek }: { mapek: MapekStatus | undefined }) {
  const model = mapek?.anomalyModel ?? null;
  const suspects = Object.entries(mapek?.anomalies ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const points = useMemo(() => (model?.accuracyPerRound ?? []).map((y, i) => ({ x: i + 1, y })), [model]);
  if (!mapek) return null;
  return (
    <section className="card" aria-labelledby="anomaly-heading" data-testid="anomaly-model">
      <h2 id="anomaly-heading">Anomaly model</h2>
      {model ? (
        <>
          <p className="small">
            An {model.architecture} trained by federated learning ({model.strategy}, {model.rounds} rounds) over {model.clients} nodes&apos; own
            recorded telemetry under real faults. Held-out accuracy <strong data-testid="anomaly-accuracy">{percent(model.accuracy)}</strong> on{" "}
            {model.testExamples} samples.{" "}
            <span data-testid="anomaly-source">
              {model.source === "cache" ? "Read from the coordinator's data dir at this start, not trained again." : `Trained at this start in ${(model.trainMs / 1000).toFixed(1)} s.`}
            </span>
          </p>
          <div className="table-scroll">
            <table>
              <caption className="small muted">Per class on held-out telemetry</caption>
              <thead>
                <tr>
                  <th scope="col">What is wrong</th>
                  <th scope="col">Recall</th>
                  <th scope="col">Precision</th>
                </tr>
              </thead>
              <tbody>
                {(Object.keys(CLASS_LABELS) as TelemetryClass[]).map((c) => (
                  <tr key={c}>
                    <td>{CLASS_LABELS[c]}</td>
                    <td>
                      <meter min={0} max={1} value={model.recall[c]} aria-label={`recall of ${c}`} /> {percent(model.recall[c])}
                    </td>
                    <td>{percent(model.precision[c])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {points.length > 1 ? <LineChart label="Anomaly model held-out accuracy after each FL round" xLabel="round" yLabel="accuracy" points={points} yRange={ACCURACY_RANGE} /> : null}
        </>
      ) : (
        <p className="muted small">Training… until it is ready MAPE-K analyses by its rules alone.</p>
      )}
      {suspects.length > 0 ? (
        <p className="small" data-testid="anomaly-suspects">
          Suspected now: {suspects.map(([node, r]) => `${node} ${r.label} (${percent(r.confidence)}, ${r.streak} tick${r.streak === 1 ? "" : "s"})`).join(", ")}
        </p>
      ) : model ? (
        <p className="small muted">The model suspects no node.</p>
      ) : null}
    </section>
  );
}
