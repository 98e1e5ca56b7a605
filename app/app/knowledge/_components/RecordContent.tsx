import type { ReactNode } from "react";
import type { KnowledgeKind } from "../../../lib/knowledge.ts";

/** Verified but schema-free JSON: every field is read defensively (optional, type-checked where it matters). */
type Json = Record<string, any>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const pct = (v: unknown) => (typeof v === "number" ? `${(v * 100).toFixed(1)} %` : "—");
const text = (v: unknown) => (v === undefined || v === null ? "—" : String(v));

function Facts({ items }: { items: Array<[string, ReactNode]> }) {
  return (
    <dl className="grid small" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(160px, 1fr))", margin: "0.75rem 0" }}>
      {items.map(([k, v]) => (
        <div key={k}>
          <dt className="muted">{k}</dt>
          <dd style={{ margin: 0, fontWeight: 600 }}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Verified record content in people's words; always with the full JSON one click away. Rendered as text only. */
export function RecordContent({ kind, json, text: rawText }: { kind: KnowledgeKind; json: unknown; text: string | undefined }) {
  if (!isObject(json)) {
    return <pre className="small" style={{ whiteSpace: "pre-wrap" }}>{rawText ?? "Content is not JSON."}</pre>;
  }
  return (
    <div data-testid="record-content">
      {kind === "Model" ? <ModelFacts record={json} /> : null}
      {kind === "Incident" ? <IncidentFacts record={json} /> : null}
      {kind === "MapekSnapshot" ? <MapekFacts record={json} /> : null}
      {kind === "ChaosReport" ? <ChaosFacts record={json} /> : null}
      {kind === "Directive" ? <DirectiveFacts record={json} /> : null}
      <details className="small">
        <summary>Full content (JSON)</summary>
        <pre style={{ whiteSpace: "pre-wrap", overflowX: "auto" }}>{JSON.stringify(json, null, 2)}</pre>
      </details>
    </div>
  );
}

function ModelFacts({ record }: { record: Json }) {
  const e = isObject(record.evaluation) ? record.evaluation : {};
  const a = isObject(record.architecture) ? record.architecture : {};
  return (
    <Facts
      items={[
        ["Hold-out accuracy", <span data-testid="model-accuracy">{pct(e.holdoutAccuracy)}</span>],
        ["Hold-out loss", typeof e.holdoutLoss === "number" ? e.holdoutLoss.toFixed(4) : "—"],
        ["Strategy", text(isObject(record.strategy) ? record.strategy.name : undefined)],
        ["Participants", Array.isArray(record.participants) ? record.participants.length : "—"],
        ["Rejected / flagged", `${Array.isArray(record.rejectedUpdates) ? record.rejectedUpdates.length : 0} / ${Array.isArray(record.byzantineFlagged) ? record.byzantineFlagged.length : 0}`],
        ["Architecture", `${text(a.name)}${Array.isArray(a.hiddenLayers) && a.hiddenLayers.length > 0 ? ` [${a.hiddenLayers.join(", ")}]` : ""}`],
        ["Parent model", typeof record.parentModelCid === "string" ? <code data-testid="parent-model-cid">{record.parentModelCid}</code> : "none (the first model)"],
        ["Differential privacy", isObject(record.privacy) ? `ε ${record.privacy.epsilon}` : "off"],
      ]}
    />
  );
}

function IncidentFacts({ record }: { record: Json }) {
  const fault = isObject(record.fault) ? record.fault : {};
  const events: Array<[string, string]> = [
    ["started", text(record.startedAt)],
    ["detected", text(record.detectedAt)],
    ...(Array.isArray(record.actions) ? record.actions.map((x: Json): [string, string] => [`${text(x.action)} ${text(x.target)} (${text(x.outcome)})`, text(x.at)]) : []),
    ["healed", text(record.healedAt)],
  ];
  return (
    <>
      <Facts
        items={[
          ["Fault", `${text(fault.kind)}${fault.injected ? " (injected)" : ""}`],
          ["Nodes", Array.isArray(record.affectedNodes) ? record.affectedNodes.join(", ") : "—"],
          ["Time to detect", record.timeToDetectMs != null ? `${record.timeToDetectMs} ms` : "—"],
          ["Time to recover", record.timeToRecoverMs != null ? `${record.timeToRecoverMs} ms` : "unhealed"],
          ["Resolution", text(isObject(record.resolution) ? record.resolution.status : undefined)],
        ]}
      />
      <ol className="timeline small">
        {events.map(([what, when], i) => (
          <li key={i} className="done">
            <strong>{what}</strong> <span className="muted">{when}</span>
          </li>
        ))}
      </ol>
    </>
  );
}

function MapekFacts({ record }: { record: Json }) {
  const nodes = isObject(record.nodes) ? record.nodes : {};
  return (
    <Facts
      items={[
        ["State", <span className={`state-${text(record.state)}`}>{text(record.state)}</span>],
        ["Previous", text(record.previousState)],
        ["φ", typeof record.phi === "number" ? record.phi.toFixed(3) : "—"],
        ["Nodes healthy / total", `${text(nodes.healthy)} / ${text(nodes.total)}`],
        ["Stale / isolated", `${text(nodes.stale)} / ${text(nodes.isolated)}`],
        ["Directives", Array.isArray(record.directives) ? record.directives.length : 0],
      ]}
    />
  );
}

function ChaosFacts({ record }: { record: Json }) {
  const experiment = isObject(record.experiment) ? record.experiment : {};
  return (
    <Facts
      items={[
        ["Experiment", text(experiment.title ?? experiment.name)],
        ["Faults", Array.isArray(experiment.faults) ? experiment.faults.map((f: Json) => f.kind).join(", ") : "—"],
        ["Status", text(record.status ?? record.result?.status)],
        ["Resilience score", text(record.resilienceScore ?? record.metrics?.resilienceScore)],
      ]}
    />
  );
}

function DirectiveFacts({ record }: { record: Json }) {
  return (
    <Facts
      items={[
        ["Title", text(record.title)],
        ["Trigger", text(isObject(record.trigger) ? record.trigger.state : "manual")],
        ["Actions", Array.isArray(record.actions) ? record.actions.map((a: Json) => a.type).join(", ") : "—"],
        ["Rationale", text(record.rationale)],
      ]}
    />
  );
}
