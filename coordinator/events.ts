/**
 * The in-process event bus: domain parts publish what happened (a round finished, a
 * record was ratified, an incident was detected), and the API streams it to browsers
 * (`GET /api/events`, server-sent events), the Telegram bot can notify, metrics count.
 * Publishing never fails and never waits: listeners run synchronously, and one that
 * throws is reported, not propagated, so a broken subscriber cannot break a round.
 *
 * Event types are a typed map ({@link SynodEvents}). A part adds its own events by
 * declaration merging, in its own folder, without editing this file:
 *
 * @example
 * // coordinator/chaos/events.ts
 * declare module "../events.ts" {
 *   interface SynodEvents {
 *     "chaos.experiment.finished": { experiment: string; resilienceScore: number };
 *   }
 * }
 * // anywhere with the bus:
 * events.publish("chaos.experiment.finished", { experiment: "partition", resilienceScore: 87.5 });
 */

/**
 * Every event type and its payload. Wire names are dotted, `<part>.<subject>.<past-tense verb>`.
 * Payloads are plain JSON (they go to SSE clients as they are): ids and CIDs as strings,
 * bigints as decimal strings.
 */
export interface SynodEvents {
  /** An FL round ended, with a new global model or without one. */
  "fl.round.finished": {
    round: number;
    status: "completed" | "failed";
    /** Updates accepted into the aggregate. */
    participants: number;
    /** CID of the published model record, when the round produced one. */
    modelCid?: string;
    holdoutAccuracy?: number;
    /** Why a failed round failed. */
    reason?: string;
  };
  /** A knowledge record was published to IPFS and is pending a proposal. */
  "knowledge.record.published": { kind: string; cid: string };
  /** The registry recorded a knowledge record (its proposal was executed). */
  "knowledge.record.ratified": { recordId: string; kind: string; cid: string; proposalId: string };
  /** A knowledge epoch was closed (`proposing`), ratified, returned (its records wait for the next one) or defeated. */
  "knowledge.epoch.changed": { epoch: number; status: "proposing" | "ratified" | "returned" | "defeated"; proposalId: string };
  /** A Governor proposal changed state (proposed, active, succeeded, queued, executed, defeated, …). */
  "governance.proposal.changed": { proposalId: string; state: string };
  /** MAPE-K detected or healed an incident. */
  "mesh.incident": {
    incidentId: string;
    phase: "detected" | "healed" | "unresolved";
    fault: string;
    nodes: string[];
  };
  /** The MAPE-K loop moved to another state (EUPHORIC, HARMONIC, …). */
  "mapek.state.changed": { from: string; to: string; phi: number };
}

/** A known event type name. */
export type SynodEventType = keyof SynodEvents & string;

/** An event as delivered: the payload plus its sequence id and time. */
export type SynodEvent<T extends SynodEventType = SynodEventType> = {
  [K in T]: {
    /** Increasing from 1 within this process; the SSE `id:` (clients resume with `Last-Event-ID`). */
    id: number;
    type: K;
    /** ISO 8601, when it was published. */
    time: string;
    data: SynodEvents[K];
  };
}[T];

/** Receives events; must not block (it runs inside `publish`). */
export type EventListener = (event: SynodEvent) => void;

export type SubscribeOptions = {
  /**
   * Only these types, or prefixes ending at a dot boundary: `"fl"` matches
   * `fl.round.finished`; unset: every event.
   */
  types?: readonly string[];
};

/** The bus domain parts publish to. */
export interface EventBus {
  /**
   * Publishes an event to every current listener and keeps it in the replay history.
   * @returns the event as delivered (with its id and time).
   */
  publish<T extends SynodEventType>(type: T, data: SynodEvents[T]): SynodEvent<T>;
  /**
   * Adds a listener.
   * @returns a function that removes it.
   */
  subscribe(listener: EventListener, options?: SubscribeOptions): () => void;
  /** Events after `lastId` still in the history (oldest first), for a client resuming with `Last-Event-ID`. */
  since(lastId: number, options?: SubscribeOptions): SynodEvent[];
  /** How many listeners are subscribed. */
  readonly listenerCount: number;
}

export type CreateEventBusParameters = {
  /** How many recent events to keep for resuming clients. Default 256. */
  historySize?: number;
  /** Called when a listener throws; the event still reaches every other listener. */
  onListenerError?: (error: unknown, event: SynodEvent) => void;
  /** The clock, for tests. Default `() => new Date()`. */
  now?: () => Date;
};

/**
 * Whether `type` is selected by a `types` filter (exact names or dotted prefixes).
 *
 * @param type - an event type, e.g. `fl.round.finished`.
 * @param types - the filter; `undefined` or empty selects everything.
 */
export function matchesEventTypes(type: string, types: readonly string[] | undefined): boolean {
  if (!types || types.length === 0) return true;
  return types.some((selector) => type === selector || type.startsWith(`${selector}.`));
}

/**
 * Creates an event bus.
 *
 * @param parameters.historySize - events kept for `since()`; default 256.
 * @param parameters.onListenerError - reports a listener that threw.
 * @returns the bus.
 *
 * @example
 * import { createEventBus } from "./events.ts";
 * const events = createEventBus({ onListenerError: (err) => logger.error({ err }, "event listener failed") });
 * const stop = events.subscribe((event) => console.log(event.type, event.data), { types: ["fl"] });
 * events.publish("fl.round.finished", { round: 3, status: "completed", participants: 10 });
 * stop();
 */
export function createEventBus(parameters: CreateEventBusParameters = {}): EventBus {
  const historySize = parameters.historySize ?? 256;
  if (!Number.isInteger(historySize) || historySize < 0) {
    throw new RangeError(`historySize must be a non-negative integer, got ${historySize}.`);
  }
  const now = parameters.now ?? (() => new Date());
  const listeners = new Map<EventListener, SubscribeOptions>();
  const history: SynodEvent[] = [];
  let lastId = 0;

  return {
    publish<T extends SynodEventType>(type: T, data: SynodEvents[T]): SynodEvent<T> {
      // TypeScript cannot relate a generic T to the mapped union; this object is exactly SynodEvent<T>.
      const event = { id: ++lastId, type, time: now().toISOString(), data } as SynodEvent;
      history.push(event);
      if (history.length > historySize) history.shift();
      // A copy: a listener may unsubscribe (or subscribe another) while we iterate.
      for (const [listener, options] of [...listeners]) {
        if (!matchesEventTypes(type, options.types)) continue;
        try {
          listener(event);
        } catch (error) {
          parameters.onListenerError?.(error, event);
        }
      }
      return event as SynodEvent<T>;
    },
    subscribe(listener, options = {}) {
      // A listener subscribed twice would receive each event twice; the Map prevents it.
      listeners.set(listener, options);
      return () => {
        listeners.delete(listener);
      };
    },
    since(afterId, options = {}) {
      return history.filter((event) => event.id > afterId && matchesEventTypes(event.type, options.types));
    },
    get listenerCount() {
      return listeners.size;
    },
  };
}
