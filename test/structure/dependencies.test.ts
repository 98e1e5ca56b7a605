/**
 * The coordinator's import graph keeps the rules of `.dependency-cruiser.cjs` (issue 13):
 * no import cycles (type-only imports count), the domain (fl, mesh, chaos, mapek,
 * knowledge) imports no entry point (api, cli, telegram), and fl imports nothing from
 * chaos. The same config runs as `npm run check:deps`.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { cruise, type ICruiseOptions, type ICruiseResult, type IViolation } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";

const root = path.resolve(import.meta.dirname, "../..");

type KnownViolation = { rule: "no-circular" | "domain-not-entrypoints" | "fl-not-chaos"; from: string; to: string };

/**
 * Violations that exist today and are being removed; the test fails if one of them no
 * longer occurs, so this list can only shrink. Add nothing here: fix the import.
 */
const KNOWN_VIOLATIONS: KnownViolation[] = [
  { rule: "no-circular", from: "coordinator/server.ts", to: "coordinator/telegram/telegramService.ts" }, // removed by issue 13 services/ move
  { rule: "no-circular", from: "coordinator/mesh/remote/createRemoteMeshService.ts", to: "coordinator/server.ts" }, // removed by issue 13 services/ move
  { rule: "fl-not-chaos", from: "coordinator/fl/createFlCoordinatorService.ts", to: "coordinator/chaos/testbed/createHostedMesh.ts" }, // removed by issue 13 services/ move
  { rule: "domain-not-entrypoints", from: "coordinator/chaos/createChaosCoordinatorService.ts", to: "coordinator/api/chaos.ts" }, // removed by issue 13 services/ move
  { rule: "domain-not-entrypoints", from: "coordinator/chaos/createChaosCoordinatorService.ts", to: "coordinator/api/health.ts" }, // removed by issue 13 services/ move
  { rule: "domain-not-entrypoints", from: "coordinator/chaos/createChaosCoordinatorService.ts", to: "coordinator/api/mapek.ts" }, // removed by issue 13 services/ move
  { rule: "domain-not-entrypoints", from: "coordinator/chaos/createChaosCoordinatorService.ts", to: "coordinator/api/types.ts" }, // removed by issue 13 services/ move
  { rule: "domain-not-entrypoints", from: "coordinator/fl/createFlCoordinatorService.ts", to: "coordinator/api/fl.ts" }, // removed by issue 13 services/ move
  { rule: "domain-not-entrypoints", from: "coordinator/fl/createFlCoordinatorService.ts", to: "coordinator/api/health.ts" }, // removed by issue 13 services/ move
  { rule: "domain-not-entrypoints", from: "coordinator/fl/createFlCoordinatorService.ts", to: "coordinator/api/types.ts" }, // removed by issue 13 services/ move
  { rule: "domain-not-entrypoints", from: "coordinator/knowledge/createKnowledgeService.ts", to: "coordinator/api/health.ts" }, // removed by issue 13 services/ move
  { rule: "domain-not-entrypoints", from: "coordinator/knowledge/createKnowledgeService.ts", to: "coordinator/api/knowledge.ts" }, // removed by issue 13 services/ move
  { rule: "domain-not-entrypoints", from: "coordinator/knowledge/createKnowledgeService.ts", to: "coordinator/api/proposals.ts" }, // removed by issue 13 services/ move
  { rule: "domain-not-entrypoints", from: "coordinator/knowledge/createKnowledgeService.ts", to: "coordinator/api/types.ts" }, // removed by issue 13 services/ move
  { rule: "domain-not-entrypoints", from: "coordinator/mesh/remote/createRemoteMeshService.ts", to: "coordinator/api/mesh.ts" }, // removed by issue 13 services/ move
];

/** The project's rules and options, cruising from `baseDir`, without a cache (a test must see the files as they are). */
async function cruiseWithProjectRules(baseDir: string, paths: string[]): Promise<ICruiseResult> {
  const options: ICruiseOptions = { ...(await extractDepcruiseOptions(path.join(root, ".dependency-cruiser.cjs"))), baseDir, cache: false };
  const { output } = await cruise(paths, options);
  assert.ok(typeof output === "object", "dependency-cruiser returned a report, not the cruise result");
  return output;
}

/**
 * Whether a violation is the known one. A cycle is reported once, from whichever of its
 * edges the cruise met first, so a known cycle matches any report whose cycle holds both ends.
 */
function isKnown(known: KnownViolation, violation: IViolation): boolean {
  if (known.rule !== violation.rule.name) return false;
  if (known.rule !== "no-circular") return known.from === violation.from && known.to === violation.to;
  const modules = [violation.from, ...(violation.cycle ?? []).map((step) => step.name)];
  return modules.includes(known.from) && modules.includes(known.to);
}

function describeViolation(violation: IViolation): string {
  const cycle = violation.cycle ? ` (cycle: ${[violation.from, ...violation.cycle.map((step) => step.name)].join(" → ")})` : "";
  return `${violation.rule.name}: ${violation.from} → ${violation.to}${cycle}`;
}

describe("dependency rules (.dependency-cruiser.cjs)", () => {
  it("coordinator/ and scripts/ break no rule beyond the known violations, and every known one still occurs", async () => {
    const result = await cruiseWithProjectRules(root, ["coordinator", "scripts"]);
    // A config that matches no file would pass every rule.
    assert.ok(result.summary.totalCruised > 150, `only ${result.summary.totalCruised} modules cruised`);

    const violations = result.summary.violations;
    const unexpected = violations.filter((v) => !KNOWN_VIOLATIONS.some((known) => isKnown(known, v)));
    assert.deepEqual(unexpected.map(describeViolation), [], `Dependency rule violations:\n${unexpected.map((v) => `  ${describeViolation(v)}`).join("\n")}`);

    const gone = KNOWN_VIOLATIONS.filter((known) => !violations.some((v) => isKnown(known, v)));
    assert.deepEqual(gone, [], `Known violations that no longer occur; remove them from KNOWN_VIOLATIONS:\n${gone.map((k) => `  ${k.rule}: ${k.from} → ${k.to}`).join("\n")}`);
  });

  it("catches a type-only cycle, a domain module importing an entry point and fl importing chaos", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "synod-depcruise-"));
    try {
      const files: Record<string, string> = {
        "coordinator/fl/model.ts": 'import type { Round } from "./round.ts";\nexport type Model = { round: Round };\n',
        "coordinator/fl/round.ts": 'import type { Model } from "./model.ts";\nimport { inject } from "../chaos/inject.ts";\nexport type Round = { model?: Model };\nexport const run = inject;\n',
        "coordinator/chaos/inject.ts": 'import { route } from "../api/route.ts";\nexport const inject = route;\n',
        "coordinator/api/route.ts": "export const route = (): number => 1;\n",
      };
      for (const [file, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), text);
      }

      const result = await cruiseWithProjectRules(dir, ["coordinator"]);

      const [cycles, others] = [result.summary.violations.filter((v) => v.rule.name === "no-circular"), result.summary.violations.filter((v) => v.rule.name !== "no-circular")];
      assert.deepEqual(others.map(describeViolation).sort(), ["domain-not-entrypoints: coordinator/chaos/inject.ts → coordinator/api/route.ts", "fl-not-chaos: coordinator/fl/round.ts → coordinator/chaos/inject.ts"]);
      assert.equal(cycles.length, 1, cycles.map(describeViolation).join("\n"));
      assert.ok(isKnown({ rule: "no-circular", from: "coordinator/fl/model.ts", to: "coordinator/fl/round.ts" }, cycles[0]!), describeViolation(cycles[0]!));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
