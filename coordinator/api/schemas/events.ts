/**
 * `GET /api/events`: the event bus as server-sent events.
 */
import { z } from "zod";

export const eventsQuerySchema = z.object({
  /** Comma-separated types or dotted prefixes, e.g. `fl,knowledge.record.ratified`. */
  types: z
    .string()
    .max(1024)
    .regex(/^[A-Za-z0-9._,-]*$/, { error: "must be comma-separated event types or prefixes" })
    .optional(),
  /** Resume after this event id (for clients that cannot send `Last-Event-ID`). */
  lastEventId: z.coerce.number().int().min(0).optional(),
});
export type EventsQuery = z.input<typeof eventsQuerySchema>;

/** Headers the stream reads (others pass through untouched). */
export const eventsHeadersSchema = z.looseObject({
  /** What `EventSource` sends on reconnecting: resume after this id. Not a whole number: ignored. */
  "last-event-id": z.string().optional(),
});

/** One event as its `data:` line carries it (`id` and `type` repeat the SSE fields). */
export const coordinatorEventSchema = z.object({
  id: z.number().int(),
  type: z.string(),
  /** ISO 8601. */
  time: z.string(),
  /** The payload declared for `type` (see `SynodEvents` in `coordinator/events.ts`); always an object. */
  data: z.record(z.string(), z.unknown()),
});
export type CoordinatorEvent = z.output<typeof coordinatorEventSchema>;

export const eventsResponse = {
  description: "`text/event-stream`: `id: <n>`, `event: <type>`, `data: <json event>` per event, heartbeat comments between.",
  content: { "text/event-stream": { schema: z.string() } },
};
