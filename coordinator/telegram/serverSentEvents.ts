/**
 * The coordinator's event bus seen from another process: `GET /api/events` (server-sent
 * events) as a {@link BotEventSource}, for `synod telegram` running apart from the
 * coordinator. Reconnects with `Last-Event-ID` after a drop, so events published while
 * it was away are delivered as far as the coordinator's history reaches.
 */
import { z } from "zod";
import { redactUrl } from "../errors/base.ts";
import { matchesEventTypes, type EventListener, type SubscribeOptions, type SynodEvent } from "../events.ts";
import type { Logger } from "../logger.ts";
import type { BotEventSource } from "./eventObserver.ts";

const EventSchema = z.object({ id: z.number().int(), type: z.string(), time: z.string(), data: z.unknown() });

export type ServerSentEventsParameters = {
  /** The coordinator's base URL. */
  apiUrl: string;
  logger: Logger;
  /** Wait before reconnecting, ms; default 3000. */
  retryMs?: number;
  fetch?: typeof fetch;
};

export type ServerSentEvents = BotEventSource & { close(): void };

export function subscribeServerSentEvents({ apiUrl, logger, retryMs = 3_000, fetch: fetchImpl = fetch }: ServerSentEventsParameters): ServerSentEvents {
  const log = logger.child({ component: "telegram-events" });
  const listeners = new Map<EventListener, SubscribeOptions>();
  const abort = new AbortController();
  let lastId = 0;
  let connectedOnce = false;

  const dispatch = (event: SynodEvent) => {
    for (const [listener, options] of [...listeners]) {
      if (!matchesEventTypes(event.type, options.types)) continue;
      try {
        listener(event);
      } catch (error) {
        log.error({ err: error, type: event.type }, "event listener failed");
      }
    }
  };

  const consume = async () => {
    const headers: Record<string, string> = { accept: "text/event-stream" };
    // Only resume: on the first connection, old events are not news.
    if (connectedOnce) headers["last-event-id"] = String(lastId);
    const response = await fetchImpl(`${apiUrl.replace(/\/+$/, "")}/api/events`, { headers, signal: abort.signal });
    if (!response.ok || !response.body) throw new Error(`GET /api/events answered HTTP ${response.status}`);
    connectedOnce = true;
    log.info({ url: redactUrl(apiUrl) }, "following the coordinator's events");
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trimStart())
          .join("\n");
        if (!data) continue;
        const parsed = EventSchema.safeParse(JSON.parse(data));
        if (!parsed.success) continue;
        lastId = Math.max(lastId, parsed.data.id);
        // The wire carries exactly what the bus delivered (see formatServerSentEvent).
        dispatch(parsed.data as SynodEvent);
      }
    }
  };

  void (async () => {
    while (!abort.signal.aborted) {
      try {
        await consume();
      } catch (error) {
        if (abort.signal.aborted) break;
        log.warn({ error: error instanceof Error ? error.message : String(error), url: redactUrl(apiUrl) }, "event stream dropped; reconnecting");
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
    }
  })();

  return {
    subscribe(listener, options = {}) {
      listeners.set(listener, options);
      return () => {
        listeners.delete(listener);
      };
    },
    close() {
      abort.abort();
      listeners.clear();
    },
  };
}
