import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Creates the process logger: JSON lines (pino). Components get named children
 * through their constructors (`logger.child({ component: "fl" })`).
 *
 * @param options.level - `LOG_LEVEL`, default `info`; `silent` in tests.
 * @param options.stderr - write to stderr instead of stdout.
 */
export function createLogger(options: { level?: string; stderr?: boolean } = {}): Logger {
  const settings = { level: options.level ?? process.env.LOG_LEVEL ?? (process.env.HH_TEST ? "silent" : "info"), base: undefined };
  // stderr for programs whose stdout is their result (benchmarks print JSON there).
  return options.stderr ? pino(settings, pino.destination(2)) : pino(settings);
}
