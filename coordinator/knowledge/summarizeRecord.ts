import type { KnowledgeRecord } from "./schemas/index.ts";

/**
 * One line that tells a voter what a record is, for proposal descriptions and lists.
 *
 * @example
 * summarizeRecord(model) // "round 12 model: holdout accuracy 91.3 %, multikrum, 10 participants"
 */
export function summarizeRecord(record: KnowledgeRecord): string {
  switch (record.kind) {
    case "Model":
      return `round ${record.round} model: holdout accuracy ${(record.evaluation.holdoutAccuracy * 100).toFixed(1)} %, ${record.strategy.name}, ${record.participants.length} participants`;
    case "Incident":
      return `incident ${record.incidentId}: ${record.fault.kind} on ${record.affectedNodes.length} node(s), ${record.resolution.status}`;
    case "ChaosReport":
      return `chaos report "${record.experiment.title}": resilience score ${record.resilienceScore}`;
    case "MapekSnapshot":
      return `MAPE-K epoch ${record.round}: ${record.state}, φ ${record.phi.toFixed(3)}`;
    case "Directive":
      return `directive "${record.title}": ${record.actions.length} policy action(s)`;
  }
}
