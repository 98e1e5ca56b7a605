/**
 * GET /health: 200 when every critical dependency answers, 503 with the failing
 * check's reason otherwise; checks are bounded in time.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runHealthChecks, type HealthCheck } from "../../../coordinator/api/health.ts";
import { chainHealthCheck, contentStoreHealthCheck } from "../../../coordinator/api/healthChecks.ts";
import { IpfsUnavailableError } from "../../../coordinator/errors/ipfs.ts";
import { buildTestApp } from "./helper.ts";
import { closedPort, startFakeJsonRpc } from "./fakeJsonRpc.ts";

const up = (name: string): HealthCheck => ({ name, check: async () => ({ ok: true, details: { probe: name } }) });

describe("GET /health", () => {
  it("200 when every check is up", async (t) => {
    const { app } = await buildTestApp(t, { app: { healthChecks: [up("chain"), up("ipfs")] } });
    const response = await app.inject({ method: "GET", url: "/health" });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["cache-control"], "no-store");
    const body = response.json();
    assert.equal(body.status, "ok");
    assert.equal(body.live, true);
    assert.equal(body.ready, true);
    assert.deepEqual(Object.keys(body.checks), ["chain", "ipfs"]);
    assert.equal(body.checks.ipfs.status, "up");
    assert.deepEqual(body.checks.ipfs.details, { probe: "ipfs" });
  });

  it("503 when a critical check is down, naming it and why", async (t) => {
    const ipfsDown: HealthCheck = {
      name: "ipfs",
      check: async () => {
        throw new IpfsUnavailableError({ backend: "kubo", operation: "block/stat", url: "http://user:pw@127.0.0.1:5001", reason: "ECONNREFUSED" });
      },
    };
    const { app } = await buildTestApp(t, { app: { healthChecks: [up("chain"), ipfsDown] } });
    const response = await app.inject({ method: "GET", url: "/health" });
    assert.equal(response.statusCode, 503);
    const body = response.json();
    assert.equal(body.status, "unavailable");
    assert.equal(body.live, true);
    assert.equal(body.ready, false);
    assert.equal(body.checks.chain.status, "up");
    assert.equal(body.checks.ipfs.status, "down");
    assert.equal(body.checks.ipfs.error, "IPFS is unavailable: block/stat on the kubo backend failed (ECONNREFUSED).");
    assert.doesNotMatch(response.body, /pw@/);
  });

  it("200 when only a non-critical check is down", async (t) => {
    const telegram: HealthCheck = { name: "telegram", critical: false, check: async () => ({ ok: false, error: "bot API unreachable" }) };
    const { app } = await buildTestApp(t, { app: { healthChecks: [up("chain"), telegram] } });
    const response = await app.inject({ method: "GET", url: "/health" });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().checks.telegram.status, "down");
  });

  it("a check that never answers is down after the deadline, and is told to abort", async () => {
    let aborted = false;
    const hung: HealthCheck = {
      name: "index",
      check: (signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener("abort", () => {
            aborted = true;
            reject(new Error("aborted"));
          });
        }),
    };
    const started = performance.now();
    const report = await runHealthChecks([hung, up("chain")], { timeoutMs: 50 });
    assert.ok(performance.now() - started < 1000);
    assert.equal(report.ready, false);
    assert.equal(report.checks.index?.error, "no answer within 50 ms");
    assert.equal(report.checks.chain?.status, "up");
    assert.equal(aborted, true);
  });

  it("the chain check reads chain id and block number over JSON-RPC", async (t) => {
    const rpc = await startFakeJsonRpc({ chainId: 31337, blockNumber: 42n });
    t.after(() => rpc.close());
    const outcome = await chainHealthCheck({ rpcUrl: rpc.url }).check(new AbortController().signal);
    assert.deepEqual(outcome, { ok: true, details: { url: `${rpc.url}/`, chainId: 31337, blockNumber: "42" } });
    const wrongChain = await chainHealthCheck({ rpcUrl: rpc.url, expectedChainId: 1 }).check(new AbortController().signal);
    assert.equal(wrongChain.ok, false);
    assert.equal(wrongChain.error, "chain id 31337, expected 1");
  });

  it("the chain check is down when nothing listens at RPC_URL", async () => {
    const port = await closedPort();
    const outcome = await chainHealthCheck({ rpcUrl: `http://127.0.0.1:${port}` }).check(new AbortController().signal);
    assert.equal(outcome.ok, false);
    assert.match(outcome.error ?? "", /^the chain's JSON-RPC did not answer: /);
  });

  it("the IPFS check is up when the store answers, whether or not it holds the probe block", async () => {
    let asked = "";
    const store = { backend: "helia" as const, has: async (cid: unknown) => ((asked = String(cid)), false) };
    assert.deepEqual(await contentStoreHealthCheck(store).check(new AbortController().signal), { ok: true, details: { backend: "helia" } });
    assert.equal(asked, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  });

  it("refuses two checks with one name", async (t) => {
    await assert.rejects(buildTestApp(t, { app: { healthChecks: [up("chain"), up("chain")] } }), /Two health checks are named "chain"/);
  });
});
