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
import { createLoadShedder } from "./api/loadShedding.ts";
import { createMetrics } from "./api/metrics.ts";
import { loadConfig, resolveAdminToken, summarizeConfig } from "./config.ts";
import { ConfigValidationError } from "./errors/config.ts";
import { createEventBus } from "./events.ts";
import { createContentStore } from "./ipfs/createContentStore.ts";
import { createLogger, type Logger } from "./logger.ts";
import type { CoordinatorDependencies, CoordinatorService, CoordinatorServiceFactory, RunningServices } from "./services/coordinatorService.ts";
import { defaultServices } from "./services/defaultServices.ts";
import { PROJECT_ROOT } from "./services/projectRoot.ts";

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

export type StartCoordinatorParameters = {
  /** The environment; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** The logger; default one at `LOG_LEVEL`. */
  logger?: Logger;
  /** The domain services to run, started in order (closed in reverse). Default {@link defaultServices}. */
  services?: readonly CoordinatorServiceFactory[];
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
  const version = (JSON.parse(await readFile(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
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
  const loadShedder = createLoadShedder();
  let listeningUrl: string | undefined;
  const running: Partial<RunningServices> = {};
  const deps: CoordinatorDependencies = { config, logger, events, metrics, contentStore, loadShedder, apiUrl: () => listeningUrl ?? config.cli.apiUrl, services: running };

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
    for (const start of parameters.services ?? defaultServices) {
      const service = await start(deps);
      services.push(service);
      Object.assign(running, service.provides);
    }
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
      loadShedder,
    });
    await app.listen({ host: config.api.host, port: config.api.port });
  } catch (error) {
    await release();
    throw error;
  }

  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.api.port;
  // Node hosts dial this: an unspecified listen address is reached on the loopback.
  const host = config.api.host === "0.0.0.0" || config.api.host === "::" ? "127.0.0.1" : config.api.host.includes(":") ? `[${config.api.host}]` : config.api.host;
  const url = `http://${host}:${port}`;
  listeningUrl = url;
  logger.info({ url }, "coordinator listening");
  try {
    // Now that the API answers: the mesh starts its own node hosts, which dial it.
    for (const service of services) await service.start?.();
  } catch (error) {
    await app.close();
    await release();
    throw error;
  }

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
  // Signals are handled from the first moment: the API listens (and a client may act)
  // while the mesh's own hosts are still starting, and a SIGTERM then must still be a
  // clean shutdown, once the start has settled.
  const starting = startCoordinator();
  let stopping = false;
  const shutdown = (reason: string, code: number) => {
    if (stopping) {
      // A second Ctrl-C: the operator does not want to wait.
      process.stderr.write(`synod coordinator: forced exit (${reason})\n`);
      process.exit(1);
    }
    stopping = true;
    const force = setTimeout(() => {
      process.stderr.write(`synod coordinator: shutdown took longer than ${SHUTDOWN_GRACE_MS} ms; exiting\n`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    void starting.then(
      (coordinator) => {
        coordinator.logger.info({ reason }, "shutting down");
        return coordinator.close().then(
          () => coordinator.logger.info("coordinator stopped"),
          (err: unknown) => {
            coordinator.logger.error({ err }, "shutdown failed");
            code = 1;
          },
        );
      },
      () => undefined,
    ).finally(() => process.exit(code));
  };
  process.on("SIGINT", () => shutdown("SIGINT", 0));
  process.on("SIGTERM", () => shutdown("SIGTERM", 0));
  let coordinator: StartCoordinatorReturnType;
  try {
    coordinator = await starting;
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
