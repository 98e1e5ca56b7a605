/**
 * Every reply the bot sends, in English and Russian, in the seed's style (an emoji
 * header line, then one fact per line with its emoji). Telegram HTML: callers pass raw
 * values, the catalog escapes them. The language comes from the user's Telegram
 * `language_code` (`languageOf.ts`); notifications use the language the chat
 * subscribed in.
 */
import type { FlMetrics, FlModel, FlStatus, StartRound } from "../api/schemas/fl.ts";
import type { ProposalEntry } from "../api/schemas/proposals.ts";
import type { SynodEvents } from "../events.ts";
import type { ChaosRunStarted, ChaosStatusView, ExperimentEntry } from "./chaosPort.ts";
import { escapeAttribute, escapeHtml, percent, seconds, shorten, sparkline, tokens } from "./format.ts";
import type { Lang } from "./languageOf.ts";
import type { MapekView } from "./mapekPort.ts";
import type { SubscriptionTopic } from "./subscriptionRepository.ts";

/** Links the replies carry. */
export type Links = { dappUrl: string; apiUrl: string };

/** The model's own record in the dApp's knowledge browser once ratified, else the Models tab. */
function modelUrl(links: Links, recordId: number | string | null): string {
  return `${links.dappUrl}/knowledge?kind=Model${recordId !== null ? `#record-${recordId}` : ""}`;
}

const a = (href: string, text: string) => `<a href="${escapeAttribute(href)}">${escapeHtml(text)}</a>`;
const code = (text: string) => `<code>${escapeHtml(text)}</code>`;
const cidLink = (links: Links, cid: string) => a(`${links.apiUrl}/ipfs/${cid}`, shorten(cid, 14, 8));

/** What a chat sees after `/mapek`: from the coordinator's loop (`GET /api/mapek`), or from the events the bot saw where it runs none. */
export type MapekReply = { source: "loop"; view: MapekView } | { source: "events"; state: string; phi: number; at: string };

export type Catalog = {
  help(isAdmin: boolean): string;
  adminOnly(command: string): string;
  unknownCommand(command: string): string;
  usage(usage: string, problem?: string): string;
  rateLimited(retryAfterMs: number): string;
  coordinatorError(message: string): string;
  roundStarted(view: StartRound): string;
  roundBusy(message: string): string;
  roundFinished(event: SynodEvents["fl.round.finished"], links: Links): string;
  flStatus(view: FlStatus): string;
  flModel(view: FlModel, links: Links): string;
  flMetrics(view: FlMetrics): string;
  chaosExperiments(experiments: readonly ExperimentEntry[]): string;
  chaosUnknown(name: string, known: readonly string[]): string;
  chaosStarted(started: Pick<ChaosRunStarted, "experiment" | "title" | "nominalDurationMs"> & { runId?: number; timeScale?: number }): string;
  /** The problem with a `/chaos_run` time scale that is not a number in 0.001–1. */
  chaosBadTimeScale(value: string): string;
  chaosUnavailable(name: string | undefined): string;
  chaosStatus(view: ChaosStatusView, links: Links): string;
  chaosObserved(observed: { activeFaults: Array<{ kind: string; affected: string[] }>; lastExperiment: SynodEvents["chaos.experiment.finished"] | null; openIncidents: number }): string;
  chaosStatusUnavailable(): string;
  mapek(reply: MapekReply): string;
  mapekUnavailable(): string;
  proposals(list: readonly ProposalEntry[], links: Links): string;
  proposalsUnavailable(message: string): string;
  subscriptions(topics: readonly SubscriptionTopic[]): string;
  subscribed(topics: readonly SubscriptionTopic[]): string;
  unsubscribed(topics: readonly SubscriptionTopic[]): string;
  unknownTopic(topic: string): string;
  modelRatified(event: SynodEvents["knowledge.record.ratified"], links: Links): string;
  incidentDetected(event: SynodEvents["mesh.incident"]): string;
  proposalNeedsVotes(event: SynodEvents["governance.proposal.changed"], links: Links, title?: string): string;
  internalError(): string;
};

const TOPIC_LABELS: Record<Lang, Record<SubscriptionTopic, string>> = {
  en: { rounds: "FL round finished", models: "model ratified", incidents: "incident detected", proposals: "proposal needs votes" },
  ru: { rounds: "FL раунд завершён", models: "модель ратифицирована", incidents: "обнаружен инцидент", proposals: "предложение ждёт голосов" },
};

const topicLines = (lang: Lang, topics: readonly SubscriptionTopic[]) => topics.map((t) => `• ${code(t)} — ${TOPIC_LABELS[lang][t]}`).join("\n");

const ALL_TOPICS: readonly SubscriptionTopic[] = ["rounds", "models", "incidents", "proposals"];

const en: Catalog = {
  help: (isAdmin) =>
    [
      "🤖 <b>Synod bot</b>",
      "",
      "🧠 <b>Federated learning</b>",
      `/fl_start_round — start a round${isAdmin ? "" : " (admins)"}`,
      "/fl_status — nodes, rounds, updates, current round",
      "/fl_model — the global model: version, CID, accuracy, ratification",
      "/fl_metrics — updates, rejections, Byzantine detections, accuracy trend",
      "",
      "💥 <b>Chaos and healing</b>",
      `/chaos_run [experiment] [time-scale] — run a chaos experiment${isAdmin ? "" : " (admins)"}; without a name: the list; a time scale of 0.001–1 shortens its faults and pauses (0.1: ten times faster)`,
      "/chaos_status — running experiment, active faults, MTTD/MTTR",
      "/mapek — MAPE-K state and φ",
      "",
      "🏛 <b>Governance</b>",
      "/proposals — open proposals with links to vote",
      "",
      "🔔 <b>Notifications</b>",
      "/subscribe [topic…] — topics: rounds, models, incidents, proposals, all",
      "/unsubscribe [topic…]",
    ].join("\n"),
  adminOnly: (command) => `⛔ <b>Admins only</b>\n\n/${escapeHtml(command)} needs an operator listed in TELEGRAM_ADMIN_IDS. Ask an operator to add your Telegram user id.`,
  unknownCommand: (command) => `🤔 Unknown command /${escapeHtml(command)}.\n\nSend /help for the list.`,
  usage: (usage, problem) => `✍️ ${problem ? `${escapeHtml(problem)}\n\n` : ""}Usage: ${code(usage)}`,
  rateLimited: (ms) => `🐢 <b>Too many requests</b>\n\nThis chat is sending commands too fast. Try again in ${seconds(Math.ceil(ms / 1000) * 1000)} s.`,
  coordinatorError: (message) => `⚠️ <b>Coordinator error</b>\n\n${escapeHtml(message)}`,
  roundStarted: (v) => ["🚀 <b>FL round started!</b>", "", `📊 Round #: ${v.round}`, `👥 Participants selected: ${v.participants}`, `⏱️ Timeout: ${seconds(v.timeoutMs)} s`, "", "I will report here when it ends."].join("\n"),
  roundBusy: (message) => `⏳ <b>A round is already running</b>\n\n${escapeHtml(message)}\nSee /fl_status.`,
  roundFinished: (e, links) =>
    e.status === "completed"
      ? [
          `✅ <b>FL round #${e.round} finished</b>`,
          "",
          `👥 Updates aggregated: ${e.participants}`,
          `🎯 Holdout accuracy: ${percent(e.holdoutAccuracy)}`,
          ...(e.modelCid ? [`📦 Model: ${cidLink(links, e.modelCid)}`] : ["📦 Model: not published (see the coordinator log)"]),
        ].join("\n")
      : [`❌ <b>FL round #${e.round} failed</b>`, "", `👥 Updates aggregated: ${e.participants}`, `💬 Reason: ${escapeHtml(e.reason ?? "unknown")}`].join("\n"),
  flStatus: (v) =>
    [
      "📡 <b>FL status</b>",
      "",
      `🖥 Nodes: ${v.nodes.total} total · ${v.nodes.online} online · ${v.nodes.banned} banned`,
      `🔁 Rounds: ${v.rounds.completed} completed · ${v.rounds.failed} failed`,
      `📨 Updates: ${v.updates.accepted} accepted · ${v.updates.rejected} rejected`,
      `🧮 Strategy: ${code(String(v.strategy.name ?? "?"))}`,
      v.current ? `⏳ Round #${v.current.round} in progress (timeout ${seconds(v.current.timeoutMs)} s)` : "💤 No round in progress",
    ].join("\n"),
  flModel: (v, links) =>
    v.round === null
      ? "🧠 <b>Global model</b>\n\nNo model yet: no round has completed. An admin can start one with /fl_start_round."
      : [
          "🧠 <b>Global model</b>",
          "",
          `🏷 Version: ${v.version} (round #${v.round})`,
          `📦 CID: ${v.recordCid ? cidLink(links, v.recordCid) : "—"}`,
          `🎯 Holdout accuracy: ${percent(v.holdoutAccuracy)}`,
          v.status === "ratified" ? `🏛 Ratified by the DAO${v.recordId !== null ? ` (record #${v.recordId})` : ""}` : `🏛 Not ratified yet (${escapeHtml(v.status ?? "unknown")})`,
          `🔗 ${a(modelUrl(links, v.recordId), "Open in the dApp")}`,
        ].join("\n"),
  flMetrics: (v) => {
    const reasons = Object.entries(v.updates.rejectedByReason).filter(([, n]) => n > 0);
    const accuracy = v.accuracy.map((p) => p.accuracy);
    return [
      "📈 <b>FL metrics</b>",
      "",
      `🔁 Rounds: ${v.rounds.completed} completed · ${v.rounds.failed} failed`,
      `📨 Updates: ${v.updates.accepted} accepted · ${v.updates.rejected} rejected`,
      ...(reasons.length ? reasons.map(([reason, n]) => `   • ${escapeHtml(reason)}: ${n}`) : []),
      `🛡 Byzantine detections: ${v.byzantineDetections}`,
      accuracy.length
        ? `🎯 Accuracy: ${sparkline(accuracy)} ${percent(accuracy[0])} → ${percent(accuracy.at(-1))} (${accuracy.length} rounds)`
        : "🎯 Accuracy: no evaluated round yet",
    ].join("\n");
  },
  chaosExperiments: (list) =>
    [
      "💥 <b>Chaos experiments</b>",
      "",
      ...(list.length ? list.map((e) => `• ${code(e.name)} — ${escapeHtml(e.title)} (${seconds(e.nominalDurationMs)} s)`) : ["No experiment files found."]),
      "",
      "Run one: /chaos_run &lt;name&gt; [time-scale]",
    ].join("\n"),
  chaosUnknown: (name, known) => `🤔 No experiment is named ${code(name)}.\n\nKnown: ${known.length ? known.map(code).join(", ") : "none"}.`,
  chaosStarted: (s) =>
    [
      "💥 <b>Chaos experiment started!</b>",
      "",
      `🧪 ${code(s.experiment)} — ${escapeHtml(s.title)}${s.runId === undefined ? "" : ` (run #${s.runId})`}`,
      `⏱️ Nominal duration: ${seconds(s.nominalDurationMs)} s${s.timeScale !== undefined && s.timeScale !== 1 ? ` (time scale ${s.timeScale})` : ""}`,
      "",
      "Follow it with /chaos_status.",
    ].join("\n"),
  chaosBadTimeScale: (value) => `The time scale must be a number from 0.001 to 1, not "${value}".`,
  chaosUnavailable: (name) =>
    `⚠️ <b>Chaos is not running on this coordinator</b>\n\nIt runs no chaos engine and no MAPE-K loop (they need its mesh in node-host processes: SYNOD_MESH_NODES and SYNOD_MESH_NODES_PER_HOST above 0), so ${name ? `${code(name)} was not started` : "experiments cannot be listed or started"}.`,
  chaosStatus: (v, links) => {
    const stats = Object.entries(v.statistics);
    return [
      "💥 <b>Chaos status</b>",
      "",
      v.running ? `🧪 Running: ${code(v.running.experiment)} (run #${v.running.runId}) — ${escapeHtml(v.running.phase)}${v.running.detail ? ` (${escapeHtml(v.running.detail)})` : ""}` : "💤 No experiment running",
      v.activeFaults.length ? `🔥 Active faults: ${v.activeFaults.map((f) => `${f.kind} on ${f.affected.length} node(s)`).join(", ")}` : "🔥 Active faults: none",
      ...(v.last
        ? [
            `📋 Last: ${code(v.last.experiment)} (run #${v.last.runId}) ${escapeHtml(v.last.status)}${v.last.deviated ? " (deviated)" : ""}, resilience ${v.last.resilienceScore === null ? "—" : v.last.resilienceScore.toFixed(1)}`,
            `⏱️ MTTD ${v.last.mttdMs === null ? "—" : `${seconds(v.last.mttdMs)} s`} · MTTR ${v.last.mttrMs === null ? "—" : `${seconds(v.last.mttrMs)} s`}`,
            ...(v.last.reportCid ? [`📄 Report: ${cidLink(links, v.last.reportCid)}`] : []),
          ]
        : []),
      ...(stats.length ? ["", "📊 By fault kind:", ...stats.map(([kind, s]) => `   • ${kind}: ${s.injected} injected, ${s.recovered} recovered${s.failed ? `, ${s.failed} failed` : ""}`)] : []),
    ].join("\n");
  },
  chaosObserved: (o) =>
    [
      "💥 <b>Chaos status</b> (from the coordinator's events)",
      "",
      o.activeFaults.length ? `🔥 Active faults: ${o.activeFaults.map((f) => `${f.kind} on ${f.affected.length} node(s)`).join(", ")}` : "🔥 Active faults: none seen",
      `🚨 Open incidents: ${o.openIncidents}`,
      ...(o.lastExperiment
        ? [`📋 Last: ${code(o.lastExperiment.experiment)} ${escapeHtml(o.lastExperiment.status)}, resilience ${o.lastExperiment.resilienceScore.toFixed(1)}`]
        : []),
    ].join("\n"),
  chaosStatusUnavailable: () => "⚠️ <b>Chaos status unavailable</b>\n\nThis coordinator runs no chaos engine, and the bot has seen no chaos events since it started.",
  mapek: (r) =>
    r.source === "loop"
      ? r.view.state === null
        ? "🧭 <b>MAPE-K</b>\n\nThe loop has not completed its first tick yet."
        : [
            "🧭 <b>MAPE-K</b>",
            "",
            `🌡 State: <b>${escapeHtml(r.view.state)}</b>`,
            `φ = ${r.view.phi === null ? "—" : r.view.phi.toFixed(3)} (epoch ${r.view.epoch})`,
            `🚨 Open incidents: ${r.view.openIncidents.length}${r.view.openIncidents.length ? ` (${r.view.openIncidents.map((i) => `${i.nodeId}: ${i.condition}`).join(", ")})` : ""}`,
            `🩹 Healed: ${r.view.healedIncidents} · excluded from FL: ${r.view.excluded}`,
          ].join("\n")
      : ["🧭 <b>MAPE-K</b> (last state change seen)", "", `🌡 State: <b>${escapeHtml(r.state)}</b>`, `φ = ${r.phi.toFixed(3)}`, `🕒 ${escapeHtml(r.at)}`].join("\n"),
  mapekUnavailable: () => "⚠️ <b>MAPE-K unavailable</b>\n\nThis coordinator runs no MAPE-K loop, and the bot has seen no state change since it started.",
  proposals: (list, links) =>
    list.length === 0
      ? "🏛 <b>Open proposals</b>\n\nNothing to vote on right now."
      : [
          "🏛 <b>Open proposals</b>",
          "",
          ...list.map((p) =>
            [
              `🗳 ${a(`${links.dappUrl}/proposals/${p.id}`, p.title || `Proposal ${shorten(p.id)}`)} — <b>${escapeHtml(p.state)}</b>`,
              `   👍 ${tokens(p.votes.for)} · 👎 ${tokens(p.votes.against)} · 🤷 ${tokens(p.votes.abstain)} MESH${p.state === "Active" ? ` · ends ${new Date(p.voteEnd * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC` : ""}`,
              `   ${p.proposalType === "routine" ? "⚖️ routine (passes unless vetoed)" : "⚖️ full vote (needs the quorum)"}${p.epoch ? ` · knowledge epoch ${p.epoch.epoch}, ${p.epoch.records} records` : ""}`,
            ].join("\n"),
          ),
        ].join("\n"),
  proposalsUnavailable: (message) => `⚠️ <b>Proposals unavailable</b>\n\n${escapeHtml(message)}`,
  subscriptions: (topics) =>
    [
      "🔔 <b>Notifications</b>",
      "",
      topics.length ? `This chat receives:\n${topicLines("en", topics)}` : "This chat receives nothing yet.",
      "",
      `Topics:\n${topicLines("en", ALL_TOPICS)}`,
      "",
      "/subscribe rounds models — or /subscribe all",
    ].join("\n"),
  subscribed: (topics) => `🔔 <b>Subscribed</b>\n\nThis chat now receives:\n${topicLines("en", topics)}\n\n/unsubscribe to stop.`,
  unsubscribed: (topics) => (topics.length ? `🔕 <b>Unsubscribed</b>\n\nStill on:\n${topicLines("en", topics)}` : "🔕 <b>Unsubscribed</b>\n\nThis chat receives no notifications."),
  unknownTopic: (topic) => `🤔 Unknown topic ${code(topic)}.\n\nTopics:\n${topicLines("en", ALL_TOPICS)}\nor ${code("all")}.`,
  modelRatified: (e, links) => ["🏛 <b>Model ratified!</b>", "", `📜 Record #${escapeHtml(e.recordId)}`, `📦 CID: ${cidLink(links, e.cid)}`, `🗳 ${a(`${links.dappUrl}/proposals/${e.proposalId}`, "Proposal")}`].join("\n"),
  incidentDetected: (e) => ["🚨 <b>Incident detected</b>", "", `⚡ Fault: ${escapeHtml(e.fault)}`, `🖥 Nodes: ${escapeHtml(e.nodes.join(", ") || "—")}`, `🆔 ${code(e.incidentId)}`].join("\n"),
  proposalNeedsVotes: (e, links, title) =>
    ["🗳 <b>New proposal needs votes</b>", "", ...(title ? [`📜 ${escapeHtml(title)}`] : []), `📌 State: ${escapeHtml(e.state)}`, `🔗 ${a(`${links.dappUrl}/proposals/${e.proposalId}`, "Vote in the dApp")}`].join("\n"),
  internalError: () => "💥 Something went wrong on our side. The operators can find it in the coordinator log.",
};

const ru: Catalog = {
  help: (isAdmin) =>
    [
      "🤖 <b>Бот Synod</b>",
      "",
      "🧠 <b>Федеративное обучение</b>",
      `/fl_start_round — запустить раунд${isAdmin ? "" : " (админы)"}`,
      "/fl_status — узлы, раунды, обновления, текущий раунд",
      "/fl_model — глобальная модель: версия, CID, точность, ратификация",
      "/fl_metrics — обновления, отклонения, византийские узлы, динамика точности",
      "",
      "💥 <b>Хаос и самовосстановление</b>",
      `/chaos_run [эксперимент] [масштаб] — запустить chaos-эксперимент${isAdmin ? "" : " (админы)"}; без имени — список; масштаб времени 0.001–1 укорачивает сбои и паузы (0.1 — в десять раз быстрее)`,
      "/chaos_status — текущий эксперимент, активные сбои, MTTD/MTTR",
      "/mapek — состояние MAPE-K и φ",
      "",
      "🏛 <b>Управление</b>",
      "/proposals — открытые предложения со ссылками для голосования",
      "",
      "🔔 <b>Уведомления</b>",
      "/subscribe [тема…] — темы: rounds, models, incidents, proposals, all",
      "/unsubscribe [тема…]",
    ].join("\n"),
  adminOnly: (command) => `⛔ <b>Только для админов</b>\n\nКоманда /${escapeHtml(command)} доступна операторам из TELEGRAM_ADMIN_IDS. Попросите оператора добавить ваш Telegram user id.`,
  unknownCommand: (command) => `🤔 Неизвестная команда /${escapeHtml(command)}.\n\nСписок команд: /help`,
  usage: (usage, problem) => `✍️ ${problem ? `${escapeHtml(problem)}\n\n` : ""}Использование: ${code(usage)}`,
  rateLimited: (ms) => `🐢 <b>Слишком много запросов</b>\n\nЭтот чат отправляет команды слишком часто. Повторите через ${seconds(Math.ceil(ms / 1000) * 1000)} сек.`,
  coordinatorError: (message) => `⚠️ <b>Ошибка координатора</b>\n\n${escapeHtml(message)}`,
  roundStarted: (v) => ["🚀 <b>FL Раунд запущен!</b>", "", `📊 Round #: ${v.round}`, `👥 Участников выбрано: ${v.participants}`, `⏱️ Timeout: ${seconds(v.timeoutMs)} сек`, "", "Сообщу сюда, когда раунд завершится."].join("\n"),
  roundBusy: (message) => `⏳ <b>Раунд уже идёт</b>\n\n${escapeHtml(message)}\nСм. /fl_status.`,
  roundFinished: (e, links) =>
    e.status === "completed"
      ? [
          `✅ <b>FL раунд #${e.round} завершён</b>`,
          "",
          `👥 Обновлений агрегировано: ${e.participants}`,
          `🎯 Точность (holdout): ${percent(e.holdoutAccuracy)}`,
          ...(e.modelCid ? [`📦 Модель: ${cidLink(links, e.modelCid)}`] : ["📦 Модель не опубликована (см. лог координатора)"]),
        ].join("\n")
      : [`❌ <b>FL раунд #${e.round} не удался</b>`, "", `👥 Обновлений агрегировано: ${e.participants}`, `💬 Причина: ${escapeHtml(e.reason ?? "неизвестна")}`].join("\n"),
  flStatus: (v) =>
    [
      "📡 <b>Статус FL</b>",
      "",
      `🖥 Узлы: всего ${v.nodes.total} · онлайн ${v.nodes.online} · заблокировано ${v.nodes.banned}`,
      `🔁 Раунды: завершено ${v.rounds.completed} · неудачных ${v.rounds.failed}`,
      `📨 Обновления: принято ${v.updates.accepted} · отклонено ${v.updates.rejected}`,
      `🧮 Стратегия: ${code(String(v.strategy.name ?? "?"))}`,
      v.current ? `⏳ Идёт раунд #${v.current.round} (timeout ${seconds(v.current.timeoutMs)} сек)` : "💤 Раунд не идёт",
    ].join("\n"),
  flModel: (v, links) =>
    v.round === null
      ? "🧠 <b>Глобальная модель</b>\n\nМодели пока нет: ни один раунд не завершён. Админ может запустить раунд: /fl_start_round."
      : [
          "🧠 <b>Глобальная модель</b>",
          "",
          `🏷 Версия: ${v.version} (раунд #${v.round})`,
          `📦 CID: ${v.recordCid ? cidLink(links, v.recordCid) : "—"}`,
          `🎯 Точность (holdout): ${percent(v.holdoutAccuracy)}`,
          v.status === "ratified" ? `🏛 Ратифицирована DAO${v.recordId !== null ? ` (запись #${v.recordId})` : ""}` : `🏛 Ещё не ратифицирована (${escapeHtml(v.status ?? "unknown")})`,
          `🔗 ${a(modelUrl(links, v.recordId), "Открыть в dApp")}`,
        ].join("\n"),
  flMetrics: (v) => {
    const reasons = Object.entries(v.updates.rejectedByReason).filter(([, n]) => n > 0);
    const accuracy = v.accuracy.map((p) => p.accuracy);
    return [
      "📈 <b>Метрики FL</b>",
      "",
      `🔁 Раунды: завершено ${v.rounds.completed} · неудачных ${v.rounds.failed}`,
      `📨 Обновления: принято ${v.updates.accepted} · отклонено ${v.updates.rejected}`,
      ...(reasons.length ? reasons.map(([reason, n]) => `   • ${escapeHtml(reason)}: ${n}`) : []),
      `🛡 Византийских обнаружений: ${v.byzantineDetections}`,
      accuracy.length
        ? `🎯 Точность: ${sparkline(accuracy)} ${percent(accuracy[0])} → ${percent(accuracy.at(-1))} (раундов: ${accuracy.length})`
        : "🎯 Точность: ещё нет оценённых раундов",
    ].join("\n");
  },
  chaosExperiments: (list) =>
    [
      "💥 <b>Chaos-эксперименты</b>",
      "",
      ...(list.length ? list.map((e) => `• ${code(e.name)} — ${escapeHtml(e.title)} (${seconds(e.nominalDurationMs)} сек)`) : ["Файлов экспериментов не найдено."]),
      "",
      "Запуск: /chaos_run &lt;имя&gt; [масштаб]",
    ].join("\n"),
  chaosUnknown: (name, known) => `🤔 Эксперимента ${code(name)} нет.\n\nИзвестные: ${known.length ? known.map(code).join(", ") : "нет"}.`,
  chaosStarted: (s) =>
    [
      "💥 <b>Chaos-эксперимент запущен!</b>",
      "",
      `🧪 ${code(s.experiment)} — ${escapeHtml(s.title)}${s.runId === undefined ? "" : ` (запуск #${s.runId})`}`,
      `⏱️ Номинальная длительность: ${seconds(s.nominalDurationMs)} сек${s.timeScale !== undefined && s.timeScale !== 1 ? ` (масштаб времени ${s.timeScale})` : ""}`,
      "",
      "Ход эксперимента: /chaos_status.",
    ].join("\n"),
  chaosBadTimeScale: (value) => `Масштаб времени — число от 0.001 до 1, а не «${value}».`,
  chaosUnavailable: (name) =>
    `⚠️ <b>Хаос на этом координаторе не запущен</b>\n\nНа нём нет ни chaos-движка, ни цикла MAPE-K (им нужна сеть узлов в процессах node-host: SYNOD_MESH_NODES и SYNOD_MESH_NODES_PER_HOST больше 0), поэтому ${name ? `${code(name)} не запущен` : "эксперименты не видны и не запускаются"}.`,
  chaosStatus: (v, links) => {
    const stats = Object.entries(v.statistics);
    return [
      "💥 <b>Статус хаоса</b>",
      "",
      v.running ? `🧪 Идёт: ${code(v.running.experiment)} (запуск #${v.running.runId}) — ${escapeHtml(v.running.phase)}${v.running.detail ? ` (${escapeHtml(v.running.detail)})` : ""}` : "💤 Эксперимент не идёт",
      v.activeFaults.length ? `🔥 Активные сбои: ${v.activeFaults.map((f) => `${f.kind} на ${f.affected.length} узл.`).join(", ")}` : "🔥 Активных сбоев нет",
      ...(v.last
        ? [
            `📋 Последний: ${code(v.last.experiment)} (запуск #${v.last.runId}) ${escapeHtml(v.last.status)}${v.last.deviated ? " (отклонение)" : ""}, устойчивость ${v.last.resilienceScore === null ? "—" : v.last.resilienceScore.toFixed(1)}`,
            `⏱️ MTTD ${v.last.mttdMs === null ? "—" : `${seconds(v.last.mttdMs)} сек`} · MTTR ${v.last.mttrMs === null ? "—" : `${seconds(v.last.mttrMs)} сек`}`,
            ...(v.last.reportCid ? [`📄 Отчёт: ${cidLink(links, v.last.reportCid)}`] : []),
          ]
        : []),
      ...(stats.length ? ["", "📊 По типам сбоев:", ...stats.map(([kind, s]) => `   • ${kind}: внесено ${s.injected}, снято ${s.recovered}${s.failed ? `, ошибок ${s.failed}` : ""}`)] : []),
    ].join("\n");
  },
  chaosObserved: (o) =>
    [
      "💥 <b>Статус хаоса</b> (по событиям координатора)",
      "",
      o.activeFaults.length ? `🔥 Активные сбои: ${o.activeFaults.map((f) => `${f.kind} на ${f.affected.length} узл.`).join(", ")}` : "🔥 Активных сбоев не замечено",
      `🚨 Открытых инцидентов: ${o.openIncidents}`,
      ...(o.lastExperiment
        ? [`📋 Последний: ${code(o.lastExperiment.experiment)} ${escapeHtml(o.lastExperiment.status)}, устойчивость ${o.lastExperiment.resilienceScore.toFixed(1)}`]
        : []),
    ].join("\n"),
  chaosStatusUnavailable: () => "⚠️ <b>Статус хаоса недоступен</b>\n\nНа этом координаторе нет chaos-движка, и с момента запуска бот не видел chaos-событий.",
  mapek: (r) =>
    r.source === "loop"
      ? r.view.state === null
        ? "🧭 <b>MAPE-K</b>\n\nЦикл ещё не завершил первый такт."
        : [
            "🧭 <b>MAPE-K</b>",
            "",
            `🌡 Состояние: <b>${escapeHtml(r.view.state)}</b>`,
            `φ = ${r.view.phi === null ? "—" : r.view.phi.toFixed(3)} (эпоха ${r.view.epoch})`,
            `🚨 Открытых инцидентов: ${r.view.openIncidents.length}${r.view.openIncidents.length ? ` (${r.view.openIncidents.map((i) => `${i.nodeId}: ${i.condition}`).join(", ")})` : ""}`,
            `🩹 Вылечено: ${r.view.healedIncidents} · исключено из FL: ${r.view.excluded}`,
          ].join("\n")
      : ["🧭 <b>MAPE-K</b> (последняя смена состояния)", "", `🌡 Состояние: <b>${escapeHtml(r.state)}</b>`, `φ = ${r.phi.toFixed(3)}`, `🕒 ${escapeHtml(r.at)}`].join("\n"),
  mapekUnavailable: () => "⚠️ <b>MAPE-K недоступен</b>\n\nНа этом координаторе нет цикла MAPE-K, и с момента запуска бот не видел смены состояния.",
  proposals: (list, links) =>
    list.length === 0
      ? "🏛 <b>Открытые предложения</b>\n\nСейчас голосовать не за что."
      : [
          "🏛 <b>Открытые предложения</b>",
          "",
          ...list.map((p) =>
            [
              `🗳 ${a(`${links.dappUrl}/proposals/${p.id}`, p.title || `Предложение ${shorten(p.id)}`)} — <b>${escapeHtml(p.state)}</b>`,
              `   👍 ${tokens(p.votes.for)} · 👎 ${tokens(p.votes.against)} · 🤷 ${tokens(p.votes.abstain)} MESH${p.state === "Active" ? ` · до ${new Date(p.voteEnd * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC` : ""}`,
              `   ${p.proposalType === "routine" ? "⚖️ рутинное (проходит, если нет вето)" : "⚖️ полное голосование (нужен кворум)"}${p.epoch ? ` · эпоха знаний ${p.epoch.epoch}, записей: ${p.epoch.records}` : ""}`,
            ].join("\n"),
          ),
        ].join("\n"),
  proposalsUnavailable: (message) => `⚠️ <b>Предложения недоступны</b>\n\n${escapeHtml(message)}`,
  subscriptions: (topics) =>
    [
      "🔔 <b>Уведомления</b>",
      "",
      topics.length ? `Этот чат получает:\n${topicLines("ru", topics)}` : "Этот чат пока ничего не получает.",
      "",
      `Темы:\n${topicLines("ru", ALL_TOPICS)}`,
      "",
      "/subscribe rounds models — или /subscribe all",
    ].join("\n"),
  subscribed: (topics) => `🔔 <b>Подписка оформлена</b>\n\nЭтот чат получает:\n${topicLines("ru", topics)}\n\nОтписаться: /unsubscribe`,
  unsubscribed: (topics) => (topics.length ? `🔕 <b>Отписка выполнена</b>\n\nОсталось:\n${topicLines("ru", topics)}` : "🔕 <b>Отписка выполнена</b>\n\nЭтот чат не получает уведомлений."),
  unknownTopic: (topic) => `🤔 Неизвестная тема ${code(topic)}.\n\nТемы:\n${topicLines("ru", ALL_TOPICS)}\nили ${code("all")}.`,
  modelRatified: (e, links) => ["🏛 <b>Модель ратифицирована!</b>", "", `📜 Запись #${escapeHtml(e.recordId)}`, `📦 CID: ${cidLink(links, e.cid)}`, `🗳 ${a(`${links.dappUrl}/proposals/${e.proposalId}`, "Предложение")}`].join("\n"),
  incidentDetected: (e) => ["🚨 <b>Обнаружен инцидент</b>", "", `⚡ Сбой: ${escapeHtml(e.fault)}`, `🖥 Узлы: ${escapeHtml(e.nodes.join(", ") || "—")}`, `🆔 ${code(e.incidentId)}`].join("\n"),
  proposalNeedsVotes: (e, links, title) =>
    ["🗳 <b>Новое предложение ждёт голосов</b>", "", ...(title ? [`📜 ${escapeHtml(title)}`] : []), `📌 Состояние: ${escapeHtml(e.state)}`, `🔗 ${a(`${links.dappUrl}/proposals/${e.proposalId}`, "Голосовать в dApp")}`].join("\n"),
  internalError: () => "💥 Что-то пошло не так на нашей стороне. Операторы найдут подробности в логе координатора.",
};

export const MESSAGES: Record<Lang, Catalog> = { en, ru };
