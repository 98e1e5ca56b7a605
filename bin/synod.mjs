#!/usr/bin/env node
// `npx synod …`: the operator CLI. Plain JavaScript so it starts under any Node; the
// CLI itself is TypeScript, loaded through tsx. Inside npx, node_modules/.bin (with the
// project's Node 22) comes first on PATH.
import { register } from "tsx/esm/api";

// node:sqlite (loaded by commands that never open a database here) warns that it is
// experimental on every run; other warnings are still shown.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name === "ExperimentalWarning" && /SQLite/.test(warning.message)) return;
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

register();
const { main } = await import("../coordinator/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
