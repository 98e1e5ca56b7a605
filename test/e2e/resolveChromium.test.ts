/**
 * The browser tests' Chromium comes from the npm registry: `resolveChromium` with no
 * `CHROMIUM_PATH` never looks at the system's browser on Linux x64, and what it returns
 * runs the dApp's kind of page as users' browsers do (several contexts, CORS enforced).
 * Two first runs at once on one machine both get the same complete binary.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { extractNpmChromium, npmPackage, resolveChromium } from "./resolveChromium.ts";

// Code passed to page.evaluate runs in the browser; these are the browser globals it touches.
declare const document: { getElementById(id: string): { textContent: string | null } | null };
declare const crypto: { subtle: { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> } };
declare const navigator: { language: string };

const onLinuxX64 = process.platform === "linux" && process.arch === "x64";

async function serve(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("resolveChromium", { timeout: 120_000 }, () => {
  it("takes CHROMIUM_PATH first, and refuses one that does not exist", async () => {
    const resolved = await resolveChromium({ env: { CHROMIUM_PATH: process.execPath } });
    assert.equal(resolved.source, "env");
    assert.equal(resolved.executablePath, process.execPath);
    await assert.rejects(resolveChromium({ env: { CHROMIUM_PATH: "/nonexistent/chromium" } }), /does not exist/);
  });

  describe("the npm package's Chromium", { skip: !onLinuxX64 && "@sparticuz/chromium only carries a Linux x64 binary" }, () => {
    let browser: Browser;
    let app: Awaited<ReturnType<typeof serve>>;
    let api: Awaited<ReturnType<typeof serve>>;

    before(async () => {
      app = await serve((_req, res) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end('<h1 id="title">Synod ✓</h1>'));
      // Answers without CORS headers, as a coordinator that does not allow the app's origin.
      api = await serve((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"private":true}'));
    });

    after(async () => {
      await browser?.close();
      await app?.close();
      await api?.close();
    });

    it("is what the tests launch without CHROMIUM_PATH: its own version, pages that run JS in several contexts, CORS enforced, screenshots", async () => {
      // The bare C locale of a CI container (headless_shell would say "en-US@posix"), and no CHROMIUM_PATH.
      const env: NodeJS.ProcessEnv = { ...process.env, LANG: "C.UTF-8", LANGUAGE: "de" };
      delete env.CHROMIUM_PATH;
      const resolved = await resolveChromium({ env });
      assert.equal(resolved.source, "npm");
      assert.ok(resolved.executablePath.startsWith(os.tmpdir()), resolved.executablePath);
      browser = await chromium.launch({ executablePath: resolved.executablePath, args: resolved.args, ...(resolved.env && { env: resolved.env }), headless: true });
      assert.equal(browser.version().split(".")[0], npmPackage().version.split(".")[0], `browser ${browser.version()}`);
      // A second context is what --single-process (in the package's Lambda flags) breaks; the dApp tests open one per wallet.
      for (const wallet of ["first", "second"]) {
        const context = await browser.newContext({ viewport: { width: 640, height: 480 } });
        const page = await context.newPage();
        await page.goto(app.url);
        const seen = await page.evaluate(async () => {
          const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("synod")));
          // What uPlot does on import: it throws on a language tag Intl rejects.
          const formatted = new Intl.NumberFormat(navigator.language).format(1234.5);
          return { title: document.getElementById("title")?.textContent, digestBytes: digest.length, language: navigator.language, formatted };
        });
        assert.deepEqual(seen, { title: "Synod ✓", digestBytes: 32, language: "en-US", formatted: "1,234.5" }, wallet);
        const crossOrigin = await page.evaluate(async (url: string) => {
          try {
            return await (await fetch(url)).text();
          } catch (error) {
            return `blocked: ${(error as Error).message}`;
          }
        }, api.url);
        assert.match(crossOrigin, /^blocked/, "a response without CORS headers must not reach the page");
        const png = await page.screenshot();
        assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from("PNG")]);
        assert.ok(png.length > 1_000, `screenshot of ${png.length} bytes`);
        await context.close();
      }
    });

    it("two first extractions at once end in one complete binary, and drop what a killed one left", async () => {
      const cacheRoot = await mkdtemp(path.join(os.tmpdir(), "synod-chromium-race-"));
      try {
        const finalName = `synod-chromium-${npmPackage().version}-${process.getuid?.() ?? 0}`;
        // A pid above Linux's pid_max: a run that was killed while extracting.
        const leftover = path.join(cacheRoot, `${finalName}.partial-99999999-abc`);
        mkdirSync(leftover);
        const [first, second] = await Promise.all([extractNpmChromium(cacheRoot), extractNpmChromium(cacheRoot)]);
        assert.equal(first, second);
        assert.equal(first, path.join(cacheRoot, finalName, "chromium"));
        assert.deepEqual(readdirSync(cacheRoot), [finalName], "no staging directory is left behind");
        const { stdout } = await promisify(execFile)(first, ["--version"]);
        assert.match(stdout, new RegExp(`^Chromium ${npmPackage().version.split(".")[0]}\\.`));
        const extractedAt = statSync(first).mtimeMs;
        assert.equal(await extractNpmChromium(cacheRoot), first);
        assert.equal(statSync(first).mtimeMs, extractedAt, "a later run reuses the binary");
        assert.ok(!existsSync(leftover));
      } finally {
        await rm(cacheRoot, { recursive: true, force: true });
      }
    });
  });
});
