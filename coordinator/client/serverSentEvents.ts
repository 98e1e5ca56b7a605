/**
 * The coordinator's event bus seen from another process: `GET /api/events` (server-sent
 * events) with the bus's `subscribe`, for what follows a coordinator from outside
 * (`synod telegram` running apart from it, `synod chaos run`). Reconnects with
 * `Last-Event-ID` after a drop, so events published while it was away are delivered as
 * far as the coordinator's history reaches. Each event is validated with the stream's
 * schema (`coordinatorEventSchema`); one that does not match is skipped.
 */
import { coordinatorEventSchema } from "../api/schemas/events.ts";
import { redactUrl } from "../errors/base.ts";
import { matchesEventTypes, type EventBus, type EventListener, type SubscribeOptions, type SynodEvent } from "../events.ts";
import type { Logger } from "../logger.ts";

export type ServerSentEventsParameters = {
  /** The coordinator's base URL. */
  apiUrl: string;
  /** Where drops and reconnects are logged; default nowhere. */
  logger?: Logger;
  /** Only these event types or dotted prefixes (the stream's `types` filter); default all. */
  types?: readonly string[];
  /** Wait before reconnecting, ms; default 3000. */
  retryMs?: number;
  fetch?: typeof fetch;
};

export type ServerSentEvents = Pick<EventBus, "subscribe"> & {
  /**
   * Settles with the first connection attempt: `ok` once the coordinator answered (it
   * subscribes the stream to its bus before answering, so later events are not missed).
   */
  connected: Promise<{ ok: true } | { ok: false; reason: string }>;
  close(): void;
};

export function subscribeServerSentEvents({ apiUrl, logger, types, retryMs = 3_000, fetch: fetchImpl = fetch }: ServerSentEventsParameters): ServerSentEvents {
  const log = logger?.child({ component: "event-stream" });
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
        log?.error({ err: error, type: event.type }, "event listener failed");
      }
    }
  };

  let settle: (outcome: { ok: true } | { ok: false; reason: string }) => void = () => {};
  const connected = new Promise<{ ok: true } | { ok: false; reason: string }>((resolve) => (settle = resolve));
  const url = new URL(`${apiUrl.replace(/\/+$/, "")}/api/events`);
  if (types?.length) url.searchParams.set("types", types.join(","));

  const consume = async () => {
    const headers: Record<string, string> = { accept: "text/event-stream" };
    // Only resume: on the first connection, old events are not news.
    if (connectedOnce) headers["last-event-id"] = String(lastId);
    const response = await fetchImpl(url, { headers, signal: abort.signal });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new Error(`GET /api/events answered HTTP ${response.status}`);
    }
    connectedOnce = true;
    settle({ ok: true });
    log?.info({ url: redactUrl(apiUrl) }, "following the coordinator's events");
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
        const parsed = coordinatorEventSchema.safeParse(JSON.parse(data));
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
        settle({ ok: false, reason: error instanceof Error ? error.message : String(error) });
        if (abort.signal.aborted) break;
        log?.warn({ error: error instanceof Error ? error.message : String(error), url: redactUrl(apiUrl) }, "event stream dropped; reconnecting");
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
    }
  })();

  return {
    connected,
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
