/**
 * Which Telegram chats want which notifications, in SQLite (migration 4,
 * `telegram_subscriptions`), so subscriptions survive restarts. Chat ids are kept as
 * decimal strings: group ids are negative and may exceed 2^53 one day.
 */
import { UnknownSubscriptionTopicError } from "../errors/telegram.ts";
import type { Database } from "../store/openDatabase.ts";
import type { Lang } from "./languageOf.ts";

/** Notification topics, in the order they are listed. */
export const SUBSCRIPTION_TOPICS = ["rounds", "models", "incidents", "proposals"] as const;
export type SubscriptionTopic = (typeof SUBSCRIPTION_TOPICS)[number];

const ALIASES: Record<string, SubscriptionTopic> = {
  round: "rounds",
  fl: "rounds",
  model: "models",
  ratified: "models",
  incident: "incidents",
  proposal: "proposals",
  votes: "proposals",
};

/**
 * Parses topic arguments (`rounds models`, `all`, singular forms); empty → every topic.
 * @throws {UnknownSubscriptionTopicError} for the first unknown one.
 */
export function parseTopics(args: readonly string[]): SubscriptionTopic[] {
  if (args.length === 0) return [...SUBSCRIPTION_TOPICS];
  const out = new Set<SubscriptionTopic>();
  for (const raw of args.flatMap((a) => a.split(",")).map((a) => a.trim().toLowerCase()).filter(Boolean)) {
    if (raw === "all") return [...SUBSCRIPTION_TOPICS];
    const topic = (SUBSCRIPTION_TOPICS as readonly string[]).includes(raw) ? (raw as SubscriptionTopic) : ALIASES[raw];
    if (!topic) throw new UnknownSubscriptionTopicError({ topic: raw, known: [...SUBSCRIPTION_TOPICS, "all"] });
    out.add(topic);
  }
  return SUBSCRIPTION_TOPICS.filter((t) => out.has(t));
}

export class SubscriptionRepository {
  readonly #db: Database;
  constructor(db: Database) {
    this.#db = db;
  }

  /** Subscribes a chat (again: updates the language). @returns the chat's topics now. */
  subscribe(chatId: number | string, topics: readonly SubscriptionTopic[], lang: Lang): SubscriptionTopic[] {
    const insert = this.#db.prepare("INSERT INTO telegram_subscriptions (chat_id, topic, lang, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, topic) DO UPDATE SET lang = excluded.lang");
    const now = Date.now();
    for (const topic of topics) insert.run(String(chatId), topic, lang, now);
    return this.topicsOf(chatId);
  }

  /** Unsubscribes a chat from `topics` (default all). @returns the chat's topics left. */
  unsubscribe(chatId: number | string, topics: readonly SubscriptionTopic[] = SUBSCRIPTION_TOPICS): SubscriptionTopic[] {
    const remove = this.#db.prepare("DELETE FROM telegram_subscriptions WHERE chat_id = ? AND topic = ?");
    for (const topic of topics) remove.run(String(chatId), topic);
    return this.topicsOf(chatId);
  }

  topicsOf(chatId: number | string): SubscriptionTopic[] {
    const rows = this.#db.prepare("SELECT topic FROM telegram_subscriptions WHERE chat_id = ?").all(String(chatId)) as Array<{ topic: SubscriptionTopic }>;
    const topics = new Set(rows.map((r) => r.topic));
    return SUBSCRIPTION_TOPICS.filter((t) => topics.has(t));
  }

  /** The chats subscribed to `topic`, each with the language it subscribed in. */
  subscribers(topic: SubscriptionTopic): Array<{ chatId: string; lang: Lang }> {
    const rows = this.#db.prepare("SELECT chat_id, lang FROM telegram_subscriptions WHERE topic = ? ORDER BY created_at, chat_id").all(topic) as Array<{ chat_id: string; lang: Lang }>;
    return rows.map((r) => ({ chatId: r.chat_id, lang: r.lang }));
  }
}
