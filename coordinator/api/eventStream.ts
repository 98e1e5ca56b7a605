/**
 * `GET /api/events`: the event bus as server-sent events (text/event-stream), for the
 * dApp's live views (`new EventSource(url)`). Each event is
 * `id: <n>` / `event: <type>` / `data: <json>`; a client that reconnects with
 * `Last-Event-ID` (EventSource does it by itself) first gets what it missed, as far as
 * the bus's history reaches. Written on the raw response because fastify's reply ends
 * after one payload; heartbeats keep proxies from closing an idle stream.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { TooManyEventStreamsError } from "../errors/api.ts";
import type { EventBus, SynodEvent } from "../events.ts";
import { errorResponses } from "./schemas/common.ts";
import { eventsHeadersSchema, eventsQuerySchema, eventsResponse } from "./schemas/events.ts";
import type { ApiPlugin } from "./types.ts";

/** A stream that has buffered this much unsent output is a client that stopped reading: drop it. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export type CreateEventStreamParameters = {
  events: EventBus;
  /** At most this many clients at once; more get 503. */
  maxClients: number;
  /** A comment line every this many ms. */
  heartbeatMs: number;
  /** Sent as `retry:`: how long browsers wait before reconnecting. Default 3000 ms. */
  retryMs?: number;
};

export type EventStream = {
  /** The `GET /api/events` route. */
  routes: ApiPlugin;
  /** Clients connected now. */
  clientCount(): number;
  /** Ends every stream (on shutdown, so the server can close). */
  closeAll(): void;
};

/** One event in the SSE wire format. JSON has no raw newlines, so `data:` is one line. */
export function formatServerSentEvent(event: SynodEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Creates the event stream over a bus.
 *
 * @param parameters.events - the bus.
 * @param parameters.maxClients - connection limit.
 * @param parameters.heartbeatMs - heartbeat interval.
 * @returns the route plugin and its controls.
 */
export function createEventStream(parameters: CreateEventStreamParameters): EventStream {
  const retryMs = parameters.retryMs ?? 3000;
  const closers = new Set<() => void>();

  const routes: ApiPlugin = async (app) => {
    app.get(
      "/api/events",
      { config: { recordDuration: false }, schema: { querystring: eventsQuerySchema, headers: eventsHeadersSchema, response: { 200: eventsResponse, ...errorResponses } } },
      async (request, reply) => {
        if (closers.size >= parameters.maxClients) throw new TooManyEventStreamsError({ limit: parameters.maxClients });
        const types = request.query.types?.split(",").map((type) => type.trim()).filter((type) => type !== "");
        const lastEventHeader = request.headers["last-event-id"];
        const fromHeader = typeof lastEventHeader === "string" && /^\d+$/.test(lastEventHeader) ? Number(lastEventHeader) : undefined;
        const lastEventId = fromHeader ?? request.query.lastEventId;
        const filter = types && types.length > 0 ? { types } : {};

        // From here on the response is ours: fastify sends nothing more for this request.
        reply.hijack();
        const raw = reply.raw;
        // The client may have gone while the hooks ran; its "close" has then already fired.
        if (raw.destroyed) return;
        raw.writeHead(200, {
          // Headers hooks already set (CORS, rate limit) would otherwise be lost with hijack().
          ...(reply.getHeaders() as OutgoingHttpHeaders),
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache, no-store, no-transform",
          connection: "keep-alive",
          // nginx buffers responses unless told not to.
          "x-accel-buffering": "no",
        });
        raw.write(`retry: ${retryMs}\n: connected\n\n`);

        let closed = false;
        let unsubscribe = () => {};
        let heartbeat: NodeJS.Timeout | undefined;
        const close = () => {
          if (closed) return;
          closed = true;
          clearInterval(heartbeat);
          unsubscribe();
          closers.delete(close);
          if (!raw.writableEnded) raw.end();
        };
        const send = (chunk: string) => {
          if (closed) return;
          raw.write(chunk);
          if (raw.writableLength > MAX_BUFFERED_BYTES) {
            request.log.warn({ bufferedBytes: raw.writableLength }, "event stream client too slow; disconnected");
            close();
            raw.destroy();
          }
        };

        // Replay, then subscribe: both synchronous, so no event falls in between.
        if (lastEventId !== undefined) for (const event of parameters.events.since(lastEventId, filter)) send(formatServerSentEvent(event));
        if (closed) return;
        unsubscribe = parameters.events.subscribe((event) => send(formatServerSentEvent(event)), filter);
        heartbeat = setInterval(() => send(": heartbeat\n\n"), parameters.heartbeatMs);
        closers.add(close);
        raw.on("close", close);
        request.log.debug({ types: types ?? "all", lastEventId }, "event stream opened");
      },
    );
  };

  return {
    routes,
    clientCount: () => closers.size,
    closeAll() {
      for (const close of [...closers]) close();
    },
  };
}
