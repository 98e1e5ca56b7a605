import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Creates the process logger: JSON lines (pino). Components get named children
 * through their constructors (`logger.child({ component: "fl" })`).
 *
 * @param options.level - `LOG_LEVEL`, default `info`; `silent` in tests.
 */
export function createLogger(options: { level?: string } = {}): Logger {
  return pino({
    level: options.level ?? process.env.LOG_LEVEL ?? (process.env.HH_TEST ? "silent" : "info"),
    base: undefined,
  });
}
