/**
 * The dApp end to end against the real system: `scripts/start.ts --no-app` (the embedded
 * Hardhat node with the Ignition deployment, the coordinator with its embedded IPFS, a
 * small mesh in node-host processes, the MAPE-K loop, FL rounds and the knowledge
 * keeper) and the built app (`next start`) pointed at that chain, that coordinator and
 * the coordinator's own `/ipfs` gateway, driven in headless Chromium with an injected
 * wallet backed by demo account #1.
 *
 * The keeper proposes the first FL round's model; the page shows its actions decoded,
 * votes For with a reason and sees the tally change; the test moves the chain's time
 * (`evm_increaseTime` + `evm_mine`); the proposal is queued and executed — from the
 * page's buttons when the keeper, which moves passed proposals on by itself, has not
 * done it first (the chain says who sent each step, and the test reports which path
 * ran); the knowledge browser then shows the model record ratified with ✓ verified,
 * its bytes fetched from the coordinator's gateway and hashed in the browser, and the
 * mesh page shows the live coordinator (MAPE-K state, nodes, FL progress).
 *
 * `test/e2e/dapp.test.ts` covers what needs a stand-in (a gateway that lies, a
 * malicious description, a coordinator that goes away).
 *
 * Set SYNOD_SCREENSHOTS=1 to (re)write docs/img/app-{proposals,proposal,knowledge,mesh}.png.
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

const root = path.resolve(import.meta.dirname, "../..");
const SCREENSHOTS = process.env.SYNOD_SCREENSHOTS === "1" ? path.join(root, "docs/img") : undefined;
const TIMEOUT = 30_000;
const MESH_NODES = 6;
const KEEPER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"; // Hardhat account #0: the coordinator's signer on the local chain

type ProposalEntry = { id: string; state: string; epoch: { headlines: string[] } | null };

describe("dApp end to end against the real system (npm start --no-app, headless Chromium)", { timeout: 240_000 }, () => {
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

  it("the keeper proposes the first FL round's model", async () => {
    model = await until(
      "a completed FL round",
      async () => {
        const body = await api<{ round: number | null; recordCid: string | null; holdoutAccuracy: number | null }>("/api/fl/model");
        return body.round !== null && body.recordCid && body.holdoutAccuracy !== null ? (body as typeof model) : undefined;
      },
      90_000,
    );
    // The epoch closes every knowledge.epochSeconds (300 s locally); an operator closes it now.
    const token = readFileSync(path.join(dataDir, "admin-token"), "utf8").trim();
    const proposal = await until(
      "the keeper's proposal of that model",
      async () => {
        const record = await api<{ status: string; epoch: { epoch: number } | null }>(`/api/knowledge/${model.recordCid}`);
        if (record.status === "pending") await fetch(`${apiUrl}/api/knowledge/epochs/close`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
        return (await api<{ proposals: ProposalEntry[] }>("/api/proposals?limit=500")).proposals.find((p) => p.epoch?.headlines.includes(model.recordCid));
      },
      60_000,
    );
    proposalId = BigInt(proposal.id);
    assert.ok(["Pending", "Active"].includes(proposal.state), proposal.state);
    assert.equal((await chain().readContract({ ...contracts.MeshGovernor, functionName: "proposalProposer", args: [proposalId] })).toLowerCase(), KEEPER.toLowerCase());
  });

  it("lists the proposal and connects the injected wallet", async () => {
    await page.goto(`${app!.url}/`);
    await page.getByTestId("proposal-row").filter({ has: page.locator(`a[href="/proposals/${proposalId}"]`) }).waitFor();
    // The batch may carry many records (MAPE-K snapshots, incidents, directives); the search finds the model's CID among its actions.
    await page.getByLabel("Search").fill(model.recordCid);
    await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="proposal-row"]')].length === n, 1);
    assert.equal(await page.getByTestId("proposal-row").locator(`a[href="/proposals/${proposalId}"]`).count(), 1);
    await page.getByLabel("Search").fill("");
    await page.getByRole("button", { name: "Connect Wallet" }).first().click();
    await page.getByText("Browser Wallet").first().click();
    await page.getByRole("button", { name: "Connect Wallet" }).waitFor({ state: "detached" });
    await page.getByTestId("rk-account-button").getByText("0x70…79C8").waitFor();
  });

  it("shows the proposal's actions decoded, votes For with a reason and sees the tally change", async () => {
    await page.goto(`${app!.url}/proposals/${proposalId}`);
    const actions = page.getByTestId("decoded-actions");
    await actions.getByText(model.recordCid).waitFor();
    const lines = (await actions.locator("li").allTextContents()).map((t) => t.split(" — ")[0]);
    assert.ok(lines.includes(`record Model (round ${model.round}, schema v1) CID ${model.recordCid}`), lines.join("\n"));
    await page.getByText("The text below matches the description hash stored on chain.").waitFor();
    await page.getByTestId("state-badge").getByText("Active").waitFor();
    assert.match((await page.getByTestId("tally-for").textContent()) ?? "", /^0 MESH/);
    await page.getByTestId("vote-weight").getByText("225,000 MESH").waitFor();
    await page.getByLabel("For", { exact: true }).check();
    await page.getByLabel(/^Reason/).fill("Hold-out accuracy is good; ratify this round's model.");
    await page.getByRole("button", { name: "Cast vote" }).click();
    await page.getByTestId("voted").waitFor();
    await page.getByTestId("tally-for").getByText("225,000 MESH (100.0 %)").waitFor();
    await page.getByTestId("quorum").getByText("quorum reached").waitFor();
    await page.getByTestId("voters").getByText("Hold-out accuracy is good; ratify this round's model.").waitFor();
    const [against, forVotes] = await chain().readContract({ ...contracts.MeshGovernor, functionName: "proposalVotes", args: [proposalId] });
    assert.equal(forVotes, 225_000n * 10n ** 18n);
    assert.equal(against, 0n);
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
    await page.getByTestId("state-badge").getByText(after).waitFor();
    const sender = await senderOf(after === "Queued" ? "ProposalQueued" : "ProposalExecuted");
    if (sender.toLowerCase() === voter.address.toLowerCase()) {
      return "dApp"; // (the buttons and their status line are gone once it is executed)
    }
    assert.equal(sender.toLowerCase(), KEEPER.toLowerCase(), `${after} by ${sender}`);
    assert.equal(await page.getByRole("button", { name: label, exact: true }).count(), 0, `the ${label} button is gone once the keeper did it`);
    return "keeper";
  };

  it("queues after the voting period and executes after the timelock", async (t) => {
    await advancePast(await chain().readContract({ ...contracts.MeshGovernor, functionName: "proposalDeadline", args: [proposalId] }));
    assert.ok([4, 5].includes(await governorState()), "Succeeded (or already queued by the keeper)");
    const queuedBy = await stepFromPage("Queue", "Queued");
    t.diagnostic(`queued by the ${queuedBy}`);
    assert.equal(await governorState(), 5);

    await advancePast(await chain().readContract({ ...contracts.MeshGovernor, functionName: "proposalEta", args: [proposalId] }));
    const executedBy = await stepFromPage("Execute", "Executed");
    t.diagnostic(`executed by the ${executedBy}`);
    assert.equal(await governorState(), 7);
    await page.getByTestId("voters").getByText("Hold-out accuracy is good; ratify this round's model.").waitFor();
    await shot("proposal");
  });

  it("shows the model record ratified by that proposal, verified against the coordinator's gateway", async () => {
    await page.goto(`${app!.url}/knowledge?kind=Model`);
    const record = page.getByTestId("record").filter({ has: page.getByTestId("cid").getByText(model.recordCid, { exact: true }) });
    await record.getByTestId("verification").getByText("✓ verified").waitFor();
    assert.equal(await record.getByTestId("ratified").textContent(), "ratified");
    assert.equal(await record.getByTestId("ratifying-proposal").getAttribute("href"), `/proposals/${proposalId}`);
    assert.equal(await record.getByTestId("model-accuracy").textContent(), `${(model.holdoutAccuracy * 100).toFixed(1)} %`);
    assert.ok(
      requests.some((url) => url.startsWith(`${apiUrl}/ipfs/${model.recordCid}`)),
      `the page fetched the record from the coordinator's gateway: ${requests.filter((u) => u.includes("/ipfs/")).join(", ")}`,
    );
    // The coordinator's index agrees (its indexer follows the registry's events).
    const indexed = await until("the coordinator's index to see the record ratified", async () => {
      const entry = await api<{ status: string; proposalId: string | null }>(`/api/knowledge/${model.recordCid}`);
      return entry.status === "ratified" ? entry : undefined;
    }, 30_000);
    assert.equal(indexed.proposalId, proposalId.toString());
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
