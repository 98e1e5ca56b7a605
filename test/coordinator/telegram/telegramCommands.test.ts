/**
 * Command paths a real coordinator cannot produce on demand, with test doubles behind
 * the bot's ports: a round already running (409), the coordinator down, an answer of
 * the wrong shape, and the chaos engine and MAPE-K loop connected.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiRequestError, CoordinatorUnreachableError, type ApiClient } from "../../../coordinator/cli/apiClient.ts";
import { createEventBus } from "../../../coordinator/events.ts";
import { createLogger } from "../../../coordinator/logger.ts";
import { openDatabase, type Database } from "../../../coordinator/store/openDatabase.ts";
import { ExperimentRunningError, UnknownExperimentError } from "../../../coordinator/errors/chaos.ts";
import { findExperiment } from "../../../coordinator/chaos/experiment/experimentRunner.ts";
import type { ChaosPort, ChaosStatusView, ExperimentEntry } from "../../../coordinator/telegram/chaosPort.ts";
import { createTelegramBot, type TelegramBot } from "../../../coordinator/telegram/createTelegramBot.ts";
import type { MapekPort } from "../../../coordinator/telegram/mapekPort.ts";
import { SubscriptionRepository } from "../../../coordinator/telegram/subscriptionRepository.ts";
import { createHttpBackend } from "../../../coordinator/telegram/synodBackend.ts";
import { startBotApiServer, type BotApiServer } from "../../fixtures/botApiServer.ts";

const ADMIN = 7;

/** An API client whose answers the test sets per path. */
function scriptedApi(): ApiClient & { answers: Map<string, () => unknown> } {
  const answers = new Map<string, () => unknown>();
  const answer = async <T,>(pathname: string): Promise<T> => {
    const next = answers.get(pathname);
    if (!next) throw new ApiRequestError({ status: 404, message: `Route ${pathname} not found.` });
    return next() as T;
  };
  return { baseUrl: "http://coordinator.test", answers, get: (pathname) => answer(pathname), post: (pathname) => answer(pathname) };
}

/** A chaos engine double: experiments in a list, one run at a time. */
function chaosDouble(): ChaosPort & { started: string[] } {
  const experiments: ExperimentEntry[] = [{ file: "experiments/node-failure.yaml", name: "node-failure", title: "A node crashes", nominalDurationMs: 30_000 }];
  const started: string[] = [];
  const status: ChaosStatusView = { running: null, last: null, activeFaults: [], statistics: {} };
  return {
    started,
    experiments: async () => experiments,
    async run(name) {
      const entry = findExperiment(experiments, name);
      if (!entry) throw new UnknownExperimentError({ name, known: experiments.map((e) => e.name) });
      if (status.running) throw new ExperimentRunningError({ experiment: status.running.experiment });
      started.push(entry.name);
      status.running = { experiment: entry.name, title: entry.title, startedAt: Date.now(), phase: "fault-applied", detail: "node-crash on n2" };
      status.activeFaults = [{ faultId: "f1", kind: "node-crash", affected: ["n2"] }];
      return { experiment: entry.name, title: entry.title, nominalDurationMs: entry.nominalDurationMs };
    },
    status: async () => status,
  };
}

describe("Telegram bot commands with test doubles behind its ports", () => {
  let telegram: BotApiServer;
  let db: Database;
  let bot: TelegramBot;
  const api = scriptedApi();
  const chaos = chaosDouble();
  const mapek: MapekPort = { view: async () => ({ state: "HARMONIC", phi: 0.7421, epoch: 12, openIncidents: [], healedIncidents: 3, excluded: 1 }) };

  async function ask(text: string, languageCode = "en") {
    const after = telegram.sent.length;
    telegram.sendText({ chatId: ADMIN, text, languageCode });
    return (await telegram.waitForMessage((m) => m.chat_id === String(ADMIN), { after })).text;
  }

  before(async () => {
    telegram = await startBotApiServer();
    db = openDatabase(":memory:");
    bot = createTelegramBot({
      token: telegram.token,
      apiRoot: telegram.url,
      adminIds: [String(ADMIN)],
      backend: createHttpBackend({ api, chaos, mapek, timeoutMs: 300 }),
      subscriptions: new SubscriptionRepository(db),
      events: createEventBus(),
      dappUrl: "http://127.0.0.1:3000",
      pollTimeoutSeconds: 5,
      logger: createLogger({ level: "silent" }),
    });
    await bot.start();
  });

  after(async () => {
    await bot.stop();
    db.close();
    await telegram.close();
  });

  it("a round already running, the coordinator down, an answer it cannot read: each gets a reply, and the bot keeps serving", async () => {
    api.answers.set("/api/fl/rounds", () => {
      throw new ApiRequestError({ status: 409, message: "FL round 3 is still running." });
    });
    assert.match(await ask("/fl_start_round"), /⏳ <b>A round is already running<\/b>\n\nFL round 3 is still running\./);
    assert.match(await ask("/fl_start_round", "ru"), /Раунд уже идёт/);

    api.answers.set("/api/fl/status", () => {
      throw new CoordinatorUnreachableError({ url: "http://coordinator.test", cause: new Error("ECONNREFUSED") });
    });
    assert.match(await ask("/fl_status"), /Coordinator error[\s\S]*not reachable/);

    api.answers.set("/api/fl/model", () => ({ version: "three" }));
    assert.match(await ask("/fl_model"), /answered in a shape this bot does not understand/);

    api.answers.set("/api/fl/metrics", () => {
      throw new Error("boom");
    });
    assert.match(await ask("/fl_metrics"), /Something went wrong on our side/);

    api.answers.set("/api/fl/status", () => new Promise(() => {}));
    assert.match(await ask("/fl_status"), /did not answer \/api\/fl\/status within 0\.3 s/, "a hung coordinator does not stall the bot");

    assert.match(await ask("/help"), /Synod bot/, "still serving");
  });

  it("with a chaos engine connected: lists, refuses unknown names, starts one run at a time, reports its status", async () => {
    assert.match(await ask("/chaos_run"), /<code>node-failure<\/code> — A node crashes \(30 s\)/);
    assert.match(await ask("/chaos_run earthquake"), /No experiment is named <code>earthquake<\/code>[\s\S]*Known: <code>node-failure<\/code>/);
    assert.match(await ask("/chaos_run node-failure"), /💥 <b>Chaos experiment started!<\/b>[\s\S]*Nominal duration: 30 s/);
    assert.deepEqual(chaos.started, ["node-failure"]);
    assert.match(await ask("/chaos_run node-failure"), /still running/);
    assert.deepEqual(chaos.started, ["node-failure"], "not started twice");
    assert.match(await ask("/chaos_status", "ru"), /Идёт: <code>node-failure<\/code> — fault-applied[\s\S]*node-crash на 1 узл\./);
  });

  it("waits out Telegram's flood control (429 retry_after) instead of dropping the reply", async () => {
    telegram.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    const started = Date.now();
    assert.match(await ask("/help"), /Synod bot/);
    assert.ok(Date.now() - started >= 900, "waited as told");
  });

  it("with a MAPE-K loop connected: state, φ and incidents from the loop", async () => {
    assert.match(await ask("/mapek"), /State: <b>HARMONIC<\/b>\nφ = 0\.742 \(epoch 12\)[\s\S]*Healed: 3 · excluded from FL: 1/);
  });
});
