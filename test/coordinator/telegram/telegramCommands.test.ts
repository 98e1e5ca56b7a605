/**
 * Command paths a real coordinator cannot produce on demand, with a scripted API client
 * behind the bot's HTTP backend: a round already running (409), the coordinator down,
 * an answer of the wrong shape, a chaos run refused (404, 409), a coordinator without a
 * chaos engine or MAPE-K loop (503), a time scale out of range.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ApiClient } from "../../../coordinator/client/apiClient.ts";
import { ApiRequestError, CoordinatorUnreachableError } from "../../../coordinator/errors/client.ts";
import { createEventBus } from "../../../coordinator/events.ts";
import { createLogger } from "../../../coordinator/logger.ts";
import { openDatabase, type Database } from "../../../coordinator/store/openDatabase.ts";
import { createTelegramBot, type TelegramBot } from "../../../coordinator/telegram/createTelegramBot.ts";
import { SubscriptionRepository } from "../../../coordinator/telegram/subscriptionRepository.ts";
import { createHttpBackend } from "../../../coordinator/telegram/synodBackend.ts";
import { startBotApiServer, type BotApiServer } from "../../fixtures/botApiServer.ts";

const ADMIN = 7;

/** An API client whose answers the test sets per path; it keeps the bodies POSTed. */
function scriptedApi(): ApiClient & { answers: Map<string, (body?: unknown) => unknown>; posted: Array<{ pathname: string; body: unknown }> } {
  const answers = new Map<string, (body?: unknown) => unknown>();
  const posted: Array<{ pathname: string; body: unknown }> = [];
  const answer = async <T,>(pathname: string, body?: unknown): Promise<T> => {
    const next = answers.get(pathname);
    if (!next) throw new ApiRequestError({ status: 404, message: `Route ${pathname} not found.` });
    return next(body) as T;
  };
  return {
    baseUrl: "http://coordinator.test",
    answers,
    posted,
    get: (pathname) => answer(pathname),
    post: (pathname, body) => {
      posted.push({ pathname, body });
      return answer(pathname, body);
    },
  };
}

/** A 503 as the coordinator answers `/api/chaos/*` and `/api/mapek` without a hosted mesh (a 5xx body says nothing more). */
const unavailable = () => {
  throw new ApiRequestError({ status: 503, message: "The coordinator failed to handle this request; its log has the details." });
};

/** `/api/chaos/*` answers as the coordinator gives them (`coordinator/api/chaos.ts`), one run at a time. */
function scriptChaos(api: ReturnType<typeof scriptedApi>) {
  const run = { runId: 4, experiment: "node-failure", title: "A node crashes", file: "experiments/node-failure.yaml", status: "running", timeScale: 1, nominalDurationMs: 30_000, startedAt: 1, endedAt: null, progress: null as { at: number; phase: string; detail: string } | null, reportCid: null, journal: null };
  let running: typeof run | null = null;
  api.answers.set("/api/chaos/experiments", () => ({
    experiments: [
      { file: "experiments/node-failure.yaml", valid: true, name: "node-failure", title: "A node crashes", tags: [], faults: ["node-crash"], nominalDurationMs: 30_000, scheduleEveryMs: null },
      { file: "experiments/broken.yaml", valid: false, issues: [{ path: "method", message: "required" }] },
    ],
  }));
  api.answers.set("/api/chaos/runs", (body) => {
    const { name, timeScale = 1 } = body as { name: string; timeScale?: number };
    if (name !== "node-failure") throw new ApiRequestError({ status: 404, message: `No chaos experiment is named "${name}".` });
    if (running) throw new ApiRequestError({ status: 409, message: `Chaos experiment "${running.experiment}" is still running.` });
    running = { ...run, timeScale, nominalDurationMs: run.nominalDurationMs * timeScale, progress: { at: 2, phase: "fault-applied", detail: "node-crash on n2" } };
    return running;
  });
  const statistics = (injected: number) => ({ injected, active: injected, recovered: 0, failed: 0, detected: 0, healed: 0, mttdMs: null, mttrMs: null });
  api.answers.set("/api/chaos/status", () => ({
    running,
    last: null,
    activeFaults: running
      ? [{ faultId: "f1", kind: "node-crash", phase: "injected", targets: ["n2"], affected: ["n2"], injectedAt: 2, recoveredAt: null, durationMs: 30_000, detection: {}, records: [{ target: "n2", phase: "injected" }], message: null }]
      : [],
    statistics: { "node-crash": statistics(running ? 1 : 0), "network-delay": statistics(0) },
  }));
}

describe("Telegram bot commands with test doubles behind its ports", () => {
  let telegram: BotApiServer;
  let db: Database;
  let bot: TelegramBot;
  const api = scriptedApi();

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
      backend: createHttpBackend({ api, timeoutMs: 300 }),
      subscriptions: new SubscriptionRepository(db),
      events: createEventBus(),
      dappUrl: "http://127.0.0.1:3000",
      // more commands than the default 20 a minute are sent here
      rateLimit: { max: 500, windowMs: 60_000 },
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

  it("without a chaos engine or MAPE-K loop on the coordinator (503): says so, and /chaos_status and /mapek fall back to what the events showed", async () => {
    for (const pathname of ["/api/chaos/experiments", "/api/chaos/runs", "/api/chaos/status", "/api/mapek"]) api.answers.set(pathname, unavailable);
    assert.match(await ask("/chaos_run"), /Chaos is not running on this coordinator[\s\S]*cannot be listed or started/);
    assert.match(await ask("/chaos_run node-failure", "ru"), /Хаос на этом координаторе не запущен[\s\S]*<code>node-failure<\/code> не запущен/);
    assert.match(await ask("/chaos_status"), /Chaos status unavailable[\s\S]*runs no chaos engine/);
    assert.match(await ask("/mapek"), /MAPE-K unavailable[\s\S]*runs no MAPE-K loop/);
    assert.equal(api.posted.filter((p) => p.pathname === "/api/chaos/runs").length, 0, "the list failed first: nothing was posted");
  });

  it("over /api/chaos: lists valid experiments, refuses unknown names and bad time scales, starts one run at a time, reports its status", async () => {
    scriptChaos(api);
    const list = await ask("/chaos_run");
    assert.match(list, /<code>node-failure<\/code> — A node crashes \(30 s\)/);
    assert.doesNotMatch(list, /broken/, "invalid files are not offered");
    assert.match(await ask("/chaos_run earthquake"), /No experiment is named <code>earthquake<\/code>[\s\S]*Known: <code>node-failure<\/code>/);
    for (const bad of ["0", "2", "fast", "1e-2", "0.0001"]) {
      assert.match(await ask(`/chaos_run node-failure ${bad}`), /time scale must be a number from 0\.001 to 1[\s\S]*Usage: <code>\/chaos_run \[experiment\] \[time-scale\]<\/code>/, bad);
    }
    assert.match(await ask("/chaos_run node-failure 1 extra"), /Too many arguments/);
    assert.equal(api.posted.filter((p) => p.pathname === "/api/chaos/runs").length, 0, "nothing started so far");

    assert.match(await ask("/chaos_run Node-Failure 0.1"), /💥 <b>Chaos experiment started!<\/b>[\s\S]*\(run #4\)[\s\S]*Nominal duration: 3 s \(time scale 0\.1\)/);
    assert.deepEqual(api.posted.at(-1), { pathname: "/api/chaos/runs", body: { name: "node-failure", timeScale: 0.1 } }, "the listed name, the time scale");
    assert.match(await ask("/chaos_run node-failure"), /Chaos experiment "node-failure" is still running/, "409");
    assert.deepEqual(api.posted.at(-1)?.body, { name: "node-failure" }, "no time scale: full length");
    const status = await ask("/chaos_status", "ru");
    assert.match(status, /Идёт: <code>node-failure<\/code> \(запуск #4\) — fault-applied \(node-crash on n2\)\n🔥 Активные сбои: node-crash на 1 узл\./);
    assert.match(status, /node-crash: внесено 1/);
    assert.doesNotMatch(status, /network-delay/, "kinds never injected are left out");
  });

  it("maps a 404 from POST /api/chaos/runs (a file removed since the list) to the unknown-experiment reply", async () => {
    api.answers.set("/api/chaos/runs", () => {
      throw new ApiRequestError({ status: 404, message: 'No chaos experiment is named "node-failure".' });
    });
    assert.match(await ask("/chaos_run node-failure"), /No experiment is named <code>node-failure<\/code>[\s\S]*Known: <code>node-failure<\/code>/);
  });

  it("waits out Telegram's flood control (429 retry_after) instead of dropping the reply", async () => {
    telegram.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    const started = Date.now();
    assert.match(await ask("/help"), /Synod bot/);
    assert.ok(Date.now() - started >= 900, "waited as told");
  });

  it("over /api/mapek: state, φ and incidents from the loop", async () => {
    const incident = (n: number, healedAt: number | null) => ({ incidentId: `i${n}`, groupId: `g${n}`, nodeId: `n${n}`, condition: "partitioned", lastHealthyAt: 0, detectedAt: 1, healedAt, resolution: healedAt ? "healed" : null, actions: [] });
    api.answers.set("/api/mapek", () => ({
      state: "HARMONIC",
      phi: 0.7421,
      epoch: 12,
      at: 5,
      factors: null,
      thresholds: null,
      metrics: {},
      nodes: null,
      conditions: { n5: "partitioned" },
      apiLatencyMs: null,
      lastActions: [],
      openIncidents: [incident(5, null)],
      recentIncidents: [incident(1, 2), incident(2, 3), incident(3, 4), incident(4, null)],
      incidentGroups: [],
      blips: {},
      excluded: { n5: "route" },
      shedding: false,
      detector: null,
      anomalies: {},
      anomalyModel: null,
    }));
    assert.match(await ask("/mapek"), /State: <b>HARMONIC<\/b>\nφ = 0\.742 \(epoch 12\)\n🚨 Open incidents: 1 \(n5: partitioned\)\n🩹 Healed: 3 · excluded from FL: 1/);
    api.answers.set("/api/mapek", () => ({ state: "HARMONIC", phi: "high" }));
    assert.match(await ask("/mapek"), /answered in a shape this bot does not understand/);
  });
});
