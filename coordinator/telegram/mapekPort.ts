/**
 * The MAPE-K loop as the bot sees it: state, φ, incidents. {@link mapekPortFromLoop}
 * adapts the real loop; the coordinator passes it where it runs one
 * (`createTelegramService({ mapek })`).
 */
import type { MapekLoop } from "../mapek/mapekLoop.ts";

export type MapekView = {
  /** EUPHORIC, HARMONIC, …; `null` before the first tick. */
  state: string | null;
  phi: number | null;
  epoch: number;
  openIncidents: Array<{ incidentId: string; nodeId: string; condition: string; detectedAt: number }>;
  healedIncidents: number;
  /** Nodes excluded from FL by the loop. */
  excluded: number;
};

export type MapekPort = { view(): Promise<MapekView> };

/**
 * @example
 * import { mapekPortFromLoop } from "./mapekPort.ts";
 * const mapek = mapekPortFromLoop(loop);
 * (await mapek.view()).state; // "HARMONIC"
 */
export function mapekPortFromLoop(loop: MapekLoop): MapekPort {
  return {
    async view() {
      const tick = loop.lastTick;
      return {
        state: loop.state,
        phi: tick?.phi ?? null,
        epoch: tick?.epoch ?? 0,
        openIncidents: loop.openIncidents().map((i) => ({ incidentId: i.incidentId, nodeId: i.nodeId, condition: i.condition, detectedAt: i.detectedAt })),
        healedIncidents: loop.closedIncidents().filter((i) => i.healedAt !== null).length,
        excluded: loop.exclusions().size,
      };
    },
  };
}
