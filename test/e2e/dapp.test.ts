/**
 * The dApp in a real browser against a real local chain: connect an injected wallet
 * backed by a local account, vote For with a reason, see the tally change, advance
 * time, queue, execute, and see the knowledge record ratified with a verified badge;
 * content that does not match its CID shows "not verified"; a malicious Markdown
 * description renders inert.
 *
 * Set SYNOD_SCREENSHOTS=1 to (re)write the screenshots in docs/img/.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { encodeFunctionData } from "viem";
import { hardhat } from "viem/chains";
import { deployedContracts } from "../../app/contracts/deployedContracts.ts";
import { DEV_ACCOUNTS } from "../../app/lib/devAccounts.ts";
import { createLocalAccountProvider } from "../../app/lib/localAccountProvider.ts";
import { startDappEnvironment } from "./dappFixture.ts";

// Code passed to page.evaluate runs in the browser; these are the browser globals it touches.
declare const window: Record<string, any>;
declare const document: {
  querySelectorAll(selector: string): Iterable<{
    textContent: string | null;
    disabled: boolean;
    tagName: string;
    className: string;
    getBoundingClientRect(): { right: number };
  }>;
  documentElement: { scrollWidth: number; clientWidth: number };
};

const SCREENSHOTS = process.env.SYNOD_SCREENSHOTS === "1" ? path.resolve(import.meta.dirname, "../../docs/img") : undefined;
const TIMEOUT = 20_000;

const MALICIOUS = [
  "# Ratify model round 1 and incident inc-7",
  "",
  "The FL round reached **91 %** hold-out accuracy. [Report](https://example.org/report)",
  "",
  "<script>window.__pwned = 'script'</script>",
  "<img src=x onerror=\"window.__pwned = 'onerror'\">",
  "[click me](javascript:window.__pwned='link')",
  "![pixel](javascript:window.__pwned='image')",
  '<a href="javascript:window.__pwned=\'html-link\'">html link</a>',
  "<iframe src=\"javascript:window.__pwned='iframe'\"></iframe>",
].join("\n");

const MODEL = {
  kind: "Model",
  schemaVersion: 1,
  round: 1,
  createdAt: "2026-11-27T03:00:00.000Z",
  evaluation: { holdoutAccuracy: 0.9132, holdoutLoss: 0.2871, holdoutExamples: 2000 },
  strategy: { name: "multikrum", parameters: { f: 1 } },
  architecture: { name: "mlp", inputShape: [784], outputShape: [10], hiddenLayers: [64], parameterCount: 50890 },
  participants: [
    { nodeId: "node-1", examples: 600 },
    { nodeId: "node-2", examples: 600 },
  ],
  rejectedUpdates: [],
  byzantineFlagged: [],
  privacy: null,
  totalExamples: 1200,
};

const INCIDENT = {
  kind: "Incident",
  schemaVersion: 1,
  round: 1,
  incidentId: "inc-7",
  fault: { kind: "node-failure", description: "node-3 killed", injected: true },
  affectedNodes: ["node-3"],
};

describe("dApp end to end (headless Chromium, local chain)", { timeout: 240_000 }, () => {
  let env: Awaited<ReturnType<typeof startDappEnvironment>>;
  let page: Page;
  let proposalId: bigint;
  let modelCid: string;
  let incidentCid: string;
  const voter = DEV_ACCOUNTS[0];
  const contracts = deployedContracts[31337];

  before(async () => {
    env = await startDappEnvironment();
    // Prepare: the deployment matches the generated addresses the app uses.
    assert.equal(env.governor.address.toLowerCase(), contracts.MeshGovernor.address.toLowerCase());
    assert.equal(env.registry.address.toLowerCase(), contracts.KnowledgeRegistry.address.toLowerCase());

    // Content: the model is served as published; the incident's bytes are forged by the gateway.
    const model = await env.gateway.add(JSON.stringify(MODEL));
    const incident = await env.gateway.add(JSON.stringify(INCIDENT));
    env.gateway.serve(incident.cid, new TextEncoder().encode(JSON.stringify({ ...INCIDENT, affectedNodes: ["node-9"] })));
    modelCid = model.cid.toString();
    incidentCid = incident.cid.toString();

    // A proposal by the keeper (account #0) recording both.
    const [keeper] = await env.connection.viem.getWalletClients();
    const data = encodeFunctionData({
      abi: contracts.KnowledgeRegistry.abi,
      functionName: "recordBatch",
      args: [[
        { kind: 0, schemaVersion: 1, ref: 0, round: 1, cid: model.cidHex },
        { kind: 1, schemaVersion: 1, ref: 0, round: 1, cid: incident.cidHex },
      ]],
    });
    const args = [[contracts.KnowledgeRegistry.address], [0n], [data], MALICIOUS] as const;
    const { result } = await env.governor.simulate.propose(args, { account: keeper!.account.address });
    proposalId = result;
    const publicClient = await env.connection.viem.getPublicClient();
    await publicClient.waitForTransactionReceipt({ hash: await env.governor.write.propose(args, { account: keeper!.account }) });
    await env.connection.networkHelpers.time.increase(2); // past the 1 s voting delay

    // The browser, with an injected EIP-1193 wallet backed by Hardhat account #1 in this process.
    const wallet = createLocalAccountProvider({ privateKey: voter.privateKey, chain: hardhat, rpcUrl: env.rpcUrl });
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.exposeFunction("__synodWalletRequest", async (json: string) => {
      const { method, params } = JSON.parse(json) as { method: string; params?: unknown };
      try {
        return JSON.stringify({ result: await wallet.request({ method, params }) });
      } catch (error) {
        const { code = -32603, message = String(error) } = error as { code?: number; message?: string };
        return JSON.stringify({ error: { code, message } });
      }
    });
    await context.addInitScript(() => {
      const w = window as unknown as { __synodWalletRequest(json: string): Promise<string>; ethereum: unknown };
      w.ethereum = {
        isSynodTestWallet: true,
        async request({ method, params }: { method: string; params?: unknown }) {
          const answer = JSON.parse(await w.__synodWalletRequest(JSON.stringify({ method, params }))) as {
            result?: unknown;
            error?: { code: number; message: string };
          };
          if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
          return answer.result;
        },
        on() {},
        removeListener() {},
      };
    });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await env?.close();
  });

  const shot = async (name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `app-${name}.png`), fullPage: true });
  };

  it("lists the proposal with its state badge and decoded actions", async () => {
    await page.goto(`${env.app.url}/`);
    const row = page.getByTestId("proposal-row").first();
    await row.getByText("Ratify model round 1 and incident inc-7").waitFor();
    assert.equal(await row.getByTestId("state-badge").textContent(), "Active");
    assert.match((await row.textContent()) ?? "", /record Model \(round 1, schema v1\) CID bafkrei/);
  });

  it("connects the injected wallet", async () => {
    await page.getByRole("button", { name: "Connect Wallet" }).first().click();
    await page.getByText("Browser Wallet").first().click();
    await page.getByRole("button", { name: "Connect Wallet" }).waitFor({ state: "detached" });
    await page.getByTestId("rk-account-button").getByText("0x70…79C8").waitFor();
    await page.goto(`${env.app.url}/delegate`);
    await page.getByTestId("voting-power").getByText("225,000 MESH").waitFor();
    assert.equal(await page.getByTestId("delegatee").textContent(), "yourself");
    await shot("delegate");
  });

  it("renders a malicious Markdown description inert", async () => {
    await page.goto(`${env.app.url}/proposals/${proposalId}`);
    const description = page.getByTestId("proposal-description");
    await description.getByText("hold-out accuracy").waitFor();
    assert.equal(await description.locator("script, iframe, [onerror]").count(), 0);
    const hrefs = await description.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
    assert.ok(hrefs.includes("https://example.org/report"), `links: ${hrefs}`);
    assert.ok(hrefs.every((href) => !/^\s*javascript:/i.test(href)), `links: ${hrefs}`);
    const sources = await description.locator("img").evaluateAll((imgs) => imgs.map((img) => img.getAttribute("src") ?? ""));
    assert.ok(sources.every((src) => !/^\s*javascript:/i.test(src)), `images: ${sources}`);
    // Clicking every link must not run anything either.
    for (const link of await description.locator("a").all()) {
      if ((await link.getAttribute("href"))?.startsWith("http")) continue;
      await link.click({ noWaitAfter: true }).catch(() => undefined);
    }
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned), undefined);
    assert.deepEqual(
      await page.getByTestId("decoded-actions").locator("li").allTextContents().then((items) => items.map((t) => t.split(" — ")[0])),
      [`record Model (round 1, schema v1) CID ${modelCid}`, `record Incident (round 1, schema v1) CID ${incidentCid}`],
    );
  });

  it("votes For with a reason and sees the tally change", async () => {
    assert.match((await page.getByTestId("tally-for").textContent()) ?? "", /^0 MESH/);
    await page.getByTestId("vote-weight").getByText("225,000 MESH").waitFor();
    await page.getByLabel("For", { exact: true }).check();
    await page.getByLabel(/^Reason/).fill("Accuracy is up and the incident was healed.");
    await page.getByRole("button", { name: "Cast vote" }).click();
    await page.getByTestId("voted").waitFor();
    await page.getByTestId("tally-for").getByText("225,000 MESH (100.0 %)").waitFor();
    await page.getByTestId("quorum").getByText("quorum reached").waitFor();
    await page.getByTestId("voters").getByText("Accuracy is up and the incident was healed.").waitFor();
    await shot("proposal");
  });

  it("queues after the vote and executes after the timelock", async () => {
    const deadline = await env.governor.read.proposalDeadline([proposalId]);
    await env.connection.networkHelpers.time.increaseTo(deadline + 1n);
    await page.getByTestId("state-badge").getByText("Succeeded").waitFor();
    await page.getByRole("button", { name: "Queue" }).click();
    await page.getByTestId("state-badge").getByText("Queued").waitFor();
    const execute = page.getByRole("button", { name: "Execute" });
    assert.equal(await execute.isDisabled(), true, "Execute must wait for the timelock");
    const eta = await env.governor.read.proposalEta([proposalId]);
    await env.connection.networkHelpers.time.increaseTo(eta + 1n);
    await page.waitForFunction(() => {
      const button = [...document.querySelectorAll("button")].find((b) => b.textContent === "Execute");
      return button !== undefined && !button.disabled;
    });
    await execute.click();
    await page.getByTestId("state-badge").getByText("Executed").waitFor();
    assert.equal(await env.governor.read.state([proposalId]), 7);
  });

  it("shows the model as ratified by the proposal, with a verified badge", async () => {
    await page.goto(`${env.app.url}/knowledge?kind=Model`);
    const record = page.getByTestId("record").first();
    await record.getByTestId("verification").getByText("✓ verified").waitFor();
    assert.equal(await record.getByTestId("cid").textContent(), modelCid);
    assert.equal(await record.getByTestId("ratified").textContent(), "ratified");
    assert.equal(await record.getByTestId("ratifying-proposal").getAttribute("href"), `/proposals/${proposalId}`);
    assert.equal(await record.getByTestId("model-accuracy").textContent(), "91.3 %");
    assert.ok(env.gateway.requests.some((url) => url.startsWith(`/ipfs/${modelCid}`)), "fetched from the gateway");
    await shot("knowledge");
  });

  it("shows content that does not match its CID as not verified, without rendering it", async () => {
    await page.goto(`${env.app.url}/knowledge?kind=Incident`);
    const record = page.getByTestId("record").first();
    await record.getByTestId("verification").getByText("✗ not verified").waitFor();
    assert.equal(await record.getByTestId("cid").textContent(), incidentCid);
    assert.equal(await record.getByText("node-9").count(), 0);
  });

  it("says clearly when the coordinator is not reachable", async () => {
    await page.goto(`${env.app.url}/mesh`);
    await page.getByTestId("coordinator-down").getByText("Coordinator not reachable", { exact: true }).waitFor();
    await shot("mesh");
  });

  it("lists executed proposals under the Executed filter, and fits a phone screen", async () => {
    await page.goto(`${env.app.url}/`);
    await page.getByRole("button", { name: "Executed", exact: true }).click();
    await page.getByTestId("proposal-row").getByTestId("state-badge").getByText("Executed").waitFor();
    await page.getByRole("button", { name: "Active", exact: true }).click();
    await page.getByText("No proposal matches.").waitFor();
    await page.getByRole("button", { name: "All", exact: true }).click();
    await shot("proposals");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${env.app.url}/proposals/${proposalId}`);
    await page.getByTestId("state-badge").getByText("Executed").waitFor();
    await shot("proposal-phone");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 5)
        .map((e) => `${e.tagName}.${e.className}`),
    );
    assert.ok(overflow <= 1, `horizontal overflow on a phone: ${overflow}px (${wide.join(", ")})`);
  });
});

