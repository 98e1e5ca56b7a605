/**
 * The coordinator process (`npm run coordinator`, after fastify/demo `src/server.ts`):
 * loads and validates the configuration, opens the dependencies, builds the API
 * (`app.ts`), listens, and shuts down cleanly on SIGINT/SIGTERM.
 *
 * Other entry points (`npm start`, tests) call {@link startCoordinator} instead of
 * spawning this file, and get the same wiring.
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseEnv } from "node:util";
import { buildApp, type SynodApp } from "./app.ts";
import { chainHealthCheck, contentStoreHealthCheck } from "./api/healthChecks.ts";
import type { HealthCheck } from "./api/health.ts";
import { createMetrics, type Metrics } from "./api/metrics.ts";
import type { ApiPlugin } from "./api/types.ts";
import { loadConfig, resolveAdminToken, summarizeConfig, type SynodConfig } from "./config.ts";
import { ConfigValidationError } from "./errors/config.ts";
import { createEventBus, type EventBus } from "./events.ts";
import { createFlCoordinatorService } from "./fl/createFlCoordinatorService.ts";
import { createKnowledgeService } from "./knowledge/createKnowledgeService.ts";
import { createContentStore } from "./ipfs/createContentStore.ts";
import type { ContentStore } from "./ipfs/contentStore.ts";
import { createLogger, type Logger } from "./logger.ts";
import { telegramService } from "./telegram/telegramService.ts";
import { createChainClient, type ChainClient } from "./chain/createChainClient.ts";
import { readPolicy } from "./chain/readPolicy.ts";
import type { FlService } from "./fl/flService.ts";
import { remoteMeshService } from "./mesh/remote/createRemoteMeshService.ts";
import { createChaosCoordinatorService } from "./chaos/createChaosCoordinatorService.ts";
import { sharedAnomalyModel } from "./mapek/anomalyModel.ts";
import type { HostedMesh } from "./chaos/testbed/createHostedMesh.ts";

const root = path.resolve(import.meta.dirname, "..");

/**
 * The knowledge layer (SQLite outbox and index, proposal keeper, `/api/knowledge`,
 * `/api/proposals`). Proposal descriptions link content to this coordinator's gateway.
 */
export const knowledgeService: CoordinatorServiceFactory = ({ config, logger, contentStore, events }) =>
  createKnowledgeService({ config, logger, contentStore, events, root, gatewayUrl: config.api.publicUrl, tickMs: config.knowledge.keeperTickMs });

/**
 * Federated learning over the mesh (`SYNOD_MESH_NODES` simulated nodes on MNIST, plus
 * node hosts), a round every `SYNOD_FL_ROUND_INTERVAL_MS`, settings from MeshPolicy,
 * models queued as knowledge records; `/api/fl/*`.
 */
export const flService: CoordinatorServiceFactory = async (deps) => {
  const { config, logger, contentStore, events } = deps;
  // Train the MAPE-K anomaly model before any node exists: training takes this process's
  // CPU for seconds, and nodes heartbeating meanwhile would look dead or slow to MAPE-K.
  if (config.mesh.nodesPerHost > 0 && config.fl.meshNodes > 0) await sharedAnomalyModel();
  const service = await createFlCoordinatorService({ config, logger, contentStore, events, root, apiUrl: deps.apiUrl });
  flOf.set(deps, service.fl);
  if (service.mesh) hostedMeshOf.set(deps, service.mesh);
  return service;
};

/** Each running coordinator's FL service, for the services started after it. */
const flOf = new WeakMap<CoordinatorDependencies, FlService>();
/** Each running coordinator's mesh in node-host processes, where the FL service hosts one. */
const hostedMeshOf = new WeakMap<CoordinatorDependencies, HostedMesh>();

/**
 * The MAPE-K loop and the chaos engine over the FL service's hosted mesh (start after
 * {@link flService}), experiment runs kept in SQLite; `/api/chaos/*`, `/api/mapek`.
 */
export const chaosService: CoordinatorServiceFactory = (deps) =>
  createChaosCoordinatorService({ config: deps.config, logger: deps.logger, events: deps.events, root, mesh: hostedMeshOf.get(deps) });

/**
 * Mesh nodes in node-host processes (`synod node-host`, `synod nodes deploy`): signed
 * registration and heartbeats, health probes, training through the FL service; node keys
 * banned in MeshPolicy are refused. `/api/mesh/*`.
 */
export const meshService: CoordinatorServiceFactory = (deps) => {
  let chain: ChainClient | undefined;
  const policyBans = async () => {
    chain ??= await createChainClient({ rpcUrl: deps.config.chain.rpcUrl, root, addresses: deps.config.chain.addresses, retryCount: 0 });
    return (await readPolicy(chain)).banned;
  };
  return remoteMeshService({ fl: () => flOf.get(deps), policyBans })(deps);
};

/** What `npm run coordinator` runs when no `services` are given (the Telegram bot only with `TELEGRAM_BOT_TOKEN`). */
export const defaultServices: readonly CoordinatorServiceFactory[] = [knowledgeService, flService, chaosService, meshService, telegramService];

/**
 * Reads `.env` into `env` without overriding what is already set: an exported variable
 * always wins over the file.
 *
 * @param file - the .env file; missing is fine.
 * @param env - the environment to fill, default `process.env`.
 * @returns the names taken from the file.
 */
export function loadDotEnv(file: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (!existsSync(file)) return [];
  const parsed = parseEnv(readFileSync(file, "utf8"));
  const taken: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (env[name] !== undefined || value === undefined) continue;
    env[name] = value;
    taken.push(name);
  }
  return taken;
}

/**
 * A domain part as the coordinator runs it (the knowledge keeper, FL, chaos, the bot):
 * started with the shared dependencies, it contributes routes and readiness checks,
 * and is closed on shutdown after the API stops accepting requests.
 *
 * @example
 * const fl: CoordinatorServiceFactory = async ({ events, logger }) => {
 *   const runner = await startRounds({ events, logger });
 *   return { routes: () => [roundsRoutes({ fl: runner })], healthChecks: () => [], close: () => runner.stop() };
 * };
 */
export type CoordinatorService = {
  /** Route plugins to mount (one per resource). */
  routes?(): readonly ApiPlugin[];
  /** Readiness checks for `GET /health`. */
  healthChecks?(): readonly HealthCheck[];
  /** Stops background work and releases resources. */
  close?(): Promise<void>;
};

/** Starts one {@link CoordinatorService} from the shared dependencies. */
export type CoordinatorServiceFactory = (deps: CoordinatorDependencies) => CoordinatorService | Promise<CoordinatorService>;

export type StartCoordinatorParameters = {
  /** The environment; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** The logger; default one at `LOG_LEVEL`. */
  logger?: Logger;
  /** The domain services to run, started in order (closed in reverse). Default {@link defaultServices}. */
  services?: readonly CoordinatorServiceFactory[];
};

/** What the coordinator opened, handed to route and check factories. */
export type CoordinatorDependencies = {
  config: SynodConfig;
  logger: Logger;
  events: EventBus;
  metrics: Metrics;
  contentStore: ContentStore;
  /** The API's base URL once it listens (before: the configured one). */
  apiUrl: () => string;
};

export type StartCoordinatorReturnType = CoordinatorDependencies & {
  app: SynodApp;
  /** The API's base URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** The admin token and where it came from. */
  adminToken: Awaited<ReturnType<typeof resolveAdminToken>>;
  /** Stops listening, ends event streams, closes the content store. Idempotent. */
  close(): Promise<void>;
};

/**
 * Starts the coordinator: config, dependencies, API, listen.
 *
 * @param parameters - environment, logger and extra routes/checks.
 * @returns the running coordinator.
 * @throws {ConfigValidationError} listing every configuration problem.
 *
 * @example
 * import { startCoordinator } from "./server.ts";
 * const coordinator = await startCoordinator({ env: { ...process.env, SYNOD_API_PORT: "0" } });
 * console.log(coordinator.url);
 * await coordinator.close();
 */
export async function startCoordinator(parameters: StartCoordinatorParameters = {}): Promise<StartCoordinatorReturnType> {
  const { config, warnings } = loadConfig(parameters.env ?? process.env);
  const logger = parameters.logger ?? createLogger({ level: config.logLevel });
  for (const warning of warnings) logger.warn(warning);
  const startedAt = new Date();
  const version = (JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as { version: string }).version;
  const configSummary = summarizeConfig(config);
  logger.info({ version, config: configSummary }, "starting the coordinator");

  const adminToken = await resolveAdminToken(config);
  if (adminToken.path) {
    logger.info(
      { path: adminToken.path, source: adminToken.source },
      "SYNOD_ADMIN_TOKEN is unset: the admin token is in this file (mode 0600); send it as `Authorization: Bearer <token>`",
    );
  }

  const contentStore = await createContentStore({ ipfsApiUrl: config.ipfs.apiUrl, dataDir: config.dataDir });
  const events = createEventBus({
    onListenerError: (err, event) => logger.error({ err, type: event.type, id: event.id }, "event listener failed"),
  });
  const metrics = createMetrics();
  let listeningUrl: string | undefined;
  const deps: CoordinatorDependencies = { config, logger, events, metrics, contentStore, apiUrl: () => listeningUrl ?? config.cli.apiUrl };

  const services: CoordinatorService[] = [];
  // Releases what was opened, newest first; used on shutdown and when startup fails half-way.
  const release = async () => {
    for (const service of services.splice(0).reverse()) {
      try {
        await service.close?.();
      } catch (err) {
        logger.error({ err }, "a service failed to close");
      }
    }
    await contentStore.close();
  };

  let app: SynodApp;
  try {
    for (const start of parameters.services ?? defaultServices) services.push(await start(deps));
    app = await buildApp({
      config,
      adminToken: adminToken.token,
      logger,
      events,
      metrics,
      contentStore,
      healthChecks: [
        chainHealthCheck({ rpcUrl: config.chain.rpcUrl }),
        contentStoreHealthCheck(contentStore),
        ...services.flatMap((service) => service.healthChecks?.() ?? []),
      ],
      version,
      startedAt,
      configSummary,
      routes: services.flatMap((service) => service.routes?.() ?? []),
    });
    await app.listen({ host: config.api.host, port: config.api.port });
  } catch (error) {
    await release();
    throw error;
  }

  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.api.port;
  const host = config.api.host.includes(":") ? `[${config.api.host}]` : config.api.host;
  const url = `http://${host}:${port}`;
  listeningUrl = url;
  logger.info({ url }, "coordinator listening");

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      try {
        // First stop taking requests (and end event streams), then stop the services
        // the requests used.
        await app.close();
      } finally {
        await release();
      }
    })();
    return closing;
  };
  return { ...deps, app, url, adminToken, close };
}

/** How long shutdown may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  loadDotEnv(path.resolve(".env"));
  let coordinator: StartCoordinatorReturnType;
  try {
    coordinator = await startCoordinator();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      // Before a logger exists: print the problems as a person reads them.
      process.stderr.write(`synod coordinator: ${error.message}\n`);
    } else {
      createLogger().fatal({ err: error }, "the coordinator failed to start");
    }
    process.exit(1);
  }
  const { logger } = coordinator;
  if (coordinator.adminToken.path) process.stderr.write(`synod coordinator: admin token file ${coordinator.adminToken.path}\n`);
  process.stderr.write(`synod coordinator: listening on ${coordinator.url}\n`);

  let stopping = false;
  const shutdown = (reason: string, code: number) => {
    if (stopping) {
      // A second Ctrl-C: the operator does not want to wait.
      logger.warn({ reason }, "forced exit");
      process.exit(1);
    }
    stopping = true;
    logger.info({ reason }, "shutting down");
    const force = setTimeout(() => {
      logger.error({ graceMs: SHUTDOWN_GRACE_MS }, "shutdown took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    coordinator
      .close()
      .then(
        () => logger.info("coordinator stopped"),
        (err: unknown) => {
          logger.error({ err }, "shutdown failed");
          code = 1;
        },
      )
      .finally(() => process.exit(code));
  };
  process.on("SIGINT", () => shutdown("SIGINT", 0));
  process.on("SIGTERM", () => shutdown("SIGTERM", 0));
  process.on("uncaughtException", (err) => {
    logger.fatal({ err }, "uncaught exception");
    shutdown("uncaughtException", 1);
  });
  process.on("unhandledRejection", (err) => {
    logger.fatal({ err }, "unhandled rejection");
    shutdown("unhandledRejection", 1);
  });
}

// Run only as a program, not when imported (by `npm start` or a test).
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
