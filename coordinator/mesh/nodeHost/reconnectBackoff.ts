/**
 * How a host's sockets come back after the coordinator went away (restarted, network
 * cut): the next attempt follows after a delay that doubles from 250 ms up to 5 s, and
 * starts over at 250 ms once a connection opened.
 */

/** The reconnect schedule of one socket. */
export type ReconnectBackoff = {
  /** Calls `connect` after the current delay (the timer joins `timers`, which the host clears on close), then doubles the delay. */
  schedule(connect: () => void): void;
  /** A connection opened: the next delay is the shortest again. */
  reset(): void;
};

/**
 * @example
 * import { createReconnectBackoff } from "./reconnectBackoff.ts";
 * const backoff = createReconnectBackoff(timers);
 * ws.on("open", () => backoff.reset());
 * ws.on("close", () => backoff.schedule(connect));
 */
export function createReconnectBackoff(timers: Set<NodeJS.Timeout>, { firstMs = 250, maxMs = 5000 } = {}): ReconnectBackoff {
  let delay = firstMs;
  return {
    schedule(connect) {
      const retry = setTimeout(() => {
        timers.delete(retry);
        connect();
      }, delay);
      timers.add(retry);
      delay = Math.min(delay * 2, maxMs);
    },
    reset() {
      delay = firstMs;
    },
  };
}
