/**
 * Turns the coordinator's events into Telegram messages: to every chat subscribed to
 * the topic (in the language it subscribed in), and the round-finished follow-up to
 * the chat that started the round. Messages go out one at a time, in event order; a
 * chat that blocked the bot or no longer exists is unsubscribed.
 */
import { GrammyError, type Api } from "grammy";
import type { SynodEvent, SynodEvents } from "../events.ts";
import type { Logger } from "../logger.ts";
import type { BotEventSource } from "./eventObserver.ts";
import type { Lang } from "./languageOf.ts";
import { MESSAGES, type Links } from "./messages.ts";
import type { SubscriptionRepository, SubscriptionTopic } from "./subscriptionRepository.ts";

export type NotifierParameters = {
  events: BotEventSource;
  subscriptions: SubscriptionRepository;
  api: Pick<Api, "sendMessage">;
  links: Links;
  logger: Logger;
  /** Looks a proposal up (its title for the "needs votes" message); failures leave the title out. */
  describeProposal?: (proposalId: string) => Promise<{ title: string } | undefined>;
};

export type Notifier = {
  /**
   * Sends the round's result to `chatId` when it finishes (at once if it already has),
   * instead of the subscription message that chat would get.
   */
  followRound(round: number, chatId: number | string, lang: Lang): void;
  /** Resolves when every message queued so far was sent (or failed). */
  idle(): Promise<void>;
  stop(): Promise<void>;
};

/** How many finished rounds to remember for a follow-up registered late. */
const RECENT_ROUNDS = 32;

export function startNotifier({ events, subscriptions, api, links, logger, describeProposal }: NotifierParameters): Notifier {
  const log = logger.child({ component: "telegram-notifier" });
  const followers = new Map<number, Array<{ chatId: string; lang: Lang }>>();
  const recentRounds: Array<SynodEvents["fl.round.finished"]> = [];
  const notifiedProposals = new Set<string>();
  let queue: Promise<void> = Promise.resolve();

  const send = (chatId: string, text: string) => {
    queue = queue.then(async () => {
      try {
        await api.sendMessage(chatId, text, { parse_mode: "HTML", link_preview_options: { is_disabled: true } });
      } catch (error) {
        if (error instanceof GrammyError && (error.error_code === 403 || (error.error_code === 400 && /chat not found/i.test(error.description)))) {
          log.info({ chatId, code: error.error_code }, "chat unreachable; unsubscribing it");
          subscriptions.unsubscribe(chatId);
        } else {
          log.warn({ err: error, chatId }, "could not send a notification");
        }
      }
    });
  };

  const broadcast = (topic: SubscriptionTopic, render: (lang: Lang) => string, skip: ReadonlySet<string> = new Set()) => {
    for (const { chatId, lang } of subscriptions.subscribers(topic)) if (!skip.has(chatId)) send(chatId, render(lang));
  };

  const announceProposal = (data: SynodEvents["governance.proposal.changed"]) => {
    if (subscriptions.subscribers("proposals").length === 0) return;
    // In the queue, so the lookup cannot reorder messages.
    queue = queue.then(async () => {
      const found = await describeProposal?.(data.proposalId).catch((error: unknown) => {
        log.debug({ err: error, proposalId: data.proposalId }, "proposal lookup failed; announcing it without a title");
        return undefined;
      });
      broadcast("proposals", (lang) => MESSAGES[lang].proposalNeedsVotes(data, links, found?.title));
    });
  };

  const onEvent = (event: SynodEvent) => {
    switch (event.type) {
      case "fl.round.finished": {
        const data = event.data;
        recentRounds.push(data);
        if (recentRounds.length > RECENT_ROUNDS) recentRounds.shift();
        const waiting = followers.get(data.round) ?? [];
        followers.delete(data.round);
        for (const { chatId, lang } of waiting) send(chatId, MESSAGES[lang].roundFinished(data, links));
        broadcast("rounds", (lang) => MESSAGES[lang].roundFinished(data, links), new Set(waiting.map((w) => w.chatId)));
        break;
      }
      case "knowledge.record.ratified":
        if (event.data.kind === "Model") {
          const data = event.data;
          broadcast("models", (lang) => MESSAGES[lang].modelRatified(data, links));
        }
        break;
      case "mesh.incident":
        if (event.data.phase === "detected") {
          const data = event.data;
          broadcast("incidents", (lang) => MESSAGES[lang].incidentDetected(data));
        }
        break;
      case "governance.proposal.changed":
        // The keeper announces a new proposal as Pending; voting opens (Active) after the voting delay.
        if ((event.data.state === "Pending" || event.data.state === "Active") && !notifiedProposals.has(event.data.proposalId)) {
          notifiedProposals.add(event.data.proposalId);
          announceProposal(event.data);
        }
        break;
      default:
        break;
    }
  };

  // A queued task may queue more (a proposal lookup, then its messages): wait until nothing is added.
  const idle = async (): Promise<void> => {
    let current: Promise<void>;
    do {
      current = queue;
      await current;
    } while (current !== queue);
  };

  const unsubscribe = events.subscribe(onEvent, { types: ["fl.round.finished", "knowledge.record.ratified", "mesh.incident", "governance.proposal.changed"] });

  return {
    followRound(round, chatId, lang) {
      const finished = recentRounds.find((r) => r.round === round);
      if (finished) {
        send(String(chatId), MESSAGES[lang].roundFinished(finished, links));
        return;
      }
      const list = followers.get(round) ?? [];
      if (!list.some((f) => f.chatId === String(chatId))) list.push({ chatId: String(chatId), lang });
      followers.set(round, list);
    },
    idle,
    async stop() {
      unsubscribe();
      await idle();
    },
  };
}
