"use client";

import { useEffect, useState } from "react";
import type { CoordinatorEvent } from "../lib/coordinator.ts";
import { useSynodConfig } from "./useSynodConfig.ts";

export type UseCoordinatorEventsParameters = {
  /** Event types or dotted prefixes (`fl`, `mapek`); all when omitted. */
  types?: readonly string[];
  /** Subscribe only when true (e.g. once the coordinator answered). */
  enabled: boolean;
};

export type UseCoordinatorEventsReturnType = { events: CoordinatorEvent[]; connected: boolean };

const MAX_EVENTS = 500;

/** The coordinator's live events (SSE), replayed from the start of its history. */
export function useCoordinatorEvents({ types, enabled }: UseCoordinatorEventsParameters): UseCoordinatorEventsReturnType {
  const { coordinatorUrl } = useSynodConfig();
  const [events, setEvents] = useState<CoordinatorEvent[]>([]);
  const [connected, setConnected] = useState(false);
  const typeList = types?.join(",") ?? "";
  useEffect(() => {
    if (!enabled) return;
    const query = new URLSearchParams({ lastEventId: "0", ...(typeList ? { types: typeList } : {}) });
    const source = new EventSource(`${coordinatorUrl.replace(/\/+$/, "")}/api/events?${query}`);
    const onEvent = (message: MessageEvent<string>) => {
      try {
        const event = JSON.parse(message.data) as CoordinatorEvent;
        setEvents((previous) =>
          previous.some((e) => e.id === event.id) ? previous : [...previous, event].slice(-MAX_EVENTS),
        );
      } catch {
        // A line that is not JSON is not an event of ours.
      }
    };
    // Named SSE events reach only listeners of their name.
    const known = [
      "fl.round.finished",
      "knowledge.record.published",
      "knowledge.record.ratified",
      "governance.proposal.changed",
      "mesh.incident",
      "mapek.state.changed",
      "chaos.fault.injected",
      "chaos.fault.recovered",
      "chaos.experiment.progress",
      "chaos.experiment.finished",
    ];
    for (const type of known) source.addEventListener(type, onEvent as EventListener);
    source.onmessage = onEvent;
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    return () => source.close();
  }, [coordinatorUrl, enabled, typeList]);
  return { events, connected };
}
