/**
 * What a domain part is to the coordinator process: a service started from the shared
 * dependencies, contributing routes and readiness checks, started once the API
 * listens, and closed on shutdown after the API stops accepting requests. Services
 * started earlier hand what they offer to those started later through `provides`,
 * which arrives in `deps.services`: the FL service's rounds, the mesh, its monitor.
 */
import type { HealthCheck } from "../api/health.ts";
import type { LoadShedder } from "../api/loadShedding.ts";
import type { Metrics } from "../api/metrics.ts";
import type { ApiPlugin } from "../api/types.ts";
import type { SynodConfig } from "../config.ts";
import type { EventBus } from "../events.ts";
import type { FlService } from "../fl/flService.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import type { Logger } from "../logger.ts";
import type { Monitor } from "../mapek/monitor.ts";
import type { NodeMesh } from "../mesh/nodeMesh.ts";

/** What running services offer the services started after them. */
export type RunningServices = {
  /** Federated learning (`createFlService`). */
  fl: FlService;
  /** The one mesh of node hosts (`createMeshService`). */
  mesh: NodeMesh;
  /** MAPE-K's monitor, fed by the mesh (`createMeshService`). */
  monitor: Monitor;
};

/**
 * A domain part as the coordinator runs it.
 *
 * @example
 * const fl: CoordinatorServiceFactory = async ({ events, logger }) => {
 *   const runner = await startRounds({ events, logger });
 *   return { routes: () => [roundsRoutes({ fl: runner })], close: () => runner.stop(), provides: { fl: runner } };
 * };
 */
export type CoordinatorService = {
  /** Route plugins to mount (one per resource). */
  routes?(): readonly ApiPlugin[];
  /** Readiness checks for `GET /health`. */
  healthChecks?(): readonly HealthCheck[];
  /** Runs once the API listens (node hosts dial it); the coordinator is up when every `start` resolved. */
  start?(): Promise<void>;
  /** Stops background work and releases resources. */
  close?(): Promise<void>;
  /** What this service offers the services started after it. */
  provides?: Partial<RunningServices>;
};

/** What the coordinator opened, handed to every service factory. */
export type CoordinatorDependencies = {
  config: SynodConfig;
  logger: Logger;
  events: EventBus;
  metrics: Metrics;
  contentStore: ContentStore;
  /** The API's base URL once it listens (before: the configured one). */
  apiUrl: () => string;
  /** The API's load-shedding switch (MAPE-K's lever under a request flood). */
  loadShedder: LoadShedder;
  /** What the services started so far provide. */
  services: Readonly<Partial<RunningServices>>;
};

/** Starts one {@link CoordinatorService} from the shared dependencies. */
export type CoordinatorServiceFactory = (deps: CoordinatorDependencies) => CoordinatorService | Promise<CoordinatorService>;
