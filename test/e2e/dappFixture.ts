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
import {
  epochListSchema,
  epochPageSchema,
  knowledgeListSchema,
  knowledgeRecordSchema,
  type EpochEntry,
  type EpochPage,
  type KnowledgeRecordResponse,
} from "../../coordinator/api/schemas/knowledge.ts";
import { epochTree, recordLeaf } from "../../coordinator/knowledge/epochTree.ts";
import type { EpochManifestV1 } from "../../coordinator/knowledge/schemas/epochManifest.ts";
import { KNOWLEDGE_KINDS, type KnowledgeKind } from "../../coordinator/knowledge/schemas/common.ts";
import type { StatusReport } from "../../coordinator/api/schemas/status.ts";
import type { SynodEvent } from "../../coordinator/events.ts";
import { createLocalAccountProvider } from "../../app/lib/localAccountProvider.ts";
import SynodLocalModule from "../../ignition/modules/SynodLocal.ts";
import { resolveChromium } from "./resolveChromium.ts";

const root = path.resolve(import.meta.dirname, "../..");
export const LOCAL_PARAMETERS = path.join(root, "ignition/parameters/local.json");

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
  /** Served on the knowledge routes (`/api/knowledge[/epochs[/:epoch]|/:cid]`). */
  knowledge?: StandInKnowledge;
};

/** One epoch as the stand-in lists it: the keeper's entry and the records it lists (maybe tampered with). */
export type StandInEpoch = { entry: EpochEntry; records: EpochPage["records"]; contents: Map<string, unknown> };

/** The knowledge the stand-in serves, epochs newest first. */
export type StandInKnowledge = { epochs: StandInEpoch[] };

/**
 * An epoch as the keeper builds it (`coordinator/knowledge/epochTree.ts`): the real
 * `StandardMerkleTree` over the manifest's records, each listed with its leaf hash and
 * proof. `list` may rewrite what is listed (a changed field, a record from outside), as
 * a lying coordinator would; leaves and proofs stay those of the real tree.
 */
export function standInEpoch({
  manifest,
  manifestCid,
  proposalId,
  contents,
  status = "ratified",
  list = (records) => records,
}: {
  manifest: EpochManifestV1;
  manifestCid: string;
  proposalId: bigint;
  /** Each record's content by CID (`GET /api/knowledge/:cid` returns it). */
  contents: Map<string, unknown>;
  status?: EpochEntry["status"];
  list?: (records: EpochPage["records"]) => EpochPage["records"];
}): StandInEpoch {
  const tree = epochTree(manifest.epoch, manifest.records);
  const kinds = Object.keys(KNOWLEDGE_KINDS) as KnowledgeKind[];
  const headlines = new Set(manifest.headlines);
  const records = manifest.records.map((record, position) => ({
    cid: record.cid,
    kind: kinds[record.kind]!,
    schemaVersion: record.schemaVersion,
    round: record.round,
    refCid: record.refCid,
    summary: record.summary,
    status: status === "ratified" ? ("ratified" as const) : ("proposed" as const),
    headline: headlines.has(record.cid),
    recordId: null,
    position,
    leaf: tree.leafHash(recordLeaf(manifest.epoch, record)) as Hex,
    proof: tree.getProof(position) as Hex[],
  }));
  return {
    entry: {
      epoch: manifest.epoch,
      status,
      outcome: null,
      proposalId: proposalId.toString(),
      proposalType: "routine",
      root: tree.root as Hex,
      manifestCid,
      counts: manifest.counts,
      records: manifest.records.length,
      headlines: manifest.headlines,
      openedAt: manifest.openedAt,
      closedAt: manifest.closedAt,
      ratifiedAt: status === "ratified" ? manifest.closedAt : null,
    },
    records: list(records),
    contents,
  };
}

/** Answers a knowledge route from `knowledge` as the coordinator would, each body checked against its zod schema; `undefined` for other paths. */
function knowledgeRoute(knowledge: StandInKnowledge, path: string, query: URLSearchParams): { status: number; body: unknown } | undefined {
  const offset = Number(query.get("offset") ?? 0);
  const limit = Number(query.get("limit") ?? 100);
  const kind = query.get("kind");
  const page = <T,>(items: T[]) => items.slice(offset, offset + limit);
  if (path === "/api/knowledge/epochs") {
    return { status: 200, body: epochListSchema.parse({ epochs: page(knowledge.epochs.map((e) => e.entry)), total: knowledge.epochs.length }) };
  }
  const epochMatch = /^\/api\/knowledge\/epochs\/(\d+)$/.exec(path);
  if (epochMatch) {
    const epoch = knowledge.epochs.find((e) => e.entry.epoch === Number(epochMatch[1]));
    if (!epoch) return { status: 404, body: { error: { name: "UnknownEpochError", message: `no epoch ${epochMatch[1]}` } } };
    const records = epoch.records.filter((r) => !kind || r.kind === kind);
    return { status: 200, body: epochPageSchema.parse({ epoch: epoch.entry, records: page(records), total: records.length, offset, limit }) };
  }
  const all = knowledge.epochs.flatMap((e) =>
    e.records.map((r): KnowledgeRecordResponse => ({
      cid: r.cid,
      kind: r.kind,
      round: r.round,
      schemaVersion: r.schemaVersion,
      status: r.status,
      summary: r.summary,
      recordId: r.recordId,
      proposalId: e.entry.proposalId,
      refId: 0,
      refCid: r.refCid,
      content: e.contents.get(r.cid) ?? null,
      epoch: { epoch: e.entry.epoch, root: e.entry.root, leaf: r.leaf, proof: r.proof, ratified: e.entry.status === "ratified" },
    })),
  );
  if (path === "/api/knowledge") {
    const epoch = query.get("epoch");
    const records = all.filter((r) => (!kind || r.kind === kind) && (!epoch || r.epoch?.epoch === Number(epoch)));
    const entries = page(records).map(({ content: _content, epoch: proof, ...entry }) => ({ ...entry, epoch: proof?.epoch ?? null }));
    return { status: 200, body: knowledgeListSchema.parse({ records: entries, total: records.length, offset, limit }) };
  }
  const cidMatch = /^\/api\/knowledge\/(b[a-z2-7]+)$/.exec(path);
  if (cidMatch) {
    const record = all.find((r) => r.cid === cidMatch[1]);
    return record ? { status: 200, body: knowledgeRecordSchema.parse(record) } : { status: 404, body: { error: { name: "UnknownRecordError", message: "no such record" } } };
  }
  return undefined;
}

/**
 * A stand-in for the coordinator's read API on a fixed port (the dashboard's URL):
 * `/api/status`, `/api/fl/status`, `/api/fl/metrics`, the SSE stream and the knowledge
 * routes (epochs with leaves and proofs from a real tree), answering what the test gives it. `stop()` makes the port refuse connections, as when the
 * coordinator is down.
 */
export async function serveCoordinatorApi(port: number, data: CoordinatorApiData) {
  const server = http.createServer((req, res) => {
    const cors = { "access-control-allow-origin": "*" };
    const url = new URL(req.url ?? "/", "http://stand-in");
    const path = url.pathname;
    const json = (body: unknown, status = 200) => {
      res.writeHead(status, { "content-type": "application/json", ...cors });
      res.end(JSON.stringify(body));
    };
    const knowledge = data.knowledge && path.startsWith("/api/knowledge") ? knowledgeRoute(data.knowledge, path, url.searchParams) : undefined;
    if (knowledge) return json(knowledge.body, knowledge.status);
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

/** Headless Chromium with a fresh profile (playwright-core; the browser `resolveChromium` picks: the npm package's by default). */
export async function launchChromium(): Promise<Browser> {
  const { executablePath, args, env } = await resolveChromium();
  return chromium.launch({ executablePath, args, ...(env && { env }), headless: true });
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
