/**
 * The bot as the coordinator runs it (`telegramService` in `startCoordinator`, calling
 * the coordinator's own API with its admin token) and as `synod telegram` runs it apart
 * (the API over HTTP, notifications from `GET /api/events`), each against its own local
 * Bot API server.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { flRoutes } from "../../../coordinator/api/fl.ts";
import { createApiClient } from "../../../coordinator/client/apiClient.ts";
import { telegramCommand } from "../../../coordinator/cli/commands/telegram.ts";
import { createOutput } from "../../../coordinator/cli/output.ts";
import { TelegramTokenMissingError } from "../../../coordinator/errors/telegram.ts";
import { loadMnist } from "../../../coordinator/fl/datasets/mnist.ts";
import { FlService } from "../../../coordinator/fl/flService.ts";
import { startCoordinator, type StartCoordinatorReturnType } from "../../../coordinator/server.ts";
import type { CoordinatorServiceFactory } from "../../../coordinator/services/coordinatorService.ts";
import { KnowledgeRepository } from "../../../coordinator/store/knowledgeRepository.ts";
import { openDatabase } from "../../../coordinator/store/openDatabase.ts";
import { SubscriptionRepository } from "../../../coordinator/telegram/subscriptionRepository.ts";
import { telegramService } from "../../../coordinator/services/createTelegramService.ts";
import { startBotApiServer, type BotApiServer } from "../../fixtures/botApiServer.ts";
import { startKuboRpcServer, type KuboRpcServer } from "../../fixtures/kuboRpcServer.ts";

const ADMIN_TOKEN = "telegram-service-admin-token-0123456789abcdef";
const ADMIN = 100;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The FL service as the integrator will wire it: its database, the coordinator's bus and content store, `/api/fl/*`. */
const flService: CoordinatorServiceFactory = async ({ config, events, logger, contentStore }) => {
  const db = openDatabase(config.dataDir);
  const fl = await FlService.create({
    db,
    outbox: new KnowledgeRepository(db),
    content: contentStore,
    events,
    logger,
    dataset: loadMnist(),
    numNodes: 10,
    maxExamples: 2000,
    seed: 3,
    policy: async () => ({ "fl.strategy": 0n, "fl.targetParticipants": 6n, "fl.roundDeadlineMs": 20_000n }),
  });
  return {
    routes: () => [flRoutes({ fl })],
    close: async () => {
      await fl.stop();
      db.close();
    },
  };
};

describe("Telegram bot in the coordinator and as synod telegram", () => {
  let kubo: KuboRpcServer;
  let inside: BotApiServer;
  let apart: BotApiServer;
  let coordinator: StartCoordinatorReturnType;
  let dataDir: string;

  before(async () => {
    kubo = await startKuboRpcServer();
    inside = await startBotApiServer({ token: "111111:inside-token-abcdefghijklmnopqrstuvwxyz", username: "synod_inside_bot" });
    apart = await startBotApiServer({ token: "222222:apart-token-abcdefghijklmnopqrstuvwxyz", username: "synod_apart_bot" });
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-telegram-service-"));
    coordinator = await startCoordinator({
      env: {
        SYNOD_NETWORK_PROFILE: "local",
        SYNOD_DATA_DIR: dataDir,
        SYNOD_API_PORT: String(await freePort()),
        SYNOD_ADMIN_TOKEN: ADMIN_TOKEN,
        IPFS_API_URL: kubo.url,
        RPC_URL: "http://127.0.0.1:1",
        TELEGRAM_BOT_TOKEN: inside.token,
        TELEGRAM_API_ROOT: inside.url,
        TELEGRAM_ADMIN_IDS: String(ADMIN),
      },
      logger: pino({ level: "silent" }),
      services: [flService, telegramService],
    });
  });

  after(async () => {
    await coordinator.close();
    await inside.close();
    await apart.close();
    await kubo.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function ask(server: BotApiServer, text: string, chatId = ADMIN) {
    const after = server.sent.length;
    server.sendText({ chatId, text, languageCode: "en" });
    return (await server.waitForMessage((m) => m.chat_id === String(chatId), { after })).text;
  }

  it("telegramService: polls when TELEGRAM_BOT_TOKEN is set, starts a round through the coordinator's API, keeps subscriptions in SYNOD_DATA_DIR", async () => {
    const health = (await (await fetch(`${coordinator.url}/health`)).json()) as { checks: Record<string, { status: string; details?: { username?: string } }> };
    assert.equal(health.checks.telegram?.status, "up");
    assert.equal(health.checks.telegram?.details?.username, "synod_inside_bot");

    assert.match(await ask(inside, "/subscribe rounds", 300), /Subscribed/);
    const started = await ask(inside, "/fl_start_round");
    assert.match(started, /📊 Round #: 1\n👥 Participants selected: 6\n⏱️ Timeout: 20 s/);
    const done = await inside.waitForMessage((m) => m.chat_id === "300" && /FL round #1 finished/.test(m.text), { timeoutMs: 60_000 });
    assert.match(done.text, /Updates aggregated: 6/);

    const db = openDatabase(dataDir);
    try {
      assert.deepEqual(new SubscriptionRepository(db).topicsOf(300), ["rounds"], "stored in the coordinator's database");
    } finally {
      db.close();
    }
  });

  it("synod telegram: serves the same coordinator over HTTP and notifies from its event stream", async () => {
    let stop!: () => void;
    const until = new Promise<void>((resolve) => (stop = resolve));
    let printed = "";
    const apartDir = await mkdtemp(path.join(os.tmpdir(), "synod-telegram-cli-"));
    const running = telegramCommand({
      api: createApiClient({ env: { SYNOD_API_URL: coordinator.url, SYNOD_ADMIN_TOKEN: ADMIN_TOKEN } }),
      out: createOutput({ json: false, write: (text) => (printed += text) }),
      args: [],
      options: {},
      env: { TELEGRAM_BOT_TOKEN: apart.token, TELEGRAM_API_ROOT: apart.url, TELEGRAM_ADMIN_IDS: "", SYNOD_DATA_DIR: apartDir, LOG_LEVEL: "silent" },
      until,
    });
    try {
      assert.match(await ask(apart, "/fl_start_round"), /Admins only/, "TELEGRAM_ADMIN_IDS is empty: nobody is an admin");
      assert.match(await ask(apart, "/fl_status"), /Rounds: 1 completed/);
      assert.match(printed, /@synod_apart_bot is serving http:\/\/127\.0\.0\.1:\d+/);
      assert.match(await ask(apart, "/subscribe incidents", 400), /Subscribed/);
      // The event stream is connected once the coordinator counts a client.
      for (let i = 0; i < 100; i++) {
        const status = (await (await fetch(`${coordinator.url}/api/status`)).json()) as { eventStreamClients: number };
        if (status.eventStreamClients > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      coordinator.events.publish("mesh.incident", { incidentId: "inc-9", phase: "detected", fault: "network-partition", nodes: ["n3", "n4"] });
      const note = await apart.waitForMessage((m) => m.chat_id === "400" && /Incident detected/.test(m.text));
      assert.match(note.text, /network-partition[\s\S]*n3, n4/);
    } finally {
      stop();
      await running;
      await rm(apartDir, { recursive: true, force: true });
    }
  });

  it("synod telegram without a token says how to get one", async () => {
    await assert.rejects(
      telegramCommand({ api: createApiClient({ env: { SYNOD_API_URL: coordinator.url } }), out: createOutput({ json: false, write: () => {} }), args: [], options: {}, env: {} }),
      TelegramTokenMissingError,
    );
  });
});
