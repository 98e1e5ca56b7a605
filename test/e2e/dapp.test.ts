/**
 * The dApp in a real browser against a real local chain: connect an injected wallet
 * backed by a local account, vote For with a reason, see the tally change, advance
 * time, queue, execute, and see the knowledge record ratified with a verified badge;
 * content that does not match its CID shows "not verified"; a malicious Markdown
 * description renders inert.
 *
 * Set SYNOD_SCREENSHOTS=1 to (re)write docs/img/app-{connect,delegate,proposal-phone}.png;
 * the proposals, proposal, knowledge and mesh screenshots come from the real system
 * (test/e2e/dappLive.test.ts).
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { SynodEvent } from "../../coordinator/events.ts";
import { CID } from "multiformats/cid";
import { encodeFunctionData, stringToHex, type Hex } from "viem";
import type { EpochManifestV1 } from "../../coordinator/knowledge/schemas/epochManifest.ts";
import { epochTree } from "../../coordinator/knowledge/epochTree.ts";
import { deployedContracts } from "../../app/contracts/deployedContracts.ts";
import { DEV_ACCOUNTS } from "../../app/lib/devAccounts.ts";
import { newWalletContext, serveCoordinatorApi, standInEpoch, startDappEnvironment, type CoordinatorApiData } from "./dappFixture.ts";

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
const TIMEOUT = 30_000;

const MALICIOUS = [
  "# Ratify model round 1 and incident inc-7",
  "",
  "The FL round reached **91 %** hold-out accuracy. [Report](https://example.org/report)",
  "",
  "| # | kind | round |",
  "|---|---|---|",
  "| 1 | Model | 1 |",
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
    // With a MeshPolicy change besides the records, the Governor makes it a full vote.
    const policy = encodeFunctionData({
      abi: contracts.MeshPolicy.abi,
      functionName: "setParameter",
      args: [stringToHex("fl.targetParticipants", { size: 32 }), 15n],
    });
    const args = [[contracts.KnowledgeRegistry.address, contracts.MeshPolicy.address], [0n, 0n], [data, policy], MALICIOUS] as const;
    const { result } = await env.governor.simulate.propose(args, { account: keeper!.account.address });
    proposalId = result;
    const publicClient = await env.connection.viem.getPublicClient();
    await publicClient.waitForTransactionReceipt({ hash: await env.governor.write.propose(args, { account: keeper!.account }) });
    await env.connection.networkHelpers.time.increase(2); // past the 1 s voting delay

    // The browser, with an injected EIP-1193 wallet backed by Hardhat account #1 in this process.
    const context = await newWalletContext(env.browser, { privateKey: voter.privateKey, rpcUrl: env.rpcUrl });
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
    assert.equal(await row.getByTestId("proposal-type").textContent(), "Full vote");
    assert.match((await row.textContent()) ?? "", /record Model \(round 1, schema v1\) CID bafkrei/);
  });

  it("connects the injected wallet", async () => {
    await page.getByRole("button", { name: "Connect Wallet" }).first().click();
    await page.getByText("Dev account #1 (local demo key)").waitFor();
    if (SCREENSHOTS) await page.waitForTimeout(600); // let the modal finish fading in
    await shot("connect");
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
    assert.deepEqual(await description.locator("table td").allTextContents(), ["1", "Model", "1"]);
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
      [`record Model (round 1, schema v1) CID ${modelCid}`, `record Incident (round 1, schema v1) CID ${incidentCid}`, "set fl.targetParticipants to 15"],
    );
    assert.equal(await page.getByTestId("proposal-type").first().textContent(), "Full vote");
    assert.deepEqual(await page.getByTestId("kind-counts").locator("li").allTextContents(), ["1models", "1incidents", "2records in all"]);
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
  });

  it("shows content that does not match its CID as not verified, without rendering it", async () => {
    await page.goto(`${env.app.url}/knowledge?kind=Incident`);
    const record = page.getByTestId("record").first();
    await record.getByTestId("verification").getByText("✗ not verified").waitFor();
    assert.equal(await record.getByTestId("cid").textContent(), incidentCid);
    assert.equal(await record.getByText("node-9").count(), 0);
  });

  it("shows the mesh live from the coordinator, and says clearly when it is not reachable", async () => {
    const time = (s: number) => new Date(Date.UTC(2026, 10, 27, 3, 0, s)).toISOString();
    const coordinator = await serveCoordinatorApi(Number(new URL(env.coordinatorUrl).port), {
      status: {
        name: "synod-coordinator",
        version: "0.1.0",
        node: "v22",
        pid: 1,
        startedAt: time(0),
        uptimeSeconds: 754,
        config: {},
        components: {
          chain: { status: "up", critical: true, latencyMs: 3 },
          ipfs: { status: "up", critical: true, latencyMs: 1 },
          telegram: { status: "down", critical: false, latencyMs: 0, error: "TELEGRAM_BOT_TOKEN is not set" },
        },
        ready: true,
        eventStreamClients: 1,
      },
      flStatus: {
        nodes: { total: 12, online: 11, banned: 1 },
        rounds: { completed: 4, failed: 1, running: 0 },
        updates: { accepted: 40, rejected: 3 },
        current: null,
      },
      flMetrics: {
        rounds: { completed: 4, failed: 1 },
        updates: { accepted: 40, rejected: 3, rejectedByReason: { "bad-signature": 1, "non-finite": 2 } },
        byzantineDetections: 2,
        accuracy: [
          { round: 1, accuracy: 0.62, loss: 1.1 },
          { round: 2, accuracy: 0.78, loss: 0.7 },
          { round: 3, accuracy: 0.86, loss: 0.45 },
        ],
      },
      events: [
        { id: 1, type: "mapek.state.changed", time: time(10), data: { from: "HARMONIC", to: "CHAOTIC", phi: 0.41 } },
        { id: 2, type: "mesh.incident", time: time(11), data: { incidentId: "inc-7", phase: "detected", fault: "node-failure", nodes: ["node-3"] } },
        { id: 3, type: "mesh.incident", time: time(14), data: { incidentId: "inc-7", phase: "healed", fault: "node-failure", nodes: ["node-3"] } },
        { id: 4, type: "mapek.state.changed", time: time(15), data: { from: "CHAOTIC", to: "HARMONIC", phi: 1.21 } },
        { id: 5, type: "fl.round.finished", time: time(20), data: { round: 4, status: "completed", participants: 10, holdoutAccuracy: 0.9132 } },
      ] as SynodEvent[],
    });
    try {
      await page.goto(`${env.app.url}/mesh`);
      await page.getByTestId("coordinator-up").getByText("Ready").waitFor();
      await page.getByText("HARMONIC", { exact: true }).waitFor();
      assert.match((await page.getByTestId("nodes").textContent()) ?? "", /11 online of 12/);
      assert.deepEqual(await page.getByTestId("components").locator("tr").allTextContents(), [
        "chainup3 ms",
        "ipfsup1 ms",
        "telegram (optional)down TELEGRAM_BOT_TOKEN is not set0 ms",
      ]);
      await page.getByText("healed: node-failure on node-3").waitFor();
      // rounds 1–3 from /api/fl/metrics and round 4 from the live event, in the chart's table
      await page.getByText("Data as a table").click();
      assert.deepEqual(await page.locator("figure table tbody tr").allTextContents(), ["10.62", "20.78", "30.86", "40.9132"]);
    } finally {
      await coordinator.stop();
    }
    await page.getByTestId("coordinator-down").getByText("Coordinator not reachable", { exact: true }).waitFor();
  });

  describe("a knowledge epoch ratified by a routine proposal", () => {
    const EPOCH = 1;
    let epochProposalId: bigint;
    let manifest: EpochManifestV1;
    let manifestCid: string;
    const contents = new Map<string, unknown>();
    let outsiderCid: string;
    let root: Hex;
    // A coordinator that lists the epoch with one field changed and one record from outside.
    const TAMPERED = 3;
    const coordinatorPort = () => Number(new URL(env.coordinatorUrl).port);
    const standIn = (): CoordinatorApiData => ({
      status: { name: "synod-coordinator", version: "0.1.0", node: "v22", pid: 1, startedAt: manifest.openedAt, uptimeSeconds: 1, config: {}, components: {}, ready: true, eventStreamClients: 0 },
      flStatus: {},
      flMetrics: {},
      events: [],
      knowledge: {
        epochs: [
          standInEpoch({
            manifest,
            manifestCid,
            proposalId: epochProposalId,
            contents,
            list: (records) => [
              ...records.map((r, i) => (i === TAMPERED ? { ...r, round: r.round + 1000 } : r)),
              // Real bytes under a real CID, but not in the epoch: it borrows another record's leaf and proof.
              { ...records[15]!, cid: outsiderCid, round: 77, position: records.length, headline: false },
            ],
          }),
        ],
      },
    });

    /** Each listed record once both checks are done: [cid, CID check, root check]. */
    const checkedRows = async (count: number) => {
      await page.waitForFunction(`(() => {
        const rows = document.querySelectorAll('[data-testid="record-row"]');
        return rows.length === ${count} && ![...document.querySelectorAll('[data-testid="verification"], [data-testid="root-check"]')].some((e) => /checking/.test(e.textContent));
      })()`);
      return page.getByTestId("record-row").evaluateAll((rows) =>
        rows.map((row) => [row.getAttribute("data-cid") ?? "", row.querySelector('[data-testid="verification"]')?.textContent ?? "", row.querySelector('[data-testid="root-check"]')?.textContent ?? ""]),
      );
    };

    before(async () => {
      // 30 records: 12 models (each naming its parent), 10 incidents, 8 MAPE-K snapshots, published to the gateway.
      const records: EpochManifestV1["records"] = [];
      let parent: string | null = null;
      for (let i = 0; i < 30; i++) {
        const kind = i < 12 ? 0 : i < 22 ? 1 : 3;
        const round = i < 12 ? i + 1 : i;
        const content =
          kind === 0
            ? { ...MODEL, round, parentModelCid: parent, evaluation: { ...MODEL.evaluation, holdoutAccuracy: 0.5 + i / 40 } }
            : kind === 1
              ? { ...INCIDENT, round, incidentId: `inc-${i}` }
              : { kind: "MapekSnapshot", schemaVersion: 1, round, state: "HARMONIC", phi: 1.2 };
        const { cid } = await env.gateway.add(JSON.stringify(content));
        contents.set(cid.toString(), content);
        records.push({ cid: cid.toString(), kind, schemaVersion: 1, round, refCid: kind === 0 ? parent : null, summary: `${["Model", "Incident", "", "MapekSnapshot"][kind]} of round ${round}` });
        if (kind === 0) parent = cid.toString();
      }
      const outsider = { ...INCIDENT, round: 77, incidentId: "inc-outside" };
      outsiderCid = (await env.gateway.add(JSON.stringify(outsider))).cid.toString();
      contents.set(outsiderCid, outsider);
      const tree = epochTree(EPOCH, records);
      root = tree.root as Hex;
      manifest = {
        kind: "EpochManifest",
        schemaVersion: 1,
        epoch: EPOCH,
        chainId: 31337,
        registry: contracts.KnowledgeRegistry.address,
        openedAt: "2026-12-03T10:00:00.000Z",
        closedAt: "2026-12-03T10:05:00.000Z",
        leafEncoding: ["uint64", "uint8", "uint16", "uint32", "bytes", "bytes"],
        root,
        counts: { Model: 12, Incident: 10, ChaosReport: 0, MapekSnapshot: 8, Directive: 0 },
        headlines: [records[11]!.cid],
        records,
      };
      const published = await env.gateway.add(JSON.stringify(manifest));
      manifestCid = published.cid.toString();

      // The keeper's proposal: the epoch's root and its headline model, a routine proposal.
      const [keeper] = await env.connection.viem.getWalletClients();
      const registry = contracts.KnowledgeRegistry;
      const headline = records[11]!;
      const actions = [
        encodeFunctionData({ abi: registry.abi, functionName: "recordEpoch", args: [BigInt(EPOCH), root, published.cidHex, [12, 10, 0, 8, 0]] }),
        encodeFunctionData({
          abi: registry.abi,
          functionName: "recordBatch",
          args: [[{ kind: 0, schemaVersion: 1, ref: 0, round: headline.round, cid: (await env.gateway.add(JSON.stringify(contents.get(headline.cid)))).cidHex }]],
        }),
      ];
      const args = [[registry.address, registry.address], [0n, 0n], actions, "# Knowledge epoch 1\n\n30 records."] as const;
      epochProposalId = (await env.governor.simulate.propose(args, { account: keeper!.account.address })).result;
      const publicClient = await env.connection.viem.getPublicClient();
      await publicClient.waitForTransactionReceipt({ hash: await env.governor.write.propose(args, { account: keeper!.account }) });
      await env.connection.networkHelpers.time.increase(2);
    });

    it("puts the veto form first on a routine proposal, then the counts per kind and the headline records", async () => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${env.app.url}/proposals/${epochProposalId}`);
      await page.getByTestId("state-badge").getByText("Active").waitFor();
      assert.equal(await page.getByTestId("proposal-type").first().textContent(), "Routine");
      await page.getByTestId("veto-form").waitFor();
      await page.getByRole("button", { name: "Vote against to veto" }).waitFor();
      assert.equal(await page.getByRole("button", { name: "Cast vote" }).count(), 0);
      assert.match((await page.getByTestId("veto-threshold").textContent()) ?? "", /^0 MESH against of 100,000 MESH that veto it \(0\.0 %\) — 100,000 MESH more against would veto it$/);
      assert.equal(await page.getByTestId("quorum").count(), 0, "a routine proposal shows no quorum");
      assert.deepEqual(await page.getByTestId("kind-counts").locator("li").allTextContents(), ["12models", "10incidents", "8mape-k snapshots", "30records in all"]);
      assert.equal(await page.getByTestId("epoch-link").getAttribute("href"), `/knowledge/epochs/${EPOCH}`);
      assert.equal(await page.getByTestId("headline-link").getAttribute("href"), `/knowledge/${manifest.headlines[0]}`);
      const vote = await page.getByTestId("veto-form").boundingBox();
      const summary = await page.getByTestId("knowledge-summary").boundingBox();
      assert.ok(vote && summary && vote.y < summary.y, "the veto form comes before the summary");
      if (SCREENSHOTS) await shot("proposal-routine");
      await page.screenshot({ path: "/tmp/synod-proposal-routine.png", fullPage: true });
      await page.goto(`${env.app.url}/`);
      const row = page.getByTestId("proposal-row").first();
      await row.getByRole("link", { name: "Knowledge epoch 1" }).waitFor();
      assert.equal(await row.getByTestId("proposal-type").textContent(), "Routine");
    });

    it("passes with no votes; the epoch page checks every record against the on-chain root and its CID", async () => {
      const deadline = await env.governor.read.proposalDeadline([epochProposalId]);
      await env.connection.networkHelpers.time.increaseTo(deadline + 1n);
      assert.equal(await env.governor.read.state([epochProposalId]), 4, "Succeeded without a vote");
      const [keeper] = await env.connection.viem.getWalletClients();
      const publicClient = await env.connection.viem.getPublicClient();
      await publicClient.waitForTransactionReceipt({ hash: await env.governor.write.queue([epochProposalId], { account: keeper!.account }) });
      await env.connection.networkHelpers.time.increaseTo((await env.governor.read.proposalEta([epochProposalId])) + 1n);
      await publicClient.waitForTransactionReceipt({ hash: await env.governor.write.execute([epochProposalId], { account: keeper!.account }) });
      assert.equal(await env.registry.read.epochRoot([BigInt(EPOCH)]), root);

      const coordinator = await serveCoordinatorApi(coordinatorPort(), standIn());
      try {
        await page.goto(`${env.app.url}/knowledge/epochs/${EPOCH}`);
        assert.equal(await page.getByTestId("epoch-root").textContent(), root);
        assert.equal(await page.getByTestId("epoch-proposal").getAttribute("href"), `/proposals/${epochProposalId}`);
        await page.getByTestId("manifest-check").getByText("✓ manifest verified").waitFor();
        const first = await checkedRows(25);
        const tampered = manifest.records[TAMPERED]!.cid;
        for (const [cid, bytes, leaf] of first) {
          assert.equal(bytes, "✓ verified", cid);
          assert.equal(leaf, cid === tampered ? "✗ not in root" : "✓ in epoch root", cid);
        }
        assert.deepEqual(first.map(([cid]) => cid), manifest.records.slice(0, 25).map((r) => r.cid));
        await page.screenshot({ path: "/tmp/synod-epoch.png", fullPage: true }); // docs/img/app-epoch.png comes from the real system (dappLive.test.ts)
        await page.getByTestId("pager").getByRole("link", { name: "Older →" }).click();
        const second = await checkedRows(6);
        assert.deepEqual(second.map(([cid, , leaf]) => [cid, leaf]), [
          ...manifest.records.slice(25).map((r) => [r.cid, "✓ in epoch root"]),
          [outsiderCid, "✗ not in root"],
        ]);
        assert.ok(second.every(([, bytes]) => bytes === "✓ verified"), "the outsider's bytes match its CID; only the root check catches it");
        // Filtered by kind.
        await page.goto(`${env.app.url}/knowledge/epochs/${EPOCH}?kind=MapekSnapshot`);
        assert.deepEqual((await checkedRows(8)).map(([, , leaf]) => leaf), Array(8).fill("✓ in epoch root"));

        // The knowledge browser pages through every model from the coordinator, each checked the same way.
        await page.goto(`${env.app.url}/knowledge?kind=Model`);
        const models = await checkedRows(12);
        assert.deepEqual(models.map(([cid, , leaf]) => [cid, leaf]), manifest.records.slice(0, 12).map((r, i) => [r.cid, i === TAMPERED ? "✗ not in root" : "✓ in epoch root"]));

        // Permalinks: the headline model, verified, ratified by the epoch's proposal as the chain says; the tampered record is not.
        await page.goto(`${env.app.url}/knowledge/${manifest.records[5]!.cid}`);
        await page.getByTestId("root-check").getByText("✓ in epoch root").waitFor();
        await page.getByTestId("verification").getByText("✓ verified").waitFor();
        assert.equal(await page.getByTestId("ratifying-proposal").getAttribute("href"), `/proposals/${epochProposalId}`);
        assert.equal(await page.getByTestId("model-accuracy").textContent(), "62.5 %");
        await page.screenshot({ path: "/tmp/synod-permalink.png", fullPage: true });
        await page.goto(`${env.app.url}/knowledge/${tampered}`);
        await page.getByTestId("root-check").getByText("✗ not in root").waitFor();
        await page.getByTestId("root-mismatch").waitFor();

        // A model whose bytes the gateway forges: ✗ not verified, yet its leaf — naming its parent,
        // the coordinator's `refCid` — is rebuilt without the content and is in the root.
        const forged = manifest.records[8]!;
        assert.ok(forged.refCid, "a model with a parent");
        const bytesOf = (content: unknown) => new TextEncoder().encode(JSON.stringify(content));
        env.gateway.serve(CID.parse(forged.cid), bytesOf({ ...(contents.get(forged.cid) as object), round: 999 }));
        try {
          await page.goto(`${env.app.url}/knowledge/${forged.cid}`);
          await page.getByTestId("verification").getByText("✗ not verified").waitFor();
          await page.getByTestId("root-check").getByText("✓ in epoch root").waitFor();
          await page.goto(`${env.app.url}/knowledge?kind=Model`);
          assert.deepEqual((await checkedRows(12)).find(([cid]) => cid === forged.cid), [forged.cid, "✗ not verified", "✓ in epoch root"]);
        } finally {
          env.gateway.serve(CID.parse(forged.cid), bytesOf(contents.get(forged.cid)));
        }
      } finally {
        await coordinator.stop();
      }
    });

    it("without the coordinator, says so and lists the epoch from its verified manifest", async () => {
      await page.goto(`${env.app.url}/knowledge/epochs/${EPOCH}`);
      await page.getByTestId("coordinator-down").getByText("Coordinator not reachable").waitFor();
      const rows = await checkedRows(25);
      assert.deepEqual(rows.map(([cid, bytes, leaf]) => [cid, bytes, leaf]), manifest.records.slice(0, 25).map((r) => [r.cid, "✓ verified", "✓ in epoch root"]));
      await page.goto(`${env.app.url}/knowledge/epochs`);
      await page.getByTestId("coordinator-down").waitFor();
      await page.getByTestId("epoch-row").getByText(`Epoch ${EPOCH}`).waitFor();
      await page.goto(`${env.app.url}/knowledge/${manifest.records[5]!.cid}`);
      await page.getByTestId("coordinator-down").waitFor();
      await page.getByTestId("verification").getByText("✓ verified").waitFor();
    });
  });

  it("connects a local dev account without any wallet installed", async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const fresh = await context.newPage();
      fresh.setDefaultTimeout(TIMEOUT);
      await fresh.goto(`${env.app.url}/delegate`);
      assert.equal(await fresh.evaluate(() => "ethereum" in window), false);
      await fresh.getByRole("button", { name: "Connect Wallet" }).first().click();
      await fresh.getByText("Dev account #2 (local demo key)").click();
      await fresh.getByTestId("rk-account-button").getByText("0x3C…93BC").waitFor();
      await fresh.getByTestId("voting-power").getByText("225,000 MESH").waitFor();
    } finally {
      await context.close();
    }
  });

  it("asks a wallet on another chain to switch", async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      // A wallet on Ethereum mainnet; it declines the switch asked for while connecting
      // with an internal error (not a user rejection) and accepts once `__allowSwitch` is set.
      // Plain JavaScript: the test's TypeScript is transpiled with helpers the page does not have.
      await context.addInitScript({
        content: `
          const listeners = {};
          const account = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
          let chainId = "0x1";
          let connected = false;
          window.ethereum = {
            async request({ method, params }) {
              switch (method) {
                case "eth_chainId": return chainId;
                case "eth_accounts": return connected ? [account] : [];
                case "eth_requestAccounts": connected = true; return [account];
                case "wallet_switchEthereumChain":
                  if (!window.__allowSwitch) throw Object.assign(new Error("the wallet could not switch now"), { code: -32603 });
                  chainId = params[0].chainId;
                  for (const listener of listeners.chainChanged || []) listener(chainId);
                  return null;
                default:
                  throw Object.assign(new Error("unsupported: " + method), { code: 4200 });
              }
            },
            on(event, listener) { (listeners[event] = listeners[event] || []).push(listener); },
            removeListener(event, listener) { listeners[event] = (listeners[event] || []).filter((l) => l !== listener); },
          };
        `,
      });
      const other = await context.newPage();
      other.setDefaultTimeout(TIMEOUT);
      await other.goto(`${env.app.url}/`);
      await other.getByRole("button", { name: "Connect Wallet" }).first().click();
      await other.getByText("Browser Wallet").first().click();
      const banner = other.getByRole("alert").filter({ hasText: "Wrong network" });
      await banner.waitFor();
      assert.match((await banner.textContent()) ?? "", /on chain 1; Synod runs on chain 31337/);
      await other.evaluate(() => {
        window.__allowSwitch = true;
      });
      await banner.getByRole("button", { name: "Switch to chain 31337" }).click();
      await banner.waitFor({ state: "detached" });
    } finally {
      await context.close();
    }
  });

  it("lists executed proposals under the Executed filter, and fits a phone screen", async () => {
    await page.goto(`${env.app.url}/`);
    await page.getByRole("button", { name: "Executed", exact: true }).click();
    await page.getByTestId("proposal-row").getByTestId("state-badge").getByText("Executed").first().waitFor();
    await page.getByRole("button", { name: "Active", exact: true }).click();
    await page.getByText("No proposal matches.").waitFor();
    await page.getByRole("button", { name: "All", exact: true }).click();
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

