/**
 * Serves the dApp for `npm start`: builds it once (and again when its sources are newer
 * than the build), then runs `next start` on 127.0.0.1:$SYNOD_APP_PORT (default 3000).
 * A production build rather than `next dev`: pages answer at once and nothing compiles
 * on the first click.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const appDir = path.join(root, "app");
const next = path.join(root, "node_modules", ".bin", "next");
const port = process.env.SYNOD_APP_PORT ?? "3000";
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === ".next" || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function run(args: string[]): Promise<number> {
  const child = spawn(next, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], env });
  const stop = () => child.kill("SIGTERM");
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 0 : 1))));
}

const buildId = path.join(appDir, ".next", "BUILD_ID");
if (!existsSync(buildId) || statSync(buildId).mtimeMs < newestSource(appDir)) {
  process.stderr.write("building the dApp (first start, or sources changed) …\n");
  const code = await run(["build", "app"]);
  if (code !== 0) process.exit(code);
}
process.exit(await run(["start", "app", "--hostname", "127.0.0.1", "--port", port]));
