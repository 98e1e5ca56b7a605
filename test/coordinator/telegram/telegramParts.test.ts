/**
 * The bot's parts on their own: command parsing, languages, every reply valid for
 * Telegram's HTML parser in both languages, the sparkline, the per-chat rate limiter,
 * subscription topics and their persistence across a restart.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { ProposalEntry } from "../../../coordinator/api/schemas/proposals.ts";
import { UnknownSubscriptionTopicError } from "../../../coordinator/errors/telegram.ts";
import { redactBotToken } from "../../../coordinator/errors/telegram.ts";
import { openDatabase } from "../../../coordinator/store/openDatabase.ts";
import { createChatRateLimiter } from "../../../coordinator/telegram/chatRateLimiter.ts";
import { parseCommand } from "../../../coordinator/telegram/createTelegramBot.ts";
import { escapeHtml, percent, sparkline, tokens } from "../../../coordinator/telegram/format.ts";
import { languageOf } from "../../../coordinator/telegram/languageOf.ts";
import { MESSAGES, type Catalog, type Links } from "../../../coordinator/telegram/messages.ts";
import { parseTopics, SUBSCRIPTION_TOPICS, SubscriptionRepository } from "../../../coordinator/telegram/subscriptionRepository.ts";
import { checkTelegramHtml } from "../../fixtures/botApiServer.ts";

const proposal: ProposalEntry = {
  id: "123456789012345678901234567890",
  state: "Active",
  proposer: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  title: 'Ratify "3 records" <batch> & more',
  description: 'Ratify "3 records" <batch> & more',
  voteStart: 1_700_000_000,
  voteEnd: 1_700_600_000,
  eta: null,
  votes: { for: "225000000000000000000000", against: "0", abstain: "1000000000000000000" },
  actions: 1,
  proposalType: "routine",
  epoch: { epoch: 3, status: "proposed", root: `0x${"ab".repeat(32)}`, manifestCid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", records: 3, headlines: [] },
};
const links: Links = { dappUrl: "http://127.0.0.1:3000", apiUrl: "http://127.0.0.1:8787" };
const cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

/** One rendering of every message, with awkward values (`<`, `&`, quotes) where text is free. */
function renderAll(t: Catalog): string[] {
  const status = { nodes: { total: 12, online: 11, banned: 1 }, rounds: { completed: 3, failed: 1, running: 1 }, updates: { accepted: 30, rejected: 2 }, current: { round: 5, timeoutMs: 60_000 }, strategy: { name: "multikrum<f=1>" } };
  const model = { version: 3, round: 3, recordCid: cid, manifestCid: cid, holdoutAccuracy: 0.8734, holdoutLoss: 0.4, status: "ratified", recordId: 12 };
  const metrics = { rounds: { completed: 3, failed: 1 }, updates: { accepted: 30, rejected: 2, rejectedByReason: { "non-finite": 1, "bad-signature": 1, late: 0 } }, byzantineDetections: 2, accuracy: [0.5, 0.7, 0.87].map((accuracy, i) => ({ round: i + 1, accuracy, loss: 1 - accuracy })), failures: [] };
  const chaos = {
    running: { runId: 3, experiment: "node-failure", title: "Node <failure> & recovery", startedAt: 0, phase: "fault-applied", detail: "node-crash on n1" },
    last: { runId: 2, experiment: "partition", status: "completed", deviated: true, resilienceScore: 87.5, mttdMs: 1200, mttrMs: 3400, reportCid: cid, endedAt: 0 },
    activeFaults: [{ faultId: "f1", kind: "node-crash", affected: ["n1"] }],
    statistics: { "node-crash": { injected: 2, active: 1, recovered: 1, failed: 0, mttdMs: 1000, mttrMs: 3000 } },
  };
  return [
    t.help(true),
    t.help(false),
    t.adminOnly("fl_start_round"),
    t.unknownCommand("x<y>"),
    t.usage("/chaos_run <experiment>", "Too many <args> & such"),
    t.rateLimited(2500),
    t.coordinatorError("HTTP 500 <html> & \"quotes\""),
    t.roundStarted({ round: 1, participants: 15, timeoutMs: 60_000 }),
    t.roundBusy("FL round 3 is still running."),
    t.roundFinished({ round: 1, status: "completed", participants: 8, modelCid: cid, holdoutAccuracy: 0.9 }, links),
    t.roundFinished({ round: 2, status: "failed", participants: 1, reason: "too few updates (<3)" }, links),
    t.flStatus(status),
    t.flStatus({ ...status, current: null }),
    t.flModel(model, links),
    t.flModel({ ...model, status: "pending", recordId: null }, links),
    t.flModel({ ...model, round: null, recordCid: null }, links),
    t.flMetrics(metrics),
    t.flMetrics({ ...metrics, accuracy: [] }),
    t.chaosExperiments([{ file: "experiments/a.yaml", name: "node-failure", title: "A <b> & c", nominalDurationMs: 30_000 }]),
    t.chaosExperiments([]),
    t.chaosUnknown("x<y", ["node-failure"]),
    t.chaosStarted({ experiment: "node-failure", title: "A & B", nominalDurationMs: 30_000 }),
    t.chaosStarted({ runId: 7, experiment: "node-failure", title: "A & B", nominalDurationMs: 1_500, timeScale: 0.05 }),
    t.usage("/chaos_run [experiment] [time-scale]", t.chaosBadTimeScale("<2> & \"more\"")),
    t.chaosUnavailable("node-failure"),
    t.chaosUnavailable(undefined),
    t.chaosStatus(chaos, links),
    t.chaosStatus({ ...chaos, last: { ...chaos.last, status: "failed", deviated: null, resilienceScore: null, mttdMs: null, mttrMs: null, reportCid: null } }, links),
    t.chaosStatus({ running: null, last: null, activeFaults: [], statistics: {} }, links),
    t.chaosObserved({ activeFaults: [{ kind: "network-delay", affected: ["a", "b"] }], lastExperiment: { experiment: "x", status: "completed", deviated: false, resilienceScore: 90, mttdMs: null, mttrMs: null }, openIncidents: 1 }),
    t.chaosStatusUnavailable(),
    t.mapek({ source: "loop", view: { state: "MYSTICAL", phi: 0.31, epoch: 9, openIncidents: [{ incidentId: "i", nodeId: "n1", condition: "down", detectedAt: 0 }], healedIncidents: 2, excluded: 1 } }),
    t.mapek({ source: "loop", view: { state: null, phi: null, epoch: 0, openIncidents: [], healedIncidents: 0, excluded: 0 } }),
    t.mapek({ source: "events", state: "EUPHORIC", phi: 0.95, at: "2026-11-27T04:00:00.000Z" }),
    t.mapekUnavailable(),
    t.proposals([proposal, { ...proposal, state: "Pending", title: "" }], links),
    t.proposals([], links),
    t.proposalsUnavailable("The chain at http://127.0.0.1:8545/ is unreachable."),
    t.subscriptions([]),
    t.subscriptions(["rounds", "models"]),
    t.subscribed([...SUBSCRIPTION_TOPICS]),
    t.unsubscribed([]),
    t.unsubscribed(["incidents"]),
    t.unknownTopic("<weather>"),
    t.modelRatified({ recordId: "7", kind: "Model", cid, proposalId: "42" }, links),
    t.incidentDetected({ incidentId: "inc-1", phase: "detected", fault: "node-crash", nodes: ["n1", "n2"] }),
    t.proposalNeedsVotes({ proposalId: "42", state: "Pending" }, links),
    t.proposalNeedsVotes({ proposalId: "42", state: "Pending" }, links, "Ratify <3> records & a directive"),
    t.internalError(),
  ];
}

describe("Telegram bot parts", () => {
  it("every reply is HTML Telegram accepts, under 4096 characters, in both languages", () => {
    for (const [lang, catalog] of Object.entries(MESSAGES)) {
      for (const [i, text] of renderAll(catalog).entries()) {
        assert.equal(checkTelegramHtml(text), null, `${lang} message #${i}: ${text}`);
        assert.ok(text.length > 0 && text.length < 4096, `${lang} message #${i} length ${text.length}`);
      }
    }
    // the fixture's checker does reject what Telegram rejects
    assert.notEqual(checkTelegramHtml("a < b"), null);
    assert.notEqual(checkTelegramHtml("<b>open"), null);
    assert.notEqual(checkTelegramHtml("<div>x</div>"), null);
    assert.notEqual(checkTelegramHtml("R&D"), null);
  });

  it("/proposals tells routine proposals from full-vote ones", () => {
    const list = [proposal, { ...proposal, proposalType: "full" as const, epoch: null }];
    assert.match(MESSAGES.en.proposals(list, links), /routine \(passes unless vetoed\) · knowledge epoch 3, 3 records[\s\S]*full vote \(needs the quorum\)/);
    assert.match(MESSAGES.ru.proposals(list, links), /рутинное[\s\S]*полное голосование/);
  });

  it("speaks Russian to ru (and be/uk/kk) users, English to everyone else", () => {
    assert.equal(languageOf("ru"), "ru");
    assert.equal(languageOf("ru-RU"), "ru");
    assert.equal(languageOf("uk"), "ru");
    assert.equal(languageOf("en"), "en");
    assert.equal(languageOf("de"), "en");
    assert.equal(languageOf(undefined), "en");
    assert.match(MESSAGES.ru.roundStarted({ round: 1, participants: 15, timeoutMs: 60_000 }), /🚀 <b>FL Раунд запущен!<\/b>\n\n📊 Round #: 1\n👥 Участников выбрано: 15\n⏱️ Timeout: 60 сек/);
  });

  it("parses commands, arguments and @mentions", () => {
    assert.deepEqual(parseCommand("/chaos_run  node-failure ", "synod_bot"), { name: "chaos_run", args: ["node-failure"] });
    assert.deepEqual(parseCommand("/FL_Status@Synod_Bot", "synod_bot"), { name: "fl_status", args: [] });
    assert.deepEqual(parseCommand("/help@other_bot", "synod_bot"), { name: undefined, addressedElsewhere: true });
    assert.deepEqual(parseCommand("hello /help", "synod_bot"), { name: undefined, addressedElsewhere: false });
    assert.deepEqual(parseCommand("/subscribe rounds,models\nincidents", "synod_bot"), { name: "subscribe", args: ["rounds,models", "incidents"] });
  });

  it("formats: escaped HTML, percentages, whole tokens, a sparkline scaled to its range", () => {
    assert.equal(escapeHtml("<a & b>"), "&lt;a &amp; b&gt;");
    assert.equal(percent(0.8734), "87.3%");
    assert.equal(percent(null), "—");
    assert.equal(tokens("225000000000000000000000"), "225,000");
    assert.equal(sparkline([0.1, 0.5, 0.9]), "▁▅█");
    assert.equal(sparkline([0.5, 0.5]), "▄▄");
    assert.equal(sparkline([]), "");
    assert.equal(sparkline(Array.from({ length: 40 }, (_, i) => i)).length, 24, "only the last 24 rounds");
  });

  it("rate limiter: a burst of max per chat, refilled over the window, one notice per burst", () => {
    let now = 0;
    const limiter = createChatRateLimiter({ max: 3, windowMs: 3_000, now: () => now });
    assert.deepEqual([1, 2, 3].map(() => limiter.take(1).ok), [true, true, true]);
    assert.deepEqual(limiter.take(1), { ok: false, retryAfterMs: 1_000, notify: true });
    assert.equal((limiter.take(1) as { notify: boolean }).notify, false, "told once");
    assert.equal(limiter.take(2).ok, true, "other chats have their own bucket");
    now = 1_000;
    assert.equal(limiter.take(1).ok, true, "one token back after a third of the window");
    assert.equal(limiter.take(1).ok, false);
    assert.throws(() => createChatRateLimiter({ max: 0, windowMs: 1 }), RangeError);
  });

  it("topics: names, singular aliases, all; unknown ones named", () => {
    assert.deepEqual(parseTopics([]), [...SUBSCRIPTION_TOPICS]);
    assert.deepEqual(parseTopics(["all"]), [...SUBSCRIPTION_TOPICS]);
    assert.deepEqual(parseTopics(["proposal", "round,model"]), ["rounds", "models", "proposals"]);
    assert.throws(() => parseTopics(["rounds", "weather"]), (error: unknown) => error instanceof UnknownSubscriptionTopicError && error.topic === "weather");
  });

  it("subscriptions survive a restart, keep the language they were made in, and unsubscribe per topic", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "synod-telegram-subs-"));
    try {
      let db = openDatabase(dir);
      const repo = new SubscriptionRepository(db);
      assert.deepEqual(repo.subscribe(-1001234567890, ["rounds", "incidents"], "ru"), ["rounds", "incidents"]);
      repo.subscribe(42, ["rounds"], "en");
      repo.subscribe(42, ["rounds"], "ru"); // again, from a Russian client
      db.close();

      db = openDatabase(dir);
      const reopened = new SubscriptionRepository(db);
      assert.deepEqual(reopened.topicsOf(-1001234567890), ["rounds", "incidents"]);
      assert.deepEqual(reopened.subscribers("rounds"), [
        { chatId: "-1001234567890", lang: "ru" },
        { chatId: "42", lang: "ru" },
      ]);
      assert.deepEqual(reopened.unsubscribe(-1001234567890, ["rounds"]), ["incidents"]);
      assert.deepEqual(reopened.unsubscribe(-1001234567890), []);
      db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keeps bot tokens out of error text", () => {
    const token = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123";
    assert.equal(redactBotToken(`request to http://127.0.0.1:8081/bot${token}/getMe failed`, token), "request to http://127.0.0.1:8081/bot***/getMe failed");
    assert.equal(redactBotToken(`token ${token} leaked`, token), "token *** leaked");
  });
});
