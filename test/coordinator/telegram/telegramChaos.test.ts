/**
 * The bot's chaos and MAPE-K commands against a real coordinator: its mesh of 8 nodes
 * in node-host processes, the MAPE-K loop and the chaos engine over it (`chaosService`),
 * and the bot as the coordinator runs it (`telegramService`, calling `/api/chaos/*` and
 * `/api/mapek` with the admin token) against a local Bot API server. What the bot says
 * is checked against what the API says; the run is shortened with the time scale
 * argument (`/chaos_run latency-spike 0.15`: 9 s of added latency instead of 60, nothing
 * killed; long enough for the commands sent while it runs on a busy machine).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startCoordinator, type StartCoordinatorReturnType } from "../../../coordinator/server.ts";
import { chaosService, flService, knowledgeService, meshService } from "../../../coordinator/services/defaultServices.ts";
import { telegramService } from "../../../coordinator/services/createTelegramService.ts";
import { startBotApiServer, type BotApiServer } from "../../fixtures/botApiServer.ts";
import { freePort, until } from "../../fixtures/waiting.ts";

const ADMIN_TOKEN = "telegram-chaos-admin-token-0123456789abcdef";
const ADMIN = 100;
const OPERATOR = 200; // not an admin

/** This process's children running a node host (`coordinator/chaos/host/nodeHostMain.ts`). */
function nodeHostChildren(): string[] {
  return execFileSync("ps", ["-e", "-o", "ppid=,pid=,args="], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.trim().split(/\s+/)[0] === String(process.pid) && line.includes("nodeHostMain"));
}

type Run = { runId: number; experiment: string; status: string; timeScale: number; reportCid: string | null; journal: { resilienceScore: number; deviated: boolean; faults: unknown[] } | null };
type Mapek = { state: string | null; phi: number | null; epoch: number };

describe("Telegram bot: chaos experiments and MAPE-K over the coordinator's API", () => {
  let telegram: BotApiServer;
  let coordinator: StartCoordinatorReturnType | undefined;
  let dataDir: string;

  const api = async <T,>(pathname: string): Promise<T> => {
    const response = await fetch(`${coordinator!.url}${pathname}`);
    assert.equal(response.status, 200, `GET ${pathname}`);
    return (await response.json()) as T;
  };

  /** Sends `text` as `userId` in its private chat and resolves with the bot's next message there. */
  async function ask(text: string, userId = ADMIN): Promise<string> {
    const after = telegram.sent.length;
    telegram.sendText({ chatId: userId, text, languageCode: "en" });
    return (await telegram.waitForMessage((m) => m.chat_id === String(userId), { after, timeoutMs: 15_000 })).text;
  }

  before(async () => {
    telegram = await startBotApiServer();
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-telegram-chaos-"));
    const env = {
      SYNOD_NETWORK_PROFILE: "local",
      SYNOD_DATA_DIR: dataDir,
      SYNOD_ADMIN_TOKEN: ADMIN_TOKEN,
      RPC_URL: "http://127.0.0.1:9",
      LOG_LEVEL: "silent",
      SYNOD_MESH_NODES: "8",
      SYNOD_MESH_NODES_PER_HOST: "2",
      SYNOD_FL_ROUND_INTERVAL_MS: "500",
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_ADMIN_IDS: String(ADMIN),
    };
    // The bot must know the API's port before the coordinator listens: pick a free one,
    // and pick again if something (a node host of this mesh) took it in between.
    for (let attempt = 1; !coordinator; attempt++) {
      try {
        coordinator = await startCoordinator({ env: { ...env, SYNOD_API_PORT: String(await freePort()) }, services: [knowledgeService, flService, meshService, chaosService, telegramService] });
      } catch (error) {
        if (attempt === 3 || !/EADDRINUSE/.test(String(error))) throw error;
      }
    }
  });

  after(async () => {
    // Closes the bot and the node-host processes; a run still going is interrupted and rolled back.
    await coordinator?.close();
    await telegram.close();
    await rm(dataDir, { recursive: true, force: true });
    assert.deepEqual(nodeHostChildren(), [], "no node host outlives the coordinator");
  });

  it("the coordinator runs its mesh in node-host processes (the bot's chaos engine and MAPE-K loop act on them)", () => {
    assert.ok(nodeHostChildren().length >= 4, "8 nodes, 2 per host");
  });

  it("/mapek shows the state, φ and epoch GET /api/mapek shows", async () => {
    await until("the first MAPE-K tick", async () => ((await api<Mapek>("/api/mapek")).state === null ? undefined : true), 20_000);
    // The loop ticks every 250 ms: compare where no tick fell between the two reads.
    for (let attempt = 1; ; attempt++) {
      const before = await api<Mapek>("/api/mapek");
      const reply = await ask("/mapek");
      const after = await api<Mapek>("/api/mapek");
      if (before.epoch !== after.epoch && attempt < 20) continue;
      assert.match(reply, /🧭 <b>MAPE-K<\/b>/);
      const state = /State: <b>([A-Z]+)<\/b>/.exec(reply)?.[1];
      const phi = /φ = ([\d.]+) \(epoch (\d+)\)/.exec(reply);
      assert.ok(state && phi, reply);
      assert.ok([before.state, after.state].includes(state), `${state} ∉ {${before.state}, ${after.state}}`);
      if (before.epoch === after.epoch) {
        assert.equal(state, after.state);
        assert.equal(phi[1], after.phi!.toFixed(3));
        assert.equal(Number(phi[2]), after.epoch);
      }
      break;
    }
  });

  it("refuses a non-admin's /chaos_run and starts nothing", async () => {
    assert.match(await ask("/chaos_run latency-spike 0.15", OPERATOR), /⛔ <b>Admins only<\/b>/);
    assert.deepEqual((await api<{ runs: Run[] }>("/api/chaos/runs")).runs, []);
  });

  it("an admin's /chaos_run starts a run the API shows; /chaos_status follows it while it runs and reports its score and report CID when it ends", async () => {
    assert.match(await ask("/chaos_run"), /<code>latency-spike<\/code> — 500 ± 100 ms of added latency/, "the experiments folder, by name");
    assert.match(await ask("/chaos_run latency-spike 2"), /time scale must be a number from 0\.001 to 1/);

    // latency-spike's steady-state hypothesis (rounds complete, accuracy ≥ 0.8) must hold
    // first, else the run ends at once without injecting anything.
    await until("FL to reach latency-spike's steady state", async () => {
      const metrics = await api<{ rounds: { completed: number }; accuracy: Array<{ accuracy: number }> }>("/api/fl/metrics");
      return metrics.rounds.completed >= 3 && (metrics.accuracy.at(-1)?.accuracy ?? 0) >= 0.82 ? true : undefined;
    }, 30_000);
    const started = await ask("/chaos_run latency-spike 0.15");
    assert.match(started, /💥 <b>Chaos experiment started!<\/b>[\s\S]*<code>latency-spike<\/code>[\s\S]*Nominal duration: 9 s \(time scale 0\.15\)/);
    const runId = Number(/\(run #(\d+)\)/.exec(started)?.[1]);
    const [listed] = (await api<{ runs: Run[] }>("/api/chaos/runs")).runs;
    assert.equal(listed?.runId, runId);
    assert.equal(listed.experiment, "latency-spike");
    assert.equal(listed.timeScale, 0.15);

    const again = await ask("/chaos_run latency-spike 0.15");
    assert.match(again, /Chaos experiment "latency-spike" is still running/, `the coordinator's 409, not: ${again}`);
    assert.equal((await api<{ runs: Run[] }>("/api/chaos/runs")).runs.length, 1, "not started twice");
    const running = await ask("/chaos_status");
    assert.match(running, new RegExp(`Running: <code>latency-spike</code> \\(run #${runId}\\) — `));

    const run = await until("the run to end", async () => {
      const r = await api<Run>(`/api/chaos/runs/${runId}`);
      return r.status === "running" ? undefined : r;
    }, 30_000);
    assert.ok(run.journal && run.reportCid, `run ${run.status} with a journal and a report`);
    assert.equal(run.journal.faults.length, 1, "the fault was injected");
    const done = await ask("/chaos_status");
    assert.match(done, /💤 No experiment running/);
    assert.match(done, new RegExp(`Last: <code>latency-spike</code> \\(run #${runId}\\) ${run.status}${run.journal.deviated ? " \\(deviated\\)" : ""}, resilience ${run.journal.resilienceScore.toFixed(1)}\\n`));
    assert.ok(done.includes(`href="${coordinator!.url}/ipfs/${run.reportCid}"`), done);
    assert.match(done, /network-delay: 1 injected, 1 recovered/);
  });
});
