#!/usr/bin/env node
// `npx synod …`: the operator CLI. Plain JavaScript so it starts under any Node; the
// CLI itself is TypeScript, loaded through tsx. Inside npx, node_modules/.bin (with the
// project's Node 22) comes first on PATH.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../coordinator/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
