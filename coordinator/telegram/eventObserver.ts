/**
 * What the bot learns from the coordinator's events alone: the last MAPE-K state change,
 * faults injected and not yet recovered, open incidents, the last chaos experiment.
 * `/mapek` and `/chaos_status` fall back to it when no loop or engine is connected to
 * the bot; everything in it happened (nothing is invented), but only since the bot started.
 */
import "../chaos/events.ts";
import type { EventBus, SynodEvents } from "../events.ts";

export type BotEventSource = Pick<EventBus, "subscribe">;

export type ObservedState = {
  mapek: { state: string; phi: number; at: string } | null;
  activeFaults: Map<string, { kind: string; affected: string[] }>;
  openIncidents: Set<string>;
  lastExperiment: SynodEvents["chaos.experiment.finished"] | null;
  /** Whether any chaos event (fault, experiment) was seen. */
  sawChaos: boolean;
};

export type EventObserver = { readonly state: ObservedState; stop(): void };

export function observeEvents(events: BotEventSource): EventObserver {
  const state: ObservedState = { mapek: null, activeFaults: new Map(), openIncidents: new Set(), lastExperiment: null, sawChaos: false };
  const stop = events.subscribe(
    (event) => {
      switch (event.type) {
        case "mapek.state.changed":
          state.mapek = { state: event.data.to, phi: event.data.phi, at: event.time };
          break;
        case "mesh.incident":
          if (event.data.phase === "detected") state.openIncidents.add(event.data.incidentId);
          else state.openIncidents.delete(event.data.incidentId);
          break;
        case "chaos.fault.injected":
          state.sawChaos = true;
          state.activeFaults.set(event.data.faultId, { kind: event.data.kind, affected: event.data.affected });
          break;
        case "chaos.fault.recovered":
          state.sawChaos = true;
          state.activeFaults.delete(event.data.faultId);
          break;
        case "chaos.experiment.finished":
          state.sawChaos = true;
          state.lastExperiment = event.data;
          break;
        default:
          break;
      }
    },
    { types: ["mapek.state.changed", "mesh.incident", "chaos"] },
  );
  return { state, stop };
}
