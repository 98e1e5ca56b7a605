/**
 * The Telegram bot against a local Bot API server (test/fixtures/botApiServer.ts) and a
 * real coordinator API: the FL service training on MNIST behind `/api/fl/*`, the
 * knowledge routes over the same SQLite outbox, the event bus. Users are played by
 * queuing updates; assertions read what the bot sent.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { buildApp, type SynodApp } from "../../../coordinator/app.ts";
import { chaosRoutes } from "../../../coordinator/api/chaos.ts";
import { flRoutes } from "../../../coordinator/api/fl.ts";
import { knowledgeRoutes } from "../../../coordinator/api/knowledge.ts";
import { mapekRoutes } from "../../../coordinator/api/mapek.ts";
import { createMetrics } from "../../../coordinator/api/metrics.ts";
import { proposalsRoutes } from "../../../coordinator/api/proposals.ts";
import { createApiClient } from "../../../coordinator/client/apiClient.ts";
import { loadConfig } from "../../../coordinator/config.ts";
import { ChainUnavailableError } from "../../../coordinator/errors/chain.ts";
import { createEventBus, type EventBus } from "../../../coordinator/events.ts";
import { loadMnist } from "../../../coordinator/fl/datasets/mnist.ts";
import { FlService } from "../../../coordinator/fl/flService.ts";
import { kuboContentStore } from "../../../coordinator/ipfs/kuboContentStore.ts";
import { createLogger } from "../../../coordinator/logger.ts";
import { ChainIndexRepository } from "../../../coordinator/store/chainIndexRepository.ts";
import { KnowledgeRepository } from "../../../coordinator/store/knowledgeRepository.ts";
import { openDatabase, type Database } from "../../../coordinator/store/openDatabase.ts";
import { createTelegramBot, type TelegramBot } from "../../../coordinator/telegram/createTelegramBot.ts";
import { percent } from "../../../coordinator/telegram/format.ts";
import { SubscriptionRepository } from "../../../coordinator/telegram/subscriptionRepository.ts";
import { createHttpBackend } from "../../../coordinator/telegram/synodBackend.ts";
import { startBotApiServer, type BotApiServer } from "../../fixtures/botApiServer.ts";
import { startKuboRpcServer, type KuboRpcServer } from "../../fixtures/kuboRpcServer.ts";

const ADMIN_TOKEN = "telegram-test-admin-token-0123456789abcdef";
const ADMIN = 100;
const OPERATOR = 200; // not an admin
const WATCHER = 300; // a subscribed chat
const DAPP = "http://127.0.0.1:3000";

describe("Telegram bot with a real coordinator", () => {
  let kubo: KuboRpcServer;
  let telegram: BotApiServer;
  let db: Database;
  let fl: FlService;
  let events: EventBus;
  let app: SynodApp;
  let bot: TelegramBot;
  let subscriptions: SubscriptionRepository;
  let dir: string;

  /** Sends `text` as `userId` in its private chat (or `chatId`) and resolves with the bot's next message there. */
  async function ask(text: string, { userId = ADMIN, chatId = userId, languageCode = "en" }: { userId?: number; chatId?: number; languageCode?: string } = {}) {
    const after = telegram.sent.length;
    telegram.sendText({ chatId, userId, text, languageCode });
    return (await telegram.waitForMessage((m) => m.chat_id === String(chatId), { after })).text;
  }

  before(async () => {
    kubo = await startKuboRpcServer();
    telegram = await startBotApiServer();
    dir = await mkdtemp(path.join(os.tmpdir(), "synod-telegram-"));
    db = openDatabase(":memory:");
    events = createEventBus();
    const logger = createLogger({ level: "silent" });
    const outbox = new KnowledgeRepository(db);
    const content = kuboContentStore({ url: kubo.url });
    fl = await FlService.create({
      db,
      outbox,
      content,
      events,
      logger,
      dataset: loadMnist(),
      numNodes: 12,
      maxExamples: 3000,
      seed: 7,
      policy: async () => ({ "fl.strategy": 0n, "fl.targetParticipants": 8n, "fl.roundDeadlineMs": 30_000n }),
    });
    const { config } = loadConfig({ SYNOD_DATA_DIR: dir, SYNOD_ADMIN_TOKEN: ADMIN_TOKEN });
    app = await buildApp({
      config,
      adminToken: ADMIN_TOKEN,
      logger,
      events,
      metrics: createMetrics({ processMetrics: false }),
      healthChecks: [],
      version: "test",
      routes: [
        flRoutes({ fl }),
        knowledgeRoutes({ outbox, index: new ChainIndexRepository(db), content }),
        // As the knowledge service serves proposals before it has reached the chain.
        proposalsRoutes(() => {
          throw new ChainUnavailableError({ url: "http://127.0.0.1:1" });
        }),
        // As the chaos service serves them where the mesh lives inside the coordinator: 503.
        chaosRoutes({ runner: null, unavailable: "the mesh runs inside the coordinator process (SYNOD_MESH_NODES_PER_HOST=0)" }),
        mapekRoutes({ loop: null, unavailable: "the mesh runs inside the coordinator process (SYNOD_MESH_NODES_PER_HOST=0)" }),
      ],
    });
    const apiUrl = await app.listen({ host: "127.0.0.1", port: 0 });
    subscriptions = new SubscriptionRepository(db);
    bot = createTelegramBot({
      token: telegram.token,
      apiRoot: telegram.url,
      adminIds: [String(ADMIN)],
      backend: createHttpBackend({ api: createApiClient({ env: { SYNOD_API_URL: apiUrl, SYNOD_ADMIN_TOKEN: ADMIN_TOKEN } }) }),
      subscriptions,
      events,
      dappUrl: DAPP,
      // refills one command per 3 min: nothing comes back while the flood test runs, however slow the machine
      rateLimit: { max: 20, windowMs: 60 * 60_000 },
      pollTimeoutSeconds: 5,
      logger,
    });
    await bot.start();
  });

  after(async () => {
    await bot.stop();
    await fl.stop();
    await app.close();
    db.close();
    await telegram.close();
    await kubo.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("starts polling with the token and registers the command menu in both languages", () => {
    assert.equal(bot.running, true);
    assert.equal(bot.me?.username, telegram.bot.username);
    const menus = telegram.calls.filter((c) => c.method === "setMyCommands");
    assert.equal(menus.length, 2);
    assert.ok((menus[0]!.params.commands as Array<{ command: string }>).some((c) => c.command === "fl_start_round"));
    assert.equal(menus[1]!.params.language_code, "ru");
  });

  it("refuses a non-admin's /fl_start_round and starts nothing", async () => {
    const reply = await ask("/fl_start_round", { userId: OPERATOR });
    assert.match(reply, /⛔ <b>Admins only<\/b>/);
    assert.match(reply, /TELEGRAM_ADMIN_IDS/);
    const ru = await ask("/fl_start_round", { userId: OPERATOR, languageCode: "ru" });
    assert.match(ru, /Только для админов/);
    assert.equal(fl.status().rounds.completed + fl.status().rounds.failed + fl.status().rounds.running, 0, "no round was started");
  });

  it("an admin's /fl_start_round starts a real round, reports it, follows up when it ends, notifies subscribers; /fl_model shows the new model", async () => {
    assert.match(await ask("/subscribe rounds", { userId: WATCHER, languageCode: "ru" }), /Подписка оформлена[\s\S]*rounds/);
    assert.deepEqual(subscriptions.topicsOf(WATCHER), ["rounds"]);

    const before = await ask("/fl_model");
    assert.match(before, /No model yet/);

    const sentBefore = telegram.sent.length;
    const started = await ask("/fl_start_round", { languageCode: "ru" });
    // The seed's reply, with real figures.
    assert.match(started, /🚀 <b>FL Раунд запущен!<\/b>\n\n📊 Round #: 1\n👥 Участников выбрано: 8\n⏱️ Timeout: 30 сек/);

    const followUp = await telegram.waitForMessage((m) => m.chat_id === String(ADMIN) && /FL раунд #1/.test(m.text), { after: sentBefore, timeoutMs: 60_000 });
    const watcher = await telegram.waitForMessage((m) => m.chat_id === String(WATCHER) && /FL раунд #1/.test(m.text), { after: sentBefore, timeoutMs: 5_000 });
    await fl.whenIdle();
    const model = fl.model();
    assert.equal(model.round, 1, "the round really ran");
    assert.ok(model.recordCid);
    for (const message of [followUp, watcher]) {
      assert.match(message.text, /✅ <b>FL раунд #1 завершён<\/b>/);
      assert.match(message.text, /Обновлений агрегировано: 8/);
      assert.ok(message.text.includes(`/ipfs/${model.recordCid}`), "links the published model");
      assert.ok(message.text.includes(percent(model.holdoutAccuracy)), "reports the holdout accuracy");
    }
    assert.equal(telegram.sent.filter((m) => m.chat_id === String(ADMIN) && /FL раунд #1/.test(m.text)).length, 1, "the admin gets one follow-up");

    const shown = await ask("/fl_model");
    assert.match(shown, /🧠 <b>Global model<\/b>/);
    assert.match(shown, /Version: 1 \(round #1\)/);
    assert.ok(shown.includes(`/ipfs/${model.recordCid}`));
    assert.ok(shown.includes(`Holdout accuracy: ${percent(model.holdoutAccuracy)}`));
    assert.match(shown, /Not ratified yet \(unpublished\)/);
    assert.ok(shown.includes(`href="${DAPP}/knowledge?kind=Model"`));

    const status = await ask("/fl_status");
    assert.match(status, /Nodes: 12 total · 12 online · 0 banned/);
    assert.match(status, /Rounds: 1 completed · 0 failed/);
    assert.match(status, /Updates: 8 accepted/);
    assert.match(status, /No round in progress/);

    const metrics = await ask("/fl_metrics", { languageCode: "ru" });
    assert.match(metrics, /📈 <b>Метрики FL<\/b>/);
    assert.match(metrics, /Византийских обнаружений: 0/);
    assert.match(metrics, /Точность: [▁▂▃▄▅▆▇█]+ /);
  });

  it("answers unknown commands and malformed arguments helpfully, in the user's language", async () => {
    assert.match(await ask("/frobnicate"), /Unknown command \/frobnicate[\s\S]*\/help/);
    assert.match(await ask("/frobnicate", { languageCode: "ru" }), /Неизвестная команда/);
    assert.match(await ask("/fl_status now please"), /Too many arguments[\s\S]*Usage: <code>\/fl_status<\/code>/);
    assert.match(await ask("/subscribe weather"), /Unknown topic <code>weather<\/code>/);
    assert.match(await ask("hello"), /Synod bot/, "plain text in a private chat gets the help");
    assert.match(await ask(`/help@${telegram.bot.username}`), /\/fl_start_round/);
    // addressed to another bot in a group: ignored, the next command is answered
    telegram.sendText({ chatId: -5, userId: OPERATOR, text: "/help@other_bot", chatType: "group" });
    assert.match(await ask("/proposals", { userId: OPERATOR, chatId: -5 }), /Proposals unavailable[\s\S]*chain/);
    assert.equal(telegram.sent.filter((m) => m.chat_id === "-5").length, 1);
  });

  it("on a coordinator without a chaos engine or MAPE-K loop (503), chaos and MAPE-K commands say so, then report what its events show", async () => {
    assert.match(await ask("/chaos_run node-failure", { userId: OPERATOR }), /Admins only/);
    assert.match(await ask("/chaos_run"), /Chaos is not running on this coordinator[\s\S]*cannot be listed or started/);
    assert.match(await ask("/chaos_run node-failure"), /Chaos is not running on this coordinator[\s\S]*<code>node-failure<\/code> was not started/);
    assert.match(await ask("/chaos_status"), /Chaos status unavailable/);
    assert.match(await ask("/mapek"), /MAPE-K unavailable/);

    events.publish("mapek.state.changed", { from: "HARMONIC", to: "CONTEMPLATIVE", phi: 0.5123 });
    events.publish("chaos.fault.injected", { faultId: "f1", kind: "node-crash", targets: ["n1"], affected: ["n1", "n2"], durationMs: 30_000 });
    assert.match(await ask("/mapek", { languageCode: "ru" }), /Состояние: <b>CONTEMPLATIVE<\/b>\nφ = 0\.512/);
    assert.match(await ask("/chaos_status"), /Active faults: node-crash on 2 node\(s\)/);
  });

  it("notifies subscribed chats of incidents, ratified models and new proposals, and drops chats that blocked the bot", async () => {
    const chat = 400;
    assert.match(await ask("/subscribe all", { userId: chat }), /incidents[\s\S]*proposals/);
    const blocked = 401;
    await ask("/subscribe incidents", { userId: blocked });
    telegram.blockChat(blocked);
    const after = telegram.sent.length;

    events.publish("mesh.incident", { incidentId: "inc-1", phase: "detected", fault: "node-crash", nodes: ["n1"] });
    events.publish("knowledge.record.ratified", { recordId: "7", kind: "Model", cid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", proposalId: "42" });
    events.publish("knowledge.record.ratified", { recordId: "8", kind: "Incident", cid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", proposalId: "42" });
    events.publish("governance.proposal.changed", { proposalId: "42", state: "Pending" });
    events.publish("governance.proposal.changed", { proposalId: "42", state: "Active" });
    await bot.notifier.idle();

    const got = telegram.sent.slice(after).filter((m) => m.chat_id === String(chat)).map((m) => m.text.split("\n")[0]);
    assert.deepEqual(got, ["🚨 <b>Incident detected</b>", "🏛 <b>Model ratified!</b>", "🗳 <b>New proposal needs votes</b>"]);
    assert.ok(telegram.sent.slice(after).some((m) => m.text.includes(`href="${DAPP}/proposals/42"`)));
    assert.deepEqual(subscriptions.topicsOf(blocked), [], "a chat that blocked the bot is unsubscribed");
    assert.match(await ask("/unsubscribe incidents", { userId: chat }), /Still on[\s\S]*models/);
    assert.match(await ask("/unsubscribe", { userId: chat }), /receives no notifications/);
  });

  it("rate-limits a chat that floods it, telling it once, without affecting other chats", async () => {
    const flood = 500;
    const after = telegram.sent.length;
    for (let i = 0; i < 25; i++) telegram.sendText({ chatId: flood, text: "/help" });
    // Another chat is still answered at once.
    assert.match(await ask("/help", { userId: 501 }), /Synod bot/);
    const mine = telegram.sent.slice(after).filter((m) => m.chat_id === String(flood));
    assert.equal(mine.filter((m) => /Synod bot/.test(m.text)).length, 20);
    assert.equal(mine.filter((m) => /Too many requests/.test(m.text)).length, 1);
  });
});
