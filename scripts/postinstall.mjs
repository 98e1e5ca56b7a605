// Runs after `npm install`. Plain JavaScript on purpose: it must run under whatever
// Node npm was started with, before the project's own Node 22 is known to work.
//
// Why it exists: the system Node here may be 20, and npm then skips optional
// packages whose `engines` demand Node >= 22 — notably Hardhat's native EDR binary.
// Lifecycle scripts run with node_modules/.bin first on PATH, so once the `node`
// devDependency is installed, `node` is Node 22; re-running `npm install` under it
// installs what was skipped.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [major, minor] = process.versions.node.split(".").map(Number);

if (major < 22 || (major === 22 && minor < 13)) {
  console.error(
    `synod: postinstall is running under Node ${process.versions.node}; Node >= 22.13 is required.\n` +
      "The `node` devDependency should have provided it: check that its install script is allowed (package.json allowScripts).",
  );
  process.exit(1);
}

function edrBindingLoads() {
  try {
    require("@nomicfoundation/edr");
    return true;
  } catch {
    return false;
  }
}

if (!edrBindingLoads()) {
  if (process.env.SYNOD_POSTINSTALL_RERUN) {
    console.error("synod: Hardhat's EDR native binding is still missing after a second install.");
    process.exit(1);
  }
  console.log(`synod: installing packages npm skipped under the system Node (now Node ${process.versions.node})…`);
  const npm = process.env.npm_execpath;
  const result = spawnSync(
    npm ? process.execPath : "npm",
    [...(npm ? [npm] : []), "install", "--no-audit", "--no-fund"],
    { stdio: "inherit", env: { ...process.env, SYNOD_POSTINSTALL_RERUN: "1" } },
  );
  if (result.status !== 0 || !edrBindingLoads()) process.exit(result.status || 1);
}
