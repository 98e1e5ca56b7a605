/**
 * The MAPE-K loop as the bot sees it: state, φ, incidents. `createHttpBackend`
 * (synodBackend.ts) implements it over `GET /api/mapek`.
 */

export type MapekView = {
  /** EUPHORIC, HARMONIC, …; `null` before the first tick. */
  state: string | null;
  phi: number | null;
  epoch: number;
  openIncidents: Array<{ incidentId: string; nodeId: string; condition: string; detectedAt: number }>;
  /** Healed among the recent closed incidents the API lists (the last 50). */
  healedIncidents: number;
  /** Nodes excluded from FL by the loop. */
  excluded: number;
};

export type MapekPort = {
  /** @throws {ChaosUnavailableError} where the coordinator runs no MAPE-K loop. */
  view(): Promise<MapekView>;
};
