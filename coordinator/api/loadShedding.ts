/**
 * Load shedding, MAPE-K's lever under a request flood: while it is on, requests beyond
 * `maxPerSecond` (a token bucket) are answered 503 at once instead of being served, so
 * the mesh keeps its heartbeats and the API its latency. Node traffic (`/api/mesh/*`),
 * `/health` and `/metrics` are never shed.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { OverloadedError } from "../errors/api.ts";

/** Requests that are never shed: the mesh's own traffic and the probes that watch the coordinator. */
const PRIORITY = /^\/(health|metrics)(\?|$)|^\/api\/mesh\//;

/** The switch and the hook {@link buildApp} mounts. */
export type LoadShedder = {
  readonly enabled: boolean;
  setEnabled(enabled: boolean): void;
  /** Requests shed since start. */
  readonly shed: number;
  /** The `onRequest` hook. */
  onRequest(request: FastifyRequest, reply: FastifyReply): Promise<void>;
};

/**
 * @example
 * import { createLoadShedder } from "./loadShedding.ts";
 * const shedder = createLoadShedder({ maxPerSecond: 50 });
 * const app = await buildApp({ …, loadShedder: shedder });
 * shedder.setEnabled(true);
 */
export function createLoadShedder({ maxPerSecond = 50 }: { maxPerSecond?: number } = {}): LoadShedder {
  let enabled = false;
  let tokens = maxPerSecond;
  let refilledAt = performance.now();
  let shed = 0;
  const take = (): boolean => {
    const now = performance.now();
    tokens = Math.min(maxPerSecond, tokens + ((now - refilledAt) / 1000) * maxPerSecond);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  return {
    get enabled() {
      return enabled;
    },
    setEnabled(value) {
      enabled = value;
    },
    get shed() {
      return shed;
    },
    async onRequest(request, reply) {
      if (!enabled || PRIORITY.test(request.url) || take()) return;
      shed++;
      reply.header("retry-after", "1");
      throw new OverloadedError({ maxPerSecond });
    },
  };
}
