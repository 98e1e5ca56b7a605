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

/** The project's rules and options, cruising from `baseDir`, without a cache (a test must see the files as they are). */
async function cruiseWithProjectRules(baseDir: string, paths: string[]): Promise<ICruiseResult> {
  const options: ICruiseOptions = { ...(await extractDepcruiseOptions(path.join(root, ".dependency-cruiser.cjs"))), baseDir, cache: false };
  const { output } = await cruise(paths, options);
  assert.ok(typeof output === "object", "dependency-cruiser returned a report, not the cruise result");
  return output;
}

/** Whether a reported cycle runs through both `from` and `to` (a cycle is reported once, from whichever edge the cruise met first). */
function cycleThrough(violation: IViolation, from: string, to: string): boolean {
  const modules = [violation.from, ...(violation.cycle ?? []).map((step) => step.name)];
  return violation.rule.name === "no-circular" && modules.includes(from) && modules.includes(to);
}

function describeViolation(violation: IViolation): string {
  const cycle = violation.cycle ? ` (cycle: ${[violation.from, ...violation.cycle.map((step) => step.name)].join(" → ")})` : "";
  return `${violation.rule.name}: ${violation.from} → ${violation.to}${cycle}`;
}

describe("dependency rules (.dependency-cruiser.cjs)", () => {
  it("coordinator/ and scripts/ break no rule", async () => {
    const result = await cruiseWithProjectRules(root, ["coordinator", "scripts"]);
    // A config that matches no file would pass every rule.
    assert.ok(result.summary.totalCruised > 150, `only ${result.summary.totalCruised} modules cruised`);

    const violations = result.summary.violations;
    assert.deepEqual(violations.map(describeViolation), [], `Dependency rule violations:\n${violations.map((v) => `  ${describeViolation(v)}`).join("\n")}`);
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
      assert.ok(cycleThrough(cycles[0]!, "coordinator/fl/model.ts", "coordinator/fl/round.ts"), describeViolation(cycles[0]!));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
