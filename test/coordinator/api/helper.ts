/**
 * Builds the coordinator's API for a test (after fastify/demo `test/helper.ts`): real
 * configuration from an environment, a silent or capturing logger, fresh metrics and
 * bus, closed when the test ends. Routes and checks are passed in like `server.ts` does.
 */
import { Writable } from "node:stream";
import type { TestContext } from "node:test";
import { pino } from "pino";
import { buildApp, type BuildAppParameters, type SynodApp } from "../../../coordinator/app.ts";
import { createMetrics, type Metrics } from "../../../coordinator/api/metrics.ts";
import { loadConfig, type SynodConfig } from "../../../coordinator/config.ts";
import { createEventBus, type EventBus } from "../../../coordinator/events.ts";
import type { Logger } from "../../../coordinator/logger.ts";

/** The admin token every test app accepts. */
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdefghijkl";

/** A logger that keeps every line (parsed) for assertions. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: "trace", base: undefined }, stream), lines };
}

export type TestApp = {
  app: SynodApp;
  config: SynodConfig;
  events: EventBus;
  metrics: Metrics;
};

/**
 * Builds the app with `env` on top of a test environment (admin token set, silent logs).
 *
 * @param t - the test; the app is closed after it.
 * @param options.env - environment variables (as strings, like the real environment).
 * @param options.app - any other `buildApp` parameter (routes, checks, store, logger, …).
 */
export async function buildTestApp(
  t: TestContext,
  options: { env?: Record<string, string>; app?: Partial<BuildAppParameters> } = {},
): Promise<TestApp> {
  const { config } = loadConfig({ SYNOD_ADMIN_TOKEN: TEST_ADMIN_TOKEN, LOG_LEVEL: "silent", ...options.env });
  const events = options.app?.events ?? createEventBus();
  // Process metrics are on only where a test asks for them: each call starts GC and
  // event-loop observers that live as long as the process.
  const metrics = options.app?.metrics ?? createMetrics({ processMetrics: false });
  const app = await buildApp({
    config,
    adminToken: TEST_ADMIN_TOKEN,
    logger: pino({ level: "silent" }),
    events,
    metrics,
    healthChecks: [],
    version: "0.0.0-test",
    ...options.app,
  });
  t.after(() => app.close());
  return { app, config, events, metrics };
}
