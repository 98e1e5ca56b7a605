/**
 * Record schemas: good records of every kind pass; bad ones fail with every problem
 * named by its field path; kind numbers match the on-chain registry; the committed
 * JSON Schemas are the ones the zod schemas generate.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { RecordValidationError } from "../../../coordinator/errors/knowledge.ts";
import {
  KNOWLEDGE_KINDS,
  kindName,
  knowledgeJsonSchemas,
  parseKnowledgeRecord,
  registryFields,
  validateKnowledgeRecord,
} from "../../../coordinator/knowledge/schemas/index.ts";
import { CID_B, CID_C, chaosReport, directive, incident, model, snapshot, snapshotV2 } from "../../fixtures/knowledgeRecords.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const GOOD = { Model: model, Incident: incident, ChaosReport: chaosReport, MapekSnapshot: snapshot, Directive: directive };

function issuesOf(value: unknown): Array<{ path: string; message: string }> {
  const result = validateKnowledgeRecord(value);
  assert.equal(result.success, false, "expected the record to be rejected");
  return result.success ? [] : result.issues;
}

function paths(value: unknown): string[] {
  return issuesOf(value).map((issue) => issue.path).sort();
}

describe("knowledge record schemas", () => {
  for (const [kind, make] of Object.entries(GOOD)) {
    it(`accepts a good ${kind} record and maps it to the registry's fields`, () => {
      const record = parseKnowledgeRecord(make());
      assert.equal(record.kind, kind);
      const fields = registryFields(record);
      assert.equal(fields.kind, KNOWLEDGE_KINDS[kind as keyof typeof KNOWLEDGE_KINDS]);
      assert.equal(fields.schemaVersion, 1);
      assert.equal(kindName(fields.kind), kind);
    });
  }

  it("accepts a MapekSnapshot v2 with its blips counted by cause", () => {
    const record = parseKnowledgeRecord(snapshotV2());
    assert.equal(registryFields(record).schemaVersion, 2);
    assert.ok("blips" in record && record.blips.counts.partitioned === 2);
  });

  it("numbers kinds exactly as IKnowledgeRegistry.Kind does", async () => {
    const solidity = await readFile(path.join(root, "contracts/knowledge/IKnowledgeRegistry.sol"), "utf8");
    const body = /enum Kind\s*\{([^}]*)\}/.exec(solidity)?.[1] ?? "";
    const onChain = body.split(",").map((name) => name.replace(/\/\/.*$/gm, "").trim()).filter(Boolean);
    assert.deepEqual(onChain, Object.keys(KNOWLEDGE_KINDS));
    assert.deepEqual(Object.values(KNOWLEDGE_KINDS), [0, 1, 2, 3, 4]);
  });

  // Case table: a mutation of a good record → the field paths that must be reported.
  const BAD: Array<[label: string, value: () => unknown, expected: string[]]> = [
    ["Model: accuracy above 1 and a fake CID", () => ({ ...model(), evaluation: { ...model().evaluation, holdoutAccuracy: 1.2 }, artifact: { manifestCid: "Qm" + "a".repeat(44), weightsCid: CID_C } }), ["artifact.manifestCid", "evaluation.holdoutAccuracy"]],
    ["Model: a rejected node is also a participant; examples do not add up", () => ({ ...model(), rejectedUpdates: [{ nodeId: "node-001", reason: "late" }], totalExamples: 999 }), ["rejectedUpdates[0].nodeId", "totalExamples"]],
    ["Model: unknown field and no participants", () => ({ ...model(), participants: [], weights: [0.1, 0.2] }), ["", "participants", "totalExamples"]],
    ["Model: NaN loss", () => ({ ...model(), evaluation: { ...model().evaluation, holdoutLoss: Number.NaN } }), ["evaluation.holdoutLoss"]],
    ["Incident: detected before it started, wrong MTTD", () => ({ ...incident(), detectedAt: "2026-11-27T02:59:59.000Z" }), ["detectedAt", "timeToDetectMs"]],
    ["Incident: healed status without healedAt", () => ({ ...incident(), healedAt: null, timeToRecoverMs: null }), ["healedAt"]],
    ["ChaosReport: deviated flag contradicts the probes; score over 100", () => ({ ...chaosReport(), hypothesis: { ...chaosReport().hypothesis, deviated: true }, resilienceScore: 101 }), ["hypothesis.deviated", "resilienceScore"]],
    ["MapekSnapshot: unknown state, negative phi", () => ({ ...snapshot(), state: "ECSTATIC", phi: -1 }), ["phi", "state"]],
    ["MapekSnapshot v2: no blips", () => { const { blips: _, ...rest } = snapshotV2(); return rest; }, ["blips"]],
    ["MapekSnapshot v1: blips are v2's", () => ({ ...snapshot(), blips: snapshotV2().blips }), [""]],
    ["MapekSnapshot v2: a negative blip count, a cause not kebab-case", () => ({ ...snapshotV2(), blips: { since: null, counts: { down: -1, Partitioned: 1 } } }), ["blips.counts.down", "blips.counts.Partitioned"]],
    ["MapekSnapshot v2: blips counted since after the snapshot", () => ({ ...snapshotV2(), blips: { since: "2026-11-27T03:02:01.000Z", counts: {} } }), ["blips.since"]],
    ["Directive: parameter value not an integer; same node twice", () => ({ ...directive(), actions: [{ type: "set-parameter", parameter: "fl.targetParticipants", value: "1.5" }, { type: "ban-node", nodeId: "node-4", durationSeconds: null }, { type: "unban-node", nodeId: "node-4" }] }), ["actions[0].value", "actions[2]"]],
    ["Directive: unknown action type", () => ({ ...directive(), actions: [{ type: "reboot-universe" }] }), ["actions[0].type"]],
  ];

  for (const [label, value, expected] of BAD) {
    it(`rejects ${label}`, () => {
      assert.deepEqual(paths(value()), [...new Set(expected)].sort());
    });
  }

  it("rejects unknown kinds and versions by name", () => {
    assert.deepEqual(issuesOf({ ...model(), kind: "Gossip" }).map((issue) => issue.path), ["kind"]);
    const [issue] = issuesOf({ ...model(), schemaVersion: 2 });
    assert.equal(issue?.path, "schemaVersion");
    assert.match(issue!.message, /Model has no schema version 2; known: 1/);
    assert.deepEqual(issuesOf("not an object").map((i) => i.path), [""]);
  });

  it("throws RecordValidationError listing every issue with its path", () => {
    const bad = { ...model(), round: -1, evaluation: { ...model().evaluation, holdoutAccuracy: 2 } };
    assert.throws(() => parseKnowledgeRecord(bad), (error: unknown) => {
      assert.ok(error instanceof RecordValidationError);
      assert.equal(error.kind, "Model");
      assert.deepEqual(error.issues.map((issue) => issue.path).sort(), ["evaluation.holdoutAccuracy", "round"]);
      assert.match(error.message, /- round: /);
      return true;
    });
  });

  it("the committed schemas/*.json are what the zod schemas generate", async () => {
    for (const [id, schema] of Object.entries(knowledgeJsonSchemas())) {
      const committed = JSON.parse(await readFile(path.join(root, "schemas", `${id}.json`), "utf8"));
      assert.deepEqual(committed, schema, `schemas/${id}.json is stale: run npx tsx scripts/export-schemas.ts`);
    }
  });
});
