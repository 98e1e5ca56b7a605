/**
 * The coordinator's dependency rules (issue 13, "Wiring in one room"), checked by
 * `npm run check:deps` and by test/structure/dependencies.test.ts.
 *
 * - No import cycles, type-only imports included: a type cycle still ties two files
 *   together, and a value import added later turns it into a load-order bug.
 * - The domain (fl, mesh, chaos, mapek, knowledge) knows no entry point and no wiring
 *   (services/, testbed/): the HTTP API,
 *   the CLI and the Telegram bot use the domain, never the other way round.
 * - Federated learning runs without the chaos testbed.
 *
 * @type {import("dependency-cruiser").IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle (type-only imports count): move what both sides share to a module both import.",
      from: {},
      to: { circular: true },
    },
    {
      name: "domain-not-entrypoints",
      severity: "error",
      comment: "Domain folders must not import the HTTP API, the CLI, the Telegram bot or the wiring (services/, testbed/); pass what they need in instead.",
      from: { path: "^coordinator/(fl|mesh|chaos|mapek|knowledge)/" },
      to: { path: "^coordinator/(api|cli|telegram|services|testbed)/" },
    },
    {
      name: "fl-not-chaos",
      severity: "error",
      comment: "Federated learning must not depend on the chaos engine or its testbed.",
      from: { path: "^coordinator/fl/" },
      to: { path: "^coordinator/chaos/" },
    },
  ],
  options: {
    // Only our own modules matter to these rules; npm packages and Node built-ins are
    // left out rather than parsed.
    includeOnly: "^(coordinator|scripts)/",
    // Type-only imports are part of the graph (they vanish after compilation otherwise).
    tsPreCompilationDeps: true,
    moduleSystems: ["es6"],
    skipAnalysisNotInRules: true,
    cache: false,
    progress: { type: "none" },
  },
};
