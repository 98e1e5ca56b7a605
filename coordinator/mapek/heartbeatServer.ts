/**
 * The coordinator's node-facing HTTP endpoint, framework-free: nodes POST heartbeats
 * to `/mesh/heartbeat` (through their links), operators and probes GET `/health` and
 * `/api/status`. Under a request flood MAPE-K turns on shedding: beyond
 * `maxPerSecond` (a token bucket), everything but heartbeats and `/health` is
 * answered 503 at once instead of being served, so the mesh keeps its heartbeat and
 * the API its latency.
 */
import http from "node:http";
import type { Monitor } from "./monitor.ts";

/** Options of {@link HeartbeatServer}. */
export type HeartbeatServerParameters = {
  monitor: Monitor;
  /** Non-priority requests served per second while shedding; default 50. */
  maxPerSecond?: number;
};

/**
 * @example
 * import { HeartbeatServer } from "./heartbeatServer.ts";
 * const server = new HeartbeatServer({ monitor });
 * const port = await server.listen();
 * server.setShedding(true);
 * await server.close();
 */
export class HeartbeatServer {
  #monitor: Monitor;
  #server: http.Server;
  #shedding = false;
  #maxPerSecond: number;
  #tokens = 0;
  #refilledAt = 0;
  /** Requests answered, shed, and heartbeats rejected. */
  readonly counters = { requests: 0, shed: 0, badHeartbeats: 0 };

  constructor(parameters: HeartbeatServerParameters) {
    this.#monitor = parameters.monitor;
    this.#maxPerSecond = parameters.maxPerSecond ?? 50;
    this.#server = http.createServer((request, response) => void this.#handle(request, response));
    this.#server.keepAliveTimeout = 30_000;
  }

  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, "127.0.0.1", () => resolve((this.#server.address() as { port: number }).port));
    });
  }

  get port(): number {
    return (this.#server.address() as { port: number } | null)?.port ?? 0;
  }

  setShedding(enabled: boolean): void {
    this.#shedding = enabled;
  }
  get shedding(): boolean {
    return this.#shedding;
  }

  #take(): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.#maxPerSecond, this.#tokens + ((now - this.#refilledAt) / 1000) * this.#maxPerSecond);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    this.counters.requests++;
    const url = request.url ?? "/";
    const send = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      response.end(text);
    };
    if (url === "/mesh/heartbeat" && request.method === "POST") {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      try {
        this.#monitor.ingestHeartbeat(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        return send(200, { ok: true });
      } catch (error) {
        this.counters.badHeartbeats++;
        return send(400, { error: error instanceof Error ? error.message.split("\n")[0] : "bad heartbeat" });
      }
    }
    if (url === "/health") return send(200, { status: "ok" });
    if (url === "/api/status" && request.method === "GET") {
      if (this.#shedding && !this.#take()) {
        this.counters.shed++;
        response.setHeader("retry-after", "1");
        return send(503, { error: "overloaded, shedding load" });
      }
      // The status page summarises every node: real work that grows with the mesh.
      const now = this.#monitor.now();
      const nodes = this.#monitor.nodes().map((v) => ({ nodeId: v.nodeId, ageMs: v.lastHeartbeatAt === null ? null : now - v.lastHeartbeatAt, restarts: v.restarts, outcomes: v.outcomes.map((o) => o.outcome) }));
      return send(200, { nodes, rounds: this.#monitor.rounds().slice(-5), heartbeats: this.#monitor.heartbeats });
    }
    send(404, { error: "not found" });
  }
}
