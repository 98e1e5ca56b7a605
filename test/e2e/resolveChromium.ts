/**
 * Which Chromium the dApp's browser tests drive, and with which flags.
 *
 * 1. `CHROMIUM_PATH`, when set: that binary, as the operator asked.
 * 2. On Linux x64: the Chromium inside the `@sparticuz/chromium` devDependency (a
 *    headless_shell build, brotli-compressed in the npm package). `npm install` brings
 *    it, pinned by the lock file, so `npm test` needs no apt, no root and no download,
 *    and every machine runs the same browser, whatever its distribution ships.
 * 3. Elsewhere (the npm package only carries a Linux x64 binary): the system's
 *    `/usr/bin/chromium`.
 *
 * The npm binary is not replaced by the system one when it fails: a silent switch would
 * test a different browser than the pinned one and hide the failure.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, readdir, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import sparticuz from "@sparticuz/chromium";

/** A browser to launch with playwright-core: `chromium.launch({ executablePath, args })`. */
export type ResolvedChromium = {
  executablePath: string;
  args: string[];
  /** The browser's environment; playwright-core's (`process.env`) when not given. */
  env?: Record<string, string>;
  /** Where it came from: `CHROMIUM_PATH`, the npm package, or the system. */
  source: "env" | "npm" | "system";
};

export type ResolveChromiumParameters = {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  arch?: string;
  /** Where the npm binary is extracted (a versioned directory inside it); the system temporary directory by default. */
  cacheRoot?: string;
};

export const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/** Flags for a distribution's Chromium (any build with a full browser). */
const SYSTEM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Flags from `sparticuz.args` (tuned for AWS Lambda) the tests must not take:
 * - `--single-process`: Lambda's sandbox needs it; with it a second BrowserContext
 *   closes at once ("Target page, context or browser has been closed", the package's
 *   FAQ), and the tests open one per wallet.
 * - `--disable-web-security`, `--allow-running-insecure-content`,
 *   `--disable-site-isolation-trials`: the page could then read any origin without
 *   CORS, so a coordinator that forgot to allow the app's origin would still pass.
 * - `--disable-features`, `--enable-features`: Chromium keeps only the last of each
 *   switch, so these would replace playwright-core's own lists (HttpsUpgrades off, …)
 *   and turn SharedArrayBuffer on everywhere, which users' browsers do not.
 * - `--headless='shell'`: playwright-core passes `--headless`, and headless_shell has
 *   no other mode.
 */
const UNWANTED_NPM_ARGS = [
  "--single-process",
  "--disable-web-security",
  "--allow-running-insecure-content",
  "--disable-site-isolation-trials",
  "--disable-features",
  "--enable-features",
  "--headless",
];

/**
 * headless_shell takes its language from LC_ALL / LC_MESSAGES / LANG alone (`--lang` does
 * nothing) and turns the C or POSIX locale of a bare machine or CI into "en-US@posix",
 * which `Intl` rejects: uPlot's `new Intl.NumberFormat(navigator.language)` then throws
 * and the dApp's pages with charts never render. Debian's Chromium says "en-US" whatever
 * the environment; the tests read numbers and dates as en-US shows them. So: en-US.
 */
const npmEnv = (env: NodeJS.ProcessEnv): Record<string, string> => ({
  ...Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
  LC_ALL: "en_US.UTF-8",
});

const npmArgs = (): string[] =>
  sparticuz.args.filter((arg) => !UNWANTED_NPM_ARGS.some((unwanted) => arg === unwanted || arg.startsWith(`${unwanted}=`)));

/** The installed `@sparticuz/chromium`'s entry point and version (the cache key: a published version never changes). */
export function npmPackage(): { entry: string; version: string } {
  const entry = fileURLToPath(import.meta.resolve("@sparticuz/chromium"));
  const { version } = JSON.parse(readFileSync(path.join(path.dirname(entry), "../package.json"), "utf8")) as { version: string };
  return { entry, version };
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Removes staging directories left by extractions that were killed midway (their process is gone). */
async function sweepStaging(cacheRoot: string, finalName: string) {
  const prefix = `${finalName}.partial-`;
  for (const name of await readdir(cacheRoot).catch(() => [])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) {
      await rm(path.join(cacheRoot, name), { recursive: true, force: true });
    }
  }
}

/**
 * Extracts the npm package's Chromium once per machine and user, and returns its path.
 *
 * The package extracts into `os.tmpdir()` (`/tmp/chromium`, fonts, SwiftShader) and
 * takes an existing `/tmp/chromium` as done. That file exists from its first byte, so a
 * second process starting meanwhile would run a half-written binary (or write it
 * twice), and it carries no version, so a newer package would keep the old browser.
 * Here the package extracts in a child process whose TMPDIR is a private staging
 * directory, which is then renamed to `synod-chromium-<version>-<uid>`: the rename is
 * atomic, so that directory only ever appears complete. Two first runs at once both
 * extract; the first rename wins and the other drops its copy.
 */
export async function extractNpmChromium(cacheRoot: string): Promise<string> {
  const { entry, version } = npmPackage();
  const uid = process.getuid?.() ?? 0;
  const finalName = `synod-chromium-${version}-${uid}`;
  const finalDir = path.join(cacheRoot, finalName);
  const binary = path.join(finalDir, "chromium");
  // Only a directory this user made: another user's in a shared /tmp could hold any binary.
  const ready = () => existsSync(binary) && statSync(finalDir).uid === uid;
  if (ready()) return binary;
  await sweepStaging(cacheRoot, finalName);
  const staging = await mkdtemp(path.join(cacheRoot, `${finalName}.partial-${process.pid}-`));
  try {
    const script = "const { default: chromium } = await import(process.argv[1]); process.stdout.write(await chromium.executablePath());";
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script, entry], {
      env: { ...process.env, TMPDIR: staging },
    });
    if (stdout !== path.join(staging, "chromium")) throw new Error(`@sparticuz/chromium extracted to ${stdout}, not into ${staging}`);
    try {
      await rename(staging, finalDir);
    } catch (error) {
      // Another process renamed its copy first: use that one.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!ready()) throw new Error(`${binary} is missing after extracting @sparticuz/chromium ${version}`);
  return binary;
}

const extractions = new Map<string, Promise<string>>();

/**
 * Picks the Chromium for the browser tests (see the file's comment for the order).
 *
 * @example
 * import { chromium } from "playwright-core";
 * import { resolveChromium } from "./resolveChromium.ts";
 * const { executablePath, args, env } = await resolveChromium();
 * const browser = await chromium.launch({ executablePath, args, ...(env && { env }) });
 */
export async function resolveChromium({
  env = process.env,
  platform = process.platform,
  arch = process.arch,
  cacheRoot = os.tmpdir(),
}: ResolveChromiumParameters = {}): Promise<ResolvedChromium> {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist`);
    return { executablePath: env.CHROMIUM_PATH, args: SYSTEM_ARGS, source: "env" };
  }
  if (platform === "linux" && arch === "x64") {
    // One extraction per process as well: test files share the promise.
    let extraction = extractions.get(cacheRoot);
    if (!extraction) {
      extraction = extractNpmChromium(cacheRoot);
      extractions.set(cacheRoot, extraction);
      extraction.catch(() => extractions.delete(cacheRoot));
    }
    return { executablePath: await extraction, args: npmArgs(), env: npmEnv(env), source: "npm" };
  }
  if (!existsSync(SYSTEM_CHROMIUM)) {
    throw new Error(
      `@sparticuz/chromium has no binary for ${platform}-${arch} and ${SYSTEM_CHROMIUM} is missing: install Chromium, or set CHROMIUM_PATH to a Chromium or Chrome binary`,
    );
  }
  return { executablePath: SYSTEM_CHROMIUM, args: SYSTEM_ARGS, source: "system" };
}
