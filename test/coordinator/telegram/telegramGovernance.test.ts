/**
 * The bot through a model's whole life on a local chain: a real FL round, the keeper
 * proposing its Model record, `/proposals` listing it with a link to vote, the DAO
 * voting it through, the "models" subscribers told it was ratified, and `/fl_model`
 * saying so. Events are published from the keeper's reports as the knowledge service does.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { buildApp, type SynodApp } from "../../../coordinator/app.ts";
import { flRoutes } from "../../../coordinator/api/fl.ts";
import { knowledgeRoutes } from "../../../coordinator/api/knowledge.ts";
import { createMetrics } from "../../../coordinator/api/metrics.ts";
import { proposalsRoutes } from "../../../coordinator/api/proposals.ts";
import { createChainClient, type ChainClient } from "../../../coordinator/chain/createChainClient.ts";
import { createApiClient } from "../../../coordinator/client/apiClient.ts";
import { loadConfig } from "../../../coordinator/config.ts";
import { createEventBus, type EventBus } from "../../../coordinator/events.ts";
import { loadMnist } from "../../../coordinator/fl/datasets/mnist.ts";
import { FlService } from "../../../coordinator/fl/flService.ts";
import { kuboContentStore } from "../../../coordinator/ipfs/kuboContentStore.ts";
import { KnowledgeIndexer } from "../../../coordinator/knowledge/knowledgeIndexer.ts";
import { ProposalKeeper, type KeeperTickReport } from "../../../coordinator/knowledge/proposalKeeper.ts";
import { kindName } from "../../../coordinator/knowledge/schemas/index.ts";
import { createLogger } from "../../../coordinator/logger.ts";
import { ChainIndexRepository } from "../../../coordinator/store/chainIndexRepository.ts";
import { KnowledgeRepository } from "../../../coordinator/store/knowledgeRepository.ts";
import { openDatabase, type Database } from "../../../coordinator/store/openDatabase.ts";
import { createTelegramBot, type TelegramBot } from "../../../coordinator/telegram/createTelegramBot.ts";
import { SubscriptionRepository } from "../../../coordinator/telegram/subscriptionRepository.ts";
import { createHttpBackend } from "../../../coordinator/telegram/synodBackend.ts";
import { startBotApiServer, type BotApiServer } from "../../fixtures/botApiServer.ts";
import { startKuboRpcServer, type KuboRpcServer } from "../../fixtures/kuboRpcServer.ts";
import { serveJsonRpc, type JsonRpcServer } from "../../fixtures/jsonRpcServer.ts";
import { VoteType, connection, deploySynod, networkHelpers, type Synod } from "../../fixtures/synod.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const ADMIN_TOKEN = "telegram-governance-admin-token-0123456789abcdef";
const ADMIN = 100;
const VOTER = 600;
const DAPP = "http://127.0.0.1:3000";

describe("Telegram bot through a model's ratification", () => {
  let synod: Synod;
  let rpc: JsonRpcServer;
  let kubo: KuboRpcServer;
  let telegram: BotApiServer;
  let chain: ChainClient;
  let db: Database;
  let events: EventBus;
  let fl: FlService;
  let keeper: ProposalKeeper;
  let app: SynodApp;
  let bot: TelegramBot;
  let dir: string;

  async function ask(text: string, chatId = ADMIN) {
    const after = telegram.sent.length;
    telegram.sendText({ chatId, text, languageCode: "en" });
    return (await telegram.waitForMessage((m) => m.chat_id === String(chatId), { after })).text;
  }

  /** One keeper pass, its outcome published as `createKnowledgeService` publishes it. */
  async function tick(): Promise<KeeperTickReport> {
    const report = await keeper.tick();
    assert.deepEqual(report.errors, []);
    for (const proposalId of report.proposed) events.publish("governance.proposal.changed", { proposalId: proposalId.toString(), state: "Pending" });
    for (const record of report.ratified) {
      events.publish("knowledge.record.ratified", { recordId: String(record.recordId), kind: kindName(record.kind) ?? String(record.kind), cid: record.cid, proposalId: record.proposalId.toString() });
    }
    return report;
  }

  before(async () => {
    synod = await networkHelpers.loadFixture(deploySynod);
    rpc = await serveJsonRpc(connection.provider);
    kubo = await startKuboRpcServer();
    telegram = await startBotApiServer();
    dir = await mkdtemp(path.join(os.tmpdir(), "synod-telegram-gov-"));
    chain = await createChainClient({
      rpcUrl: rpc.url,
      root,
      retryCount: 0,
      env: { SYNOD_TOKEN_ADDRESS: synod.token.address, SYNOD_GOVERNOR_ADDRESS: synod.governor.address, SYNOD_REGISTRY_ADDRESS: synod.registry.address, SYNOD_POLICY_ADDRESS: synod.policy.address },
    });
    db = openDatabase(":memory:");
    events = createEventBus();
    const logger = createLogger({ level: "silent" });
    const outbox = new KnowledgeRepository(db);
    const index = new ChainIndexRepository(db);
    const content = kuboContentStore({ url: kubo.url });
    fl = await FlService.create({
      db,
      outbox,
      content,
      events,
      logger,
      dataset: loadMnist(),
      numNodes: 8,
      maxExamples: 2000,
      seed: 11,
      policy: async () => ({ "fl.strategy": 0n, "fl.targetParticipants": 5n, "fl.roundDeadlineMs": 20_000n }),
    });
    // a clock past the epoch's end: the keeper closes an epoch as soon as a record is pending
    keeper = new ProposalKeeper({ chain, outbox, index, indexer: new KnowledgeIndexer({ chain, index, outbox, logger }), content, logger, now: () => Date.now() + 3_600_000 });
    const { config } = loadConfig({ SYNOD_DATA_DIR: dir, SYNOD_ADMIN_TOKEN: ADMIN_TOKEN });
    app = await buildApp({
      config,
      adminToken: ADMIN_TOKEN,
      logger,
      events,
      metrics: createMetrics({ processMetrics: false }),
      healthChecks: [],
      version: "test",
      routes: [flRoutes({ fl }), knowledgeRoutes({ outbox, index, content }), proposalsRoutes(() => ({ outbox, index, chain }))],
    });
    const apiUrl = await app.listen({ host: "127.0.0.1", port: 0 });
    bot = createTelegramBot({
      token: telegram.token,
      apiRoot: telegram.url,
      adminIds: [String(ADMIN)],
      backend: createHttpBackend({ api: createApiClient({ env: { SYNOD_API_URL: apiUrl, SYNOD_ADMIN_TOKEN: ADMIN_TOKEN } }) }),
      subscriptions: new SubscriptionRepository(db),
      events,
      dappUrl: DAPP,
      pollTimeoutSeconds: 5,
      logger,
    });
    await bot.start();
  });

  after(async () => {
    await bot.stop();
    await keeper.stop();
    await fl.stop();
    await app.close();
    db.close();
    await telegram.close();
    await rpc.close();
    await kubo.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("a round's model is proposed, listed with a link to vote, ratified, announced, and shown as ratified", async () => {
    assert.match(await ask("/subscribe models proposals", VOTER), /models[\s\S]*proposals/);
    assert.match(await ask("/proposals"), /Nothing to vote on/);

    const sent = telegram.sent.length;
    assert.match(await ask("/fl_start_round"), /Round #: 1/);
    await telegram.waitForMessage((m) => m.chat_id === String(ADMIN) && /FL round #1 finished/.test(m.text), { after: sent, timeoutMs: 60_000 });
    const model = fl.model();
    assert.ok(model.recordCid);

    const { proposed } = await tick();
    assert.equal(proposed.length, 1, "the keeper proposed the epoch with the Model record");
    const proposalId = proposed[0]!.toString();
    const announced = await telegram.waitForMessage((m) => m.chat_id === String(VOTER) && /New proposal needs votes/.test(m.text), { after: sent });
    assert.ok(announced.text.includes(`href="${DAPP}/proposals/${proposalId}"`));
    assert.match(announced.text, /📜 .+/, "with the proposal's title from the index");

    const listed = await ask("/proposals");
    assert.ok(listed.includes(`href="${DAPP}/proposals/${proposalId}"`), listed);
    assert.match(listed, /<b>Pending<\/b>\n {3}👍 0 · 👎 0 · 🤷 0 MESH\n {3}⚖️ routine \(passes unless vetoed\) · knowledge epoch \d+, \d+ records/);
    assert.match(await ask("/fl_model"), /Not ratified yet \(proposed\)/);

    const id = BigInt(proposalId);
    await networkHelpers.time.increaseTo((await synod.governor.read.proposalSnapshot([id])) + 1n);
    await synod.governor.write.castVote([id, VoteType.For], { account: synod.voters[0]!.account });
    await tick(); // indexes the vote
    assert.match(await ask("/proposals"), /<b>Active<\/b>\n {3}👍 225,000 · 👎 0 · 🤷 0 MESH · ends \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    await networkHelpers.time.increaseTo((await synod.governor.read.proposalDeadline([id])) + 1n);
    await tick(); // queue
    await networkHelpers.time.increaseTo((await synod.governor.read.proposalEta([id])) + 1n);
    const { ratified } = await tick(); // execute, index
    assert.equal(ratified.length, 1);

    const note = await telegram.waitForMessage((m) => m.chat_id === String(VOTER) && /Model ratified!/.test(m.text), { after: sent });
    assert.ok(note.text.includes(`/ipfs/${model.recordCid}`));
    assert.match(note.text, new RegExp(`Record #${ratified[0]!.recordId}`));
    const shown = await ask("/fl_model");
    assert.match(shown, new RegExp(`🏛 Ratified by the DAO \\(record #${ratified[0]!.recordId}\\)`));
    assert.ok(shown.includes(`href="${DAPP}/knowledge?kind=Model#record-${ratified[0]!.recordId}"`), "links the model's own record");
  });
});
