/**
 * The dApp end to end against the real system: `scripts/start.ts --no-app` (the embedded
 * Hardhat node with the Ignition deployment, the coordinator with its embedded IPFS, a
 * small mesh in node-host processes, the MAPE-K loop, FL rounds and the knowledge
 * keeper) and the built app (`next start`) pointed at that chain, that coordinator and
 * the coordinator's own `/ipfs` gateway, driven in headless Chromium with an injected
 * wallet backed by demo account #1.
 *
 * A real FL round publishes a Model record; an operator closes the knowledge epoch
 * (`POST /api/knowledge/epochs/close`, the admin token from the data directory) and the
 * keeper proposes it: a routine proposal. Its page shows the Routine badge and the veto
 * form first, then the records per kind the keeper counted. Nobody votes; the test moves
 * the chain's time (`evm_increaseTime` + `evm_mine`) and the proposal is queued and
 * executed — from the page's buttons when the keeper, which moves passed proposals on by
 * itself, has not done it first (the chain says who sent each step, and the test reports
 * which path ran). The epoch page then shows the root and proposal the registry stores,
 * the manifest verified, and every record of its first page ✓ verified (bytes fetched
 * from the coordinator's gateway and hashed in the browser) and ✓ in epoch root (leaf
 * and proof against the on-chain root); the model's permalink shows it ratified by that
 * proposal; the mesh page shows the live coordinator (MAPE-K state, nodes, FL progress).
 *
 * `test/e2e/dapp.test.ts` covers what needs a stand-in (a gateway that lies, a
 * coordinator that lists records outside the root or goes away, a malicious description).
 *
 * Set SYNOD_SCREENSHOTS=1 to (re)write docs/img/app-{proposals,proposal,epoch,knowledge,mesh}.png.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createPublicClient, http, type Address, type Hash } from "viem";
import { hardhat } from "viem/chains";
import { deployedContracts } from "../../app/contracts/deployedContracts.ts";
import { DEV_ACCOUNTS } from "../../app/lib/devAccounts.ts";
import { KNOWLEDGE_KIND_LABELS, KNOWLEDGE_KINDS } from "../../app/lib/knowledge.ts";
import type { EpochEntry, EpochPage, KnowledgeRecordResponse } from "../../coordinator/api/schemas/knowledge.ts";
import { isAlive } from "../../coordinator/mesh/deploy/hostProcesses.ts";
import { descendants } from "../fixtures/processes.ts";
import { startSystem, type StartedSystem } from "../fixtures/startProcess.ts";
import { freePort, until } from "../fixtures/waiting.ts";
import { ensureAppBuilt, launchChromium, newWalletContext, startApp } from "./dappFixture.ts";

// Code passed to page.evaluate runs in the browser; these are the browser globals it touches.
declare const document: {
  querySelectorAll(selector: string): Iterable<{ textContent: string | null; disabled: boolean }>;
  querySelector(selector: string): { textContent: string | null } | null;
};
type Row = { getAttribute(name: string): string | null; querySelector(selector: string): { textContent: string | null } | null };

const root = path.resolve(import.meta.dirname, "../..");
const SCREENSHOTS = process.env.SYNOD_SCREENSHOTS === "1" ? path.join(root, "docs/img") : undefined;
const TIMEOUT = 30_000;
const MESH_NODES = 6;
const KEEPER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"; // Hardhat account #0: the coordinator's signer on the local chain

/** The epoch page's and the knowledge browser's page sizes (`EPOCH_PAGE_SIZE`, `KNOWLEDGE_PAGE_SIZE`). */
const EPOCH_PAGE_SIZE = 25;
const KNOWLEDGE_PAGE_SIZE = 25;
/** Records pending before the test closes the epoch (an FL round publishes one every 2 s). */
const MIN_EPOCH_RECORDS = 6;

describe("dApp end to end against the real system (npm start --no-app, headless Chromium)", { timeout: 420_000 }, () => {
  const contracts = deployedContracts[31337];
  const voter = DEV_ACCOUNTS[0];
  let dataDir: string;
  let system: ChildProcess;
  let systemTree: number[] = [];
  let started: StartedSystem;
  /** What start.ts printed, both streams (the banner goes to stdout, the parts' logs to stderr). */
  const systemOutput = (): string => `${started?.stdout() ?? ""}${started?.stderr() ?? ""}`;
  let chainUrl: string;
  let apiUrl: string;
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  let browser: Browser | undefined;
  let page: Page;
  /** URLs the page requested (to see where content was fetched from). */
  const requests: string[] = [];
  let model: { round: number; recordCid: string; holdoutAccuracy: number };
  let proposalId: bigint;
  /** The epoch the model's record went into, as the keeper built it. */
  let epoch: EpochEntry;

  const chain = () => createPublicClient({ chain: hardhat, transport: http(chainUrl, { retryCount: 0 }) });
  const rpc = async (method: string, params: unknown[] = []) => {
    const response = await fetch(chainUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
    const body = (await response.json()) as { result?: unknown; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  };
  const api = async <T,>(route: string): Promise<T> => {
    const response = await fetch(`${apiUrl}${route}`);
    if (!response.ok) throw new Error(`${route}: ${response.status}`);
    return (await response.json()) as T;
  };
  const governorState = () => chain().readContract({ ...contracts.MeshGovernor, functionName: "state", args: [proposalId] });
  /** Moves the chain's clock past `timestamp` and mines a block there. */
  const advancePast = async (timestamp: bigint) => {
    const latest = (await chain().getBlock({ blockTag: "latest" })).timestamp;
    const base = latest > BigInt(Math.floor(Date.now() / 1000)) ? latest : BigInt(Math.floor(Date.now() / 1000));
    const seconds = timestamp - base + 2n;
    if (seconds > 0n) await rpc("evm_increaseTime", [Number(seconds)]);
    await rpc("evm_mine");
  };
  /** Who sent the transaction that emitted the governor's `eventName` for the proposal. */
  const senderOf = async (eventName: "ProposalQueued" | "ProposalExecuted"): Promise<Address> => {
    const logs = await chain().getContractEvents({ ...contracts.MeshGovernor, eventName, fromBlock: 0n });
    const log = logs.find((l) => (l.args as { proposalId?: bigint }).proposalId === proposalId);
    assert.ok(log, `${eventName} for ${proposalId}`);
    return (await chain().getTransaction({ hash: log.transactionHash as Hash })).from;
  };
  const shot = async (name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `app-${name}.png`), fullPage: true });
  };

  before(async () => {
    // Before the system starts: a build (when there is none) blocks this process, which reads the system's output.
    ensureAppBuilt();
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-e2e-live-"));
    const [chainPort, apiPort, appPort] = [await freePort(), await freePort(), await freePort()];
    chainUrl = `http://127.0.0.1:${chainPort}`;
    apiUrl = `http://127.0.0.1:${apiPort}`;
    started = startSystem({
      chainPort,
      apiPort,
      dataDir,
      env: {
        SYNOD_CORS_ORIGINS: `http://127.0.0.1:${appPort}`,
        SYNOD_MESH_NODES: String(MESH_NODES),
        SYNOD_MESH_NODES_PER_HOST: "3",
        SYNOD_FL_ROUND_INTERVAL_MS: "2000",
        // The keeper queues and executes passed proposals by itself; a slower tick than the
        // page's polls leaves the page a fair chance to do it from its buttons first.
        SYNOD_KEEPER_TICK_MS: "4000",
      },
    });
    system = started.child;

    // The app and the browser start while the system comes up.
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
    app = await startApp(
      { SYNOD_RPC_URL: chainUrl, SYNOD_COORDINATOR_URL: apiUrl, SYNOD_GATEWAY_URL: apiUrl, SYNOD_POLLING_INTERVAL_MS: "500" },
      { port: appPort },
    );
    browser = await launchChromium();
    const context = await newWalletContext(browser, { privateKey: voter.privateKey, rpcUrl: chainUrl });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on("request", (request) => requests.push(request.url()));

    const up = await until(
      "Synod is up",
      async () => (systemOutput().includes("Synod is up.") ? "up" : system.exitCode !== null ? "exited" : undefined),
      120_000,
    ).catch((error: Error) => error.message);
    assert.equal(up, "up", `start.ts: ${up} (exit code ${system.exitCode}):\n${systemOutput().slice(-3000)}`);
    assert.match(systemOutput(), new RegExp(`MeshGovernor\\s+${contracts.MeshGovernor.address}`, "i"), "the app's generated addresses are the deployment's");
    assert.match(systemOutput(), new RegExp(`KnowledgeRegistry\\s+${contracts.KnowledgeRegistry.address}`, "i"));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    if (system && system.exitCode === null && system.signalCode === null) {
      systemTree = [...new Set([...systemTree, ...descendants(system.pid!)])];
      const exited = new Promise((resolve) => system.once("exit", resolve));
      system.kill("SIGINT");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      if (system.exitCode === null && system.signalCode === null) system.kill("SIGKILL");
    }
    // Nothing this test started may outlive it.
    await until("every process of the system gone", async () => (systemTree.every((pid) => !isAlive(pid)) ? true : undefined), 15_000).catch(() => {
      for (const pid of systemTree) if (isAlive(pid)) process.kill(pid, "SIGKILL");
    });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Each listed record once both of its checks are done: [cid, CID check, root check]. */
  const checkedRows = async (count: number): Promise<Array<[string, string, string]>> => {
    await page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('[data-testid="record-row"]')].length === n &&
        ![...document.querySelectorAll('[data-testid="verification"], [data-testid="root-check"]')].some((e) => /checking/.test(e.textContent ?? "")),
      count,
    );
    return page.getByTestId("record-row").evaluateAll((rows) =>
      (rows as unknown as Row[]).map((row): [string, string, string] => [
        row.getAttribute("data-cid") ?? "",
        row.querySelector('[data-testid="verification"]')?.textContent ?? "",
        row.querySelector('[data-testid="root-check"]')?.textContent ?? "",
      ]),
    );
  };

  it("closes the knowledge epoch holding a real FL round's model; the keeper proposes it as a routine proposal", async (t) => {
    // The epoch closes every knowledge.epochSeconds (300 s locally); an operator closes it now,
    // once the keeper has published the latest model's record (pending). An epoch that also
    // holds a Directive (MAPE-K plans one as the mesh settles after start) carries its
    // MeshPolicy calls and is a full vote: then the next round's model goes into the next epoch.
    const token = readFileSync(path.join(dataDir, "admin-token"), "utf8").trim();
    const fullVote = new Set<string>();
    const placed = await until(
      "a routine epoch holding a real FL round's model",
      async () => {
        const latest = await api<{ round: number | null; recordCid: string | null; holdoutAccuracy: number | null }>("/api/fl/model");
        if (latest.round === null || !latest.recordCid || latest.holdoutAccuracy === null || fullVote.has(latest.recordCid)) return undefined;
        const record = await api<KnowledgeRecordResponse>(`/api/knowledge/${latest.recordCid}`);
        // A few rounds' worth of records first, so the epoch page has something to list.
        if (record.status === "pending" && (await api<{ total: number }>("/api/knowledge?status=pending&limit=1")).total >= MIN_EPOCH_RECORDS) {
          const response = await fetch(`${apiUrl}/api/knowledge/epochs/close`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
          assert.equal(response.status, 200, await response.text());
        }
        if (record.epoch === null) return undefined;
        const { epoch: entry } = await api<EpochPage>(`/api/knowledge/epochs/${record.epoch.epoch}?limit=1`);
        if (entry.status === "proposing") return undefined;
        if (entry.proposalType !== "routine") {
          fullVote.add(latest.recordCid);
          t.diagnostic(`epoch ${entry.epoch} is a full vote (${JSON.stringify(entry.counts)}); waiting for the next round's model`);
          return undefined;
        }
        model = latest as typeof model;
        return entry;
      },
      150_000,
    );
    epoch = placed;
    proposalId = BigInt(epoch.proposalId);
    assert.equal(epoch.proposalType, "routine", `epoch ${epoch.epoch} counts ${JSON.stringify(epoch.counts)}: only knowledge writes, so routine`);
    assert.ok(epoch.counts.Model >= 1 && epoch.records >= epoch.counts.Model, JSON.stringify(epoch.counts));
    assert.ok([0, 1].includes(await governorState()), "Pending or Active");
    assert.equal(await chain().readContract({ ...contracts.MeshGovernor, functionName: "proposalType", args: [proposalId] }), 1, "the governor derived Routine from the actions");
    assert.equal((await chain().readContract({ ...contracts.MeshGovernor, functionName: "proposalProposer", args: [proposalId] })).toLowerCase(), KEEPER.toLowerCase());
  });

  it("lists the proposal and connects the injected wallet", async () => {
    await page.goto(`${app!.url}/`);
    await page.getByTestId("proposal-row").filter({ has: page.locator(`a[href="/proposals/${proposalId}"]`) }).waitFor();
    // The keeper may have proposed other epochs; the search finds this one by its title.
    await page.getByLabel("Search").fill(`Synod knowledge epoch ${epoch.epoch}:`);
    await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="proposal-row"]')].length === n, 1);
    const row = page.getByTestId("proposal-row");
    assert.equal(await row.locator(`a[href="/proposals/${proposalId}"]`).count(), 1);
    assert.equal(await row.getByTestId("proposal-type").textContent(), "Routine");
    await page.getByLabel("Search").fill("");
    await page.getByRole("button", { name: "Connect Wallet" }).first().click();
    await page.getByText("Browser Wallet").first().click();
    await page.getByRole("button", { name: "Connect Wallet" }).waitFor({ state: "detached" });
    await page.getByTestId("rk-account-button").getByText("0x70…79C8").waitFor();
  });

  it("shows the routine badge and the veto form first, then the records per kind the keeper counted", async () => {
    await page.goto(`${app!.url}/proposals/${proposalId}`);
    await page.getByTestId("state-badge").first().getByText("Active").waitFor();
    assert.equal(await page.getByTestId("proposal-type").first().textContent(), "Routine");
    await page.getByTestId("veto-form").waitFor();
    await page.getByRole("button", { name: "Vote against to veto" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Cast vote" }).count(), 0, "no For / Against / Abstain form");
    assert.equal(await page.getByTestId("quorum").count(), 0, "a routine proposal shows no quorum");
    await page.getByTestId("vote-weight").getByText("225,000 MESH").waitFor();
    await page.getByText("The text below matches the description hash stored on chain.").waitFor();
    const expected = KNOWLEDGE_KINDS.filter((kind) => epoch.counts[kind] > 0).map((kind) => `${epoch.counts[kind]}${KNOWLEDGE_KIND_LABELS[kind].toLowerCase()}`);
    assert.deepEqual(await page.getByTestId("kind-counts").locator("li").allTextContents(), [...expected, `${epoch.records}record${epoch.records === 1 ? "" : "s"} in all`]);
    assert.equal(await page.getByTestId("epoch-link").getAttribute("href"), `/knowledge/epochs/${epoch.epoch}`);
    assert.deepEqual(await page.getByTestId("headline-link").evaluateAll((links) => links.map((a) => (a as unknown as Row).getAttribute("href"))), epoch.headlines.map((cid) => `/knowledge/${cid}`));
    const vote = await page.getByTestId("veto-form").boundingBox();
    const summary = await page.getByTestId("knowledge-summary").boundingBox();
    assert.ok(vote && summary && vote.y < summary.y, "the veto form comes before the summary");
    await shot("proposal");
  });

  /**
   * Sends `label` (Queue or Execute) from the page once the button is enabled, unless
   * the keeper moved the proposal on first (then the button is gone). The chain says
   * who sent it; returns "dApp" or "keeper".
   */
  const stepFromPage = async (label: "Queue" | "Execute", after: "Queued" | "Executed"): Promise<"dApp" | "keeper"> => {
    await page.waitForFunction(
      ([label, after]) => {
        const button = [...document.querySelectorAll("button")].find((b) => b.textContent === label);
        return (button !== undefined && !button.disabled) || document.querySelector('[data-testid="state-badge"]')?.textContent === after;
      },
      [label, after] as const,
    );
    // The button may go between the check and the click (the keeper's transaction landed): then there is nothing to press.
    await page.getByRole("button", { name: label, exact: true }).click({ timeout: 2_000 }).catch(() => undefined);
    await page.getByTestId("state-badge").first().getByText(after).waitFor();
    const sender = await senderOf(after === "Queued" ? "ProposalQueued" : "ProposalExecuted");
    if (sender.toLowerCase() === voter.address.toLowerCase()) {
      return "dApp"; // (the buttons and their status line are gone once it is executed)
    }
    assert.equal(sender.toLowerCase(), KEEPER.toLowerCase(), `${after} by ${sender}`);
    assert.equal(await page.getByRole("button", { name: label, exact: true }).count(), 0, `the ${label} button is gone once the keeper did it`);
    return "keeper";
  };

  it("passes with no votes: queued after the voting period, executed after the timelock", async (t) => {
    await advancePast(await chain().readContract({ ...contracts.MeshGovernor, functionName: "proposalDeadline", args: [proposalId] }));
    assert.ok([4, 5].includes(await governorState()), "Succeeded (or already queued by the keeper)");
    assert.deepEqual(await chain().readContract({ ...contracts.MeshGovernor, functionName: "proposalVotes", args: [proposalId] }), [0n, 0n, 0n], "nobody voted");
    const queuedBy = await stepFromPage("Queue", "Queued");
    t.diagnostic(`queued by the ${queuedBy}`);
    assert.equal(await governorState(), 5);

    await advancePast(await chain().readContract({ ...contracts.MeshGovernor, functionName: "proposalEta", args: [proposalId] }));
    const executedBy = await stepFromPage("Execute", "Executed");
    t.diagnostic(`executed by the ${executedBy}`);
    assert.equal(await governorState(), 7);
    assert.equal(await chain().readContract({ ...contracts.KnowledgeRegistry, functionName: "epochRoot", args: [BigInt(epoch.epoch)] }), epoch.root, "the registry stores the keeper's root");
  });

  it("shows the epoch: every record of its first page verified against its CID and in the on-chain root", async () => {
    await page.goto(`${app!.url}/knowledge/epochs/${epoch.epoch}`);
    await page.getByTestId("epoch-root").getByText(epoch.root, { exact: true }).waitFor();
    assert.equal(await page.getByTestId("epoch-proposal").getAttribute("href"), `/proposals/${proposalId}`);
    await page.getByTestId("manifest-check").getByText("✓ manifest verified").waitFor();
    const rows = await checkedRows(Math.min(epoch.records, EPOCH_PAGE_SIZE));
    assert.deepEqual(
      rows.filter(([, bytes, leaf]) => bytes !== "✓ verified" || leaf !== "✓ in epoch root"),
      [],
      `every record ✓ verified and ✓ in epoch root (${rows.length} rows)`,
    );
    const { records } = await api<EpochPage>(`/api/knowledge/epochs/${epoch.epoch}?limit=${EPOCH_PAGE_SIZE}`);
    assert.deepEqual(rows.map(([cid]) => cid), records.map((r) => r.cid), "the coordinator's first page, in order");
    assert.ok(
      rows.every(([cid]) => requests.some((url) => url.startsWith(`${apiUrl}/ipfs/${cid}`))),
      "the page fetched every record from the coordinator's gateway",
    );
    await shot("epoch");
  });

  it("shows the model's permalink ratified by that proposal, and the model in the knowledge browser", async () => {
    await page.goto(`${app!.url}/knowledge/${model.recordCid}`);
    await page.getByTestId("verification").getByText("✓ verified").waitFor();
    await page.getByTestId("root-check").getByText("✓ in epoch root").waitFor();
    assert.equal(await page.getByTestId("record-epoch").getAttribute("href"), `/knowledge/epochs/${epoch.epoch}`);
    assert.equal(await page.getByTestId("ratifying-proposal").getAttribute("href"), `/proposals/${proposalId}`);
    assert.equal(await page.getByTestId("model-accuracy").textContent(), `${(model.holdoutAccuracy * 100).toFixed(1)} %`);
    // The coordinator's index agrees (its indexer follows the registry's events).
    const indexed = await until("the coordinator's index to see the record ratified", async () => {
      const entry = await api<KnowledgeRecordResponse>(`/api/knowledge/${model.recordCid}`);
      return entry.status === "ratified" ? entry : undefined;
    }, 30_000);
    assert.equal(indexed.proposalId, proposalId.toString());
    assert.equal(indexed.epoch?.ratified, true);

    // Newer rounds keep adding models (newest first, 25 a page): open the page that holds this one.
    const row = page.getByTestId("record-row").filter({ has: page.getByTestId("record-link").getByText(model.recordCid, { exact: true }) });
    await until(
      "the model's row in the knowledge browser",
      async () => {
        const { records } = await api<{ records: Array<{ cid: string }> }>("/api/knowledge?kind=Model&limit=1000");
        const index = records.findIndex((r) => r.cid === model.recordCid);
        assert.ok(index >= 0, "the coordinator lists the model");
        const pageNumber = Math.floor(index / KNOWLEDGE_PAGE_SIZE) + 1;
        await page.goto(`${app!.url}/knowledge?kind=Model${pageNumber > 1 ? `&page=${pageNumber}` : ""}`);
        await page.getByTestId("record-row").first().waitFor();
        return (await row.count()) === 1 ? true : undefined;
      },
      30_000,
    );
    await row.getByTestId("verification").getByText("✓ verified").waitFor();
    await row.getByTestId("root-check").getByText("✓ in epoch root").waitFor();
    await shot("knowledge");
  });

  it("shows the mesh live from the coordinator: MAPE-K state, nodes, FL progress", async () => {
    await page.goto(`${app!.url}/mesh`);
    await page.getByTestId("coordinator-up").getByText(/^Ready/).waitFor();
    const components = await page.getByTestId("components").locator("tr").allTextContents();
    assert.ok(components.some((row) => /^chainup/.test(row)), components.join(" | "));
    assert.ok(components.some((row) => /^ipfsup/.test(row)), components.join(" | "));
    const state = (await page.getByTestId("mapek-state").first().textContent()) ?? "";
    assert.match(state, /^(EUPHORIC|HARMONIC|CONTEMPLATIVE|MYSTICAL|CHAOTIC|QUIESCENT)$/);
    await page.getByTestId("nodes").getByText(new RegExp(`online of ${MESH_NODES}`)).waitFor();
    await page.getByTestId("node-health").getByText(new RegExp(`healthy of ${MESH_NODES}`)).waitFor();
    const chart = page.getByRole("figure", { name: "Hold-out accuracy after each FL round" });
    await chart.getByText("Data as a table").click();
    const rounds = await chart.locator("table tbody tr").allTextContents();
    assert.ok(rounds.some((row) => row.startsWith(String(model.round))), `the FL progress chart has round ${model.round}: ${rounds.join(" | ")}`);
    await chart.getByText("Data as a table").click();
    await shot("mesh");
  });

  it("lists the executed proposal under the Executed filter", async () => {
    await page.goto(`${app!.url}/`);
    await page.getByRole("button", { name: "Executed", exact: true }).click();
    const row = page.getByTestId("proposal-row").filter({ has: page.locator(`a[href="/proposals/${proposalId}"]`) });
    await row.getByTestId("state-badge").getByText("Executed").waitFor();
    await page.getByRole("button", { name: "All", exact: true }).click();
    await page.getByTestId("proposal-row").first().waitFor();
    await shot("proposals");
  });

  it("stops the whole system cleanly, leaving no process behind", async () => {
    systemTree = descendants(system.pid!);
    assert.ok(systemTree.length >= 4, `chain, coordinator and ${MESH_NODES / 3} node hosts at least: ${systemTree.length} processes`);
    const exited = new Promise<number | null>((resolve) => system.once("exit", (code) => resolve(code)));
    system.kill("SIGINT");
    assert.equal(await exited, 0, systemOutput().slice(-2000));
    await until("every process of the system gone", async () => (systemTree.every((pid) => !isAlive(pid)) ? true : undefined), 15_000);
  });
});
