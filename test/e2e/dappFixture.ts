/**
 * End-to-end fixture for the dApp: a fresh in-process chain with the real Ignition
 * deployment (local profile) served over HTTP JSON-RPC, a small IPFS trustless
 * gateway serving raw blocks, the built Next.js app (`next start`), and headless
 * Chromium driven by playwright-core. Everything started here is closed by `close()`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { network } from "hardhat";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { bytesToHex, type Hex } from "viem";
import { hardhat } from "viem/chains";
import { formatServerSentEvent } from "../../coordinator/api/eventStream.ts";
import type { StatusReport } from "../../coordinator/api/status.ts";
import type { SynodEvent } from "../../coordinator/events.ts";
import { createLocalAccountProvider } from "../../app/lib/localAccountProvider.ts";
import SynodLocalModule from "../../ignition/modules/SynodLocal.ts";

const root = path.resolve(import.meta.dirname, "../..");
export const LOCAL_PARAMETERS = path.join(root, "ignition/parameters/local.json");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

type Eip1193 = { request(args: { method: string; params?: unknown }): Promise<unknown> };
type RpcRequest = { jsonrpc: "2.0"; id: number | string | null; method: string; params?: unknown };

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "content-type, accept",
};

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: http.Server) {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Serves an EIP-1193 provider as HTTP JSON-RPC (single and batch requests), with CORS for the browser. */
export async function serveJsonRpc(provider: Eip1193) {
  const answer = async (request: RpcRequest) => {
    try {
      return { jsonrpc: "2.0", id: request.id, result: await provider.request({ method: request.method, params: request.params }) };
    } catch (error) {
      const { code = -32603, message = String(error), data } = error as { code?: number; message?: string; data?: unknown };
      return { jsonrpc: "2.0", id: request.id, error: { code, message, data } };
    }
  };
  const server = http.createServer((req, res) => {
    if (req.method === "OPTIONS") return void res.writeHead(204, CORS).end();
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      let body: RpcRequest | RpcRequest[];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RpcRequest | RpcRequest[];
      } catch {
        return void res.writeHead(400, CORS).end();
      }
      const response = Array.isArray(body) ? await Promise.all(body.map(answer)) : await answer(body);
      res.writeHead(200, { "content-type": "application/json", ...CORS });
      res.end(JSON.stringify(response, (_key, value: unknown) => (typeof value === "bigint" ? `0x${value.toString(16)}` : value)));
    });
  });
  const url = await listen(server);
  return { url, close: () => closeServer(server) };
}

/**
 * A minimal trustless gateway: `GET /ipfs/{cid}` answers the stored block as
 * `application/vnd.ipld.raw`. `serve(cid, bytes)` may store bytes that do not match
 * the CID — that is how the tests play a lying gateway.
 */
export async function serveGateway() {
  const blocks = new Map<string, Uint8Array>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    if (req.method === "OPTIONS") return void res.writeHead(204, CORS).end();
    const match = /^\/ipfs\/([a-z2-7]+)(?:\?.*)?$/.exec(req.url ?? "");
    requests.push(req.url ?? "");
    const bytes = match ? blocks.get(match[1]!) : undefined;
    if (!bytes) return void res.writeHead(404, CORS).end("not found");
    res.writeHead(200, { "content-type": "application/vnd.ipld.raw", ...CORS });
    res.end(Buffer.from(bytes));
  });
  const url = await listen(server);
  return {
    url,
    requests,
    /** Adds content under its own raw CID; returns the binary CID as the registry stores it. */
    async add(content: string | Uint8Array): Promise<{ cid: CID; cidHex: Hex }> {
      const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
      const cid = CID.createV1(raw.code, await sha256.digest(bytes));
      blocks.set(cid.toString(), bytes);
      return { cid, cidHex: bytesToHex(cid.bytes) };
    },
    /** Serves `bytes` for `cid`, whatever they hash to. */
    serve(cid: CID, bytes: Uint8Array) {
      blocks.set(cid.toString(), bytes);
    },
    close: () => closeServer(server),
  };
}

export type CoordinatorApiData = {
  status: StatusReport;
  /** Bodies of `GET /api/fl/status` and `GET /api/fl/metrics`. */
  flStatus: unknown;
  flMetrics: unknown;
  /** Replayed on `GET /api/events`, in the coordinator's SSE wire format. */
  events: SynodEvent[];
};

/**
 * A stand-in for the coordinator's read API on a fixed port (the dashboard's URL):
 * `/api/status`, `/api/fl/status`, `/api/fl/metrics` and the SSE stream, answering
 * what the test gives it. `stop()` makes the port refuse connections, as when the
 * coordinator is down.
 */
export async function serveCoordinatorApi(port: number, data: CoordinatorApiData) {
  const server = http.createServer((req, res) => {
    const cors = { "access-control-allow-origin": "*" };
    const path = (req.url ?? "").split("?")[0];
    const json = (body: unknown) => {
      res.writeHead(200, { "content-type": "application/json", ...cors });
      res.end(JSON.stringify(body));
    };
    if (path === "/api/status") return json(data.status);
    if (path === "/api/fl/status") return json(data.flStatus);
    if (path === "/api/fl/metrics") return json(data.flMetrics);
    if (path === "/api/events") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", ...cors });
      for (const event of data.events) res.write(formatServerSentEvent(event));
      return; // kept open, like the real stream
    }
    res.writeHead(404, cors).end();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  return { stop: () => closeServer(server) };
}

/** A port nothing listens on (for "coordinator not reachable"). */
async function unusedPort(): Promise<number> {
  const server = http.createServer();
  const url = await listen(server);
  await closeServer(server);
  return Number(new URL(url).port);
}

/** Builds the app unless a build exists (`npm test` builds it once before the tests). */
export function ensureAppBuilt() {
  if (existsSync(path.join(root, "app/.next/BUILD_ID"))) return;
  const result = spawnSync(path.join(root, "node_modules/.bin/next"), ["build", "app"], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("next build failed");
}

/**
 * `next start` with the given run-time config, on `port` (a free one when not given:
 * pass one when the coordinator must allow the app's origin before the app starts);
 * resolves once it answers.
 */
export async function startApp(env: Record<string, string>, { port }: { port?: number } = {}): Promise<{ url: string; process: ChildProcess; close(): Promise<void> }> {
  port ??= await unusedPort();
  const child = spawn(path.join(root, "node_modules/.bin/next"), ["start", "app", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output.join("")}`);
    try {
      const response = await fetch(`${url}/mesh`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`next start did not answer within 60 s:\n${output.join("")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    process: child,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Headless Chromium with a fresh profile (playwright-core, the system browser). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (see .ci/run)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * A browser context whose pages have an injected EIP-1193 wallet (`window.ethereum`)
 * backed by a local account: the key stays in the test process, which signs and sends
 * to `rpcUrl`; the page forwards every request to it.
 */
export async function newWalletContext(browser: Browser, { privateKey, rpcUrl }: { privateKey: Hex; rpcUrl: string }): Promise<BrowserContext> {
  const wallet = createLocalAccountProvider({ privateKey, chain: hardhat, rpcUrl });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.exposeFunction("__synodWalletRequest", async (json: string) => {
    const { method, params } = JSON.parse(json) as { method: string; params?: unknown };
    try {
      return JSON.stringify({ result: await wallet.request({ method, params }) });
    } catch (error) {
      const { code = -32603, message = String(error) } = error as { code?: number; message?: string };
      return JSON.stringify({ error: { code, message } });
    }
  });
  // The page's side of the wallet: forwards every request to the account above.
  // Plain JavaScript: the test's TypeScript is transpiled with helpers the page does not have.
  await context.addInitScript({
    content: `
      window.ethereum = {
        isSynodTestWallet: true,
        async request({ method, params }) {
          const answer = JSON.parse(await window.__synodWalletRequest(JSON.stringify({ method, params })));
          if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
          return answer.result;
        },
        on() {},
        removeListener() {},
      };
    `,
  });
  return context;
}

/** Everything the dApp tests need, started together. */
export async function startDappEnvironment() {
  const connection = await network.create();
  const closers: Array<() => Promise<void>> = [() => connection.close()];
  try {
    const deployed = await connection.ignition.deploy(SynodLocalModule, { parameters: LOCAL_PARAMETERS });
    const rpc = await serveJsonRpc(connection.provider);
    closers.push(rpc.close);
    const gateway = await serveGateway();
    closers.push(gateway.close);
    ensureAppBuilt();
    const coordinatorUrl = `http://127.0.0.1:${await unusedPort()}`;
    const app = await startApp({
      SYNOD_RPC_URL: rpc.url,
      SYNOD_GATEWAY_URL: gateway.url,
      SYNOD_COORDINATOR_URL: coordinatorUrl,
      SYNOD_POLLING_INTERVAL_MS: "1000",
    });
    closers.push(app.close);
    const browser = await launchChromium();
    closers.push(() => browser.close());
    return {
      connection,
      ...deployed,
      rpcUrl: rpc.url,
      gateway,
      app,
      browser,
      coordinatorUrl,
      async close() {
        for (const close of closers.reverse()) await close().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}
