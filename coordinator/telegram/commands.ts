/**
 * The bot's commands as a typed map: who may run each (admin or anyone), how many
 * arguments it takes, its menu description in both languages, and what it does. The
 * glue in `createTelegramBot.ts` checks admin rights and arity before `run`, and turns
 * errors into replies.
 */
import { CHAOS_TIME_SCALE } from "../api/schemas/chaos.ts";
import { UnknownSubscriptionTopicError } from "../errors/telegram.ts";
import type { Logger } from "../logger.ts";
import { ChaosUnavailableError, ExperimentRunningError, UnknownExperimentError } from "../errors/chaos.ts";
import { findExperiment } from "../chaos/experiment/experimentRunner.ts";
import type { ChaosRunStarted } from "./chaosPort.ts";
import type { EventObserver } from "./eventObserver.ts";
import type { Lang } from "./languageOf.ts";
import type { Catalog, Links } from "./messages.ts";
import type { Notifier } from "./notifier.ts";
import { parseTopics, type SubscriptionRepository } from "./subscriptionRepository.ts";
import type { SynodBackend } from "./synodBackend.ts";

/** What every command can use. */
export type CommandDeps = {
  backend: SynodBackend;
  subscriptions: SubscriptionRepository;
  notifier: Notifier;
  observer: EventObserver;
  links: Links;
  logger: Logger;
};

export type CommandContext = {
  args: string[];
  lang: Lang;
  t: Catalog;
  chatId: number;
  isAdmin: boolean;
  reply(text: string): Promise<void>;
  deps: CommandDeps;
};

export type BotCommand = {
  /** Only users in TELEGRAM_ADMIN_IDS. */
  admin?: boolean;
  /** How to call it, shown when the arguments are wrong. */
  usage: string;
  /** Most arguments it takes (more is a usage error). */
  maxArgs: number;
  description: Record<Lang, string>;
  run(context: CommandContext): Promise<void>;
};

const CHAOS_RUN_USAGE = "/chaos_run [experiment] [time-scale]";

/** A `/chaos_run` time scale (`0.05`, `.5`, `1`), or `undefined` if it is not one in 0.001–1. */
export function parseTimeScale(text: string): number | undefined {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text)) return undefined;
  const value = Number(text);
  // The bounds `POST /api/chaos/runs` accepts.
  return value >= CHAOS_TIME_SCALE.min && value <= CHAOS_TIME_SCALE.max ? value : undefined;
}

/** Runs `read`; `undefined` where the coordinator runs no chaos engine or MAPE-K loop (its 503). */
async function unlessUnavailable<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ChaosUnavailableError) return undefined;
    throw error;
  }
}

export const COMMANDS: Record<string, BotCommand> = {
  start: { usage: "/start", maxArgs: 1, description: { en: "what this bot does", ru: "что умеет бот" }, run: async ({ t, isAdmin, reply }) => reply(t.help(isAdmin)) },
  help: { usage: "/help", maxArgs: 0, description: { en: "the commands", ru: "список команд" }, run: async ({ t, isAdmin, reply }) => reply(t.help(isAdmin)) },

  fl_start_round: {
    admin: true,
    usage: "/fl_start_round",
    maxArgs: 0,
    description: { en: "start an FL round (admins)", ru: "запустить раунд FL (админы)" },
    async run({ t, reply, deps, chatId, lang }) {
      const started = await deps.backend.fl.startRound();
      await reply(t.roundStarted(started));
      deps.notifier.followRound(started.round, chatId, lang);
    },
  },
  fl_status: {
    usage: "/fl_status",
    maxArgs: 0,
    description: { en: "nodes, rounds, updates", ru: "узлы, раунды, обновления" },
    run: async ({ t, reply, deps }) => reply(t.flStatus(await deps.backend.fl.status())),
  },
  fl_model: {
    usage: "/fl_model",
    maxArgs: 0,
    description: { en: "the global model", ru: "глобальная модель" },
    run: async ({ t, reply, deps }) => reply(t.flModel(await deps.backend.fl.model(), deps.links)),
  },
  fl_metrics: {
    usage: "/fl_metrics",
    maxArgs: 0,
    description: { en: "training metrics and accuracy trend", ru: "метрики и динамика точности" },
    run: async ({ t, reply, deps }) => reply(t.flMetrics(await deps.backend.fl.metrics())),
  },

  chaos_run: {
    admin: true,
    usage: CHAOS_RUN_USAGE,
    maxArgs: 2,
    description: { en: "run a chaos experiment (admins)", ru: "запустить chaos-эксперимент (админы)" },
    async run({ t, reply, deps, args }) {
      const chaos = deps.backend.chaos;
      const [name, scale] = args;
      const timeScale = scale === undefined ? undefined : parseTimeScale(scale);
      if (scale !== undefined && timeScale === undefined) return reply(t.usage(CHAOS_RUN_USAGE, t.chaosBadTimeScale(scale)));
      let started: ChaosRunStarted;
      try {
        const list = await chaos.experiments();
        if (!name) return reply(t.chaosExperiments(list));
        const entry = findExperiment(list, name);
        if (!entry) return reply(t.chaosUnknown(name, list.map((e) => e.name)));
        started = await chaos.run(entry.name, timeScale === undefined ? {} : { timeScale });
      } catch (error) {
        if (error instanceof ChaosUnavailableError) return reply(t.chaosUnavailable(name));
        if (error instanceof UnknownExperimentError) return reply(t.chaosUnknown(name ?? "", error.known));
        if (error instanceof ExperimentRunningError) return reply(t.coordinatorError(error.shortMessage));
        throw error;
      }
      return reply(t.chaosStarted(started));
    },
  },
  chaos_status: {
    usage: "/chaos_status",
    maxArgs: 0,
    description: { en: "chaos experiments and faults", ru: "эксперименты и сбои" },
    async run({ t, reply, deps }) {
      const status = await unlessUnavailable(() => deps.backend.chaos.status());
      if (status) return reply(t.chaosStatus(status, deps.links));
      // No chaos engine on this coordinator: what its events showed, if anything.
      const seen = deps.observer.state;
      if (!seen.sawChaos && seen.openIncidents.size === 0) return reply(t.chaosStatusUnavailable());
      return reply(t.chaosObserved({ activeFaults: [...seen.activeFaults.values()], lastExperiment: seen.lastExperiment, openIncidents: seen.openIncidents.size }));
    },
  },
  mapek: {
    usage: "/mapek",
    maxArgs: 0,
    description: { en: "MAPE-K state and φ", ru: "состояние MAPE-K и φ" },
    async run({ t, reply, deps }) {
      const view = await unlessUnavailable(() => deps.backend.mapek.view());
      if (view) return reply(t.mapek({ source: "loop", view }));
      const seen = deps.observer.state.mapek;
      return reply(seen ? t.mapek({ source: "events", ...seen }) : t.mapekUnavailable());
    },
  },

  proposals: {
    usage: "/proposals",
    maxArgs: 0,
    description: { en: "open proposals to vote on", ru: "открытые предложения" },
    async run({ t, reply, deps }) {
      const open = (await deps.backend.proposals(50)).filter((p) => p.state === "Pending" || p.state === "Active" || p.state === "Succeeded" || p.state === "Queued");
      return reply(t.proposals(open.slice(0, 10), deps.links));
    },
  },

  subscribe: {
    usage: "/subscribe [rounds|models|incidents|proposals|all …]",
    maxArgs: 4,
    description: { en: "notifications for this chat", ru: "уведомления в этот чат" },
    async run({ t, reply, deps, args, chatId, lang }) {
      try {
        const topics = parseTopics(args);
        return reply(t.subscribed(deps.subscriptions.subscribe(chatId, topics, lang)));
      } catch (error) {
        if (error instanceof UnknownSubscriptionTopicError) return reply(t.unknownTopic(error.topic));
        throw error;
      }
    },
  },
  unsubscribe: {
    usage: "/unsubscribe [rounds|models|incidents|proposals|all …]",
    maxArgs: 4,
    description: { en: "stop notifications", ru: "отключить уведомления" },
    async run({ t, reply, deps, args, chatId }) {
      try {
        return reply(t.unsubscribed(deps.subscriptions.unsubscribe(chatId, parseTopics(args))));
      } catch (error) {
        if (error instanceof UnknownSubscriptionTopicError) return reply(t.unknownTopic(error.topic));
        throw error;
      }
    },
  },
  subscriptions: {
    usage: "/subscriptions",
    maxArgs: 0,
    description: { en: "what this chat is subscribed to", ru: "подписки этого чата" },
    run: async ({ t, reply, deps, chatId }) => reply(t.subscriptions(deps.subscriptions.topicsOf(chatId))),
  },
};
