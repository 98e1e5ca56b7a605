/**
 * A userspace fault-injecting TCP proxy: one per link between the coordinator and a
 * node. This kernel has no `tc netem`, so latency, jitter, loss, bandwidth limits,
 * blackholes (partitions) and resets (link down) are applied here, to the real bytes
 * of the real connections that go through it.
 *
 * Each byte stream has a direction relative to the node: `to` (coordinator → node)
 * and `from` (node → coordinator), as in Chaos Mesh's NetworkChaos `direction`.
 *
 * Loss on a TCP stream cannot drop bytes without corrupting the stream (the kernel
 * below us already guarantees delivery), so a "lost" chunk is delivered after a
 * retransmission timeout instead, doubling for each consecutive loss: what TCP over a
 * lossy link looks like to the application. A blackhole drops bytes for real; a
 * connection that lost bytes is reset when the blackhole lifts, as a TCP connection
 * whose retransmissions ran out would be.
 */
import net from "node:net";
import { createRng, type Rng } from "../../fl/random.ts";

/** Stream direction relative to the node. */
export type LinkDirection = "to" | "from";

/** Impairments of one direction; all optional, absent means none. */
export type LinkImpairment = {
  /** Added one-way delay, ms. */
  delayMs?: number;
  /** Uniform jitter ± this many ms around `delayMs`. */
  jitterMs?: number;
  /** Probability in [0, 1] that a chunk is lost (and retransmitted after `rtoMs`). */
  loss?: number;
  /** Retransmission timeout for lost chunks, ms; default 200 (Linux's minimum RTO). */
  rtoMs?: number;
  /** Bandwidth cap, bytes per second. */
  bytesPerSecond?: number;
  /** Drop every byte (a partition). */
  blackhole?: boolean;
};

/** Counters of one direction. */
export type LinkFlowStats = { bytes: number; chunks: number; lost: number; dropped: number };

/** Options of {@link LinkProxy}. */
export type LinkProxyParameters = {
  /** Name for logs and stats, e.g. `node-003/to`. */
  name: string;
  /** Where connections are forwarded. */
  target: { host: string; port: number };
  /** Which side opens connections: decides which byte stream is `to` and which `from`. */
  initiator: "coordinator" | "node";
  /** Seeds jitter and loss. */
  seed: number;
};

type Conn = { client: net.Socket; upstream: net.Socket; corrupted: boolean };

class Flow {
  impairment: LinkImpairment = {};
  stats: LinkFlowStats = { bytes: 0, chunks: 0, lost: 0, dropped: 0 };
  #rng: Rng;
  #timers = new Set<NodeJS.Timeout>();
  constructor(rng: Rng) {
    this.#rng = rng;
  }

  /** Sends a chunk from `from` to `to` with this flow's impairments; ordering is kept per connection. */
  send(conn: Conn, to: net.Socket, chunk: Buffer, state: { releaseAt: number }): void {
    const imp = this.impairment;
    this.stats.chunks++;
    if (imp.blackhole) {
      this.stats.dropped++;
      conn.corrupted = true;
      return;
    }
    this.stats.bytes += chunk.length;
    const now = performance.now();
    let delay = imp.delayMs ?? 0;
    if (imp.jitterMs) delay += (2 * this.#rng.next() - 1) * imp.jitterMs;
    if (imp.loss) {
      let rto = imp.rtoMs ?? 200;
      let losses = 0;
      while (this.#rng.next() < imp.loss) {
        this.stats.lost++;
        delay += rto;
        rto = Math.min(rto * 2, 60_000);
        // Linux gives a connection up after tcp_retries2 = 15 retransmissions.
        if (++losses >= 15) {
          this.stats.dropped++;
          conn.corrupted = true;
          to.destroy();
          return;
        }
      }
    }
    const transmit = imp.bytesPerSecond ? (chunk.length / imp.bytesPerSecond) * 1000 : 0;
    // A later chunk never overtakes an earlier one on the same connection (TCP order).
    const start = Math.max(now + Math.max(0, delay), state.releaseAt);
    const release = start + transmit;
    state.releaseAt = release;
    const wait = release - now;
    if (wait <= 0.5 && this.#timers.size === 0) {
      if (!to.destroyed) to.write(chunk);
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!to.destroyed) to.write(chunk);
    }, wait);
    this.#timers.add(timer);
  }

  clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

/**
 * A TCP proxy with per-direction impairments.
 *
 * @example
 * import { LinkProxy } from "./linkProxy.ts";
 * const link = new LinkProxy({ name: "node-001/down", target: { host: "127.0.0.1", port: 4100 }, initiator: "coordinator", seed: 1 });
 * const port = await link.listen();
 * link.impair("to", { delayMs: 500, jitterMs: 100 });
 * link.setDown(true);   // reset everything (link down)
 * await link.close();
 */
export class LinkProxy {
  readonly name: string;
  readonly initiator: "coordinator" | "node";
  #target: { host: string; port: number };
  #server: net.Server;
  #conns = new Set<Conn>();
  /** Every socket still open, including those whose connection is draining. */
  #sockets = new Set<net.Socket>();
  #flows: Record<LinkDirection, Flow>;
  #down = false;
  #port = 0;

  constructor(parameters: LinkProxyParameters) {
    this.name = parameters.name;
    this.initiator = parameters.initiator;
    this.#target = parameters.target;
    const rng = createRng(parameters.seed);
    this.#flows = { to: new Flow(rng.fork()), from: new Flow(rng.fork()) };
    this.#server = net.createServer((client) => this.#accept(client));
  }

  /** Starts listening on 127.0.0.1 (an ephemeral port); returns the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, "127.0.0.1", () => {
        this.#port = (this.#server.address() as net.AddressInfo).port;
        resolve(this.#port);
      });
    });
  }

  get port(): number {
    return this.#port;
  }

  /** Where connections go; changes when a node host restarts on a new port. */
  retarget(target: { host: string; port: number }): void {
    this.#target = target;
  }

  /** Current impairments of a direction. */
  impairment(direction: LinkDirection): LinkImpairment {
    return { ...this.#flows[direction].impairment };
  }

  /** Adds (merges) impairments to a direction. */
  impair(direction: LinkDirection, patch: LinkImpairment): void {
    const flow = this.#flows[direction];
    flow.impairment = { ...flow.impairment, ...patch };
  }

  /** Removes the named impairments (or all) from a direction; lifting a blackhole resets connections that lost bytes. */
  restore(direction: LinkDirection, keys?: readonly (keyof LinkImpairment)[]): void {
    const flow = this.#flows[direction];
    if (!keys) flow.impairment = {};
    else for (const key of keys) delete flow.impairment[key];
    if (!flow.impairment.blackhole && !this.#flows.to.impairment.blackhole && !this.#flows.from.impairment.blackhole) {
      for (const conn of [...this.#conns]) if (conn.corrupted) this.#destroy(conn);
    }
  }

  /** Link down: resets every connection now and every new one until it is up again. */
  setDown(down: boolean): void {
    this.#down = down;
    if (down) for (const conn of [...this.#conns]) this.#destroy(conn);
  }

  get isDown(): boolean {
    return this.#down;
  }

  /** Counters per direction. */
  stats(): Record<LinkDirection, LinkFlowStats> {
    return { to: { ...this.#flows.to.stats }, from: { ...this.#flows.from.stats } };
  }

  /** Open connections. */
  get connections(): number {
    return this.#conns.size;
  }

  /** Closes the listener and every connection. */
  async close(): Promise<void> {
    for (const conn of [...this.#conns]) this.#destroy(conn);
    // Draining connections wait on timers; the server's close waits on them: end them now.
    for (const socket of [...this.#sockets]) socket.destroy();
    this.#flows.to.clearTimers();
    this.#flows.from.clearTimers();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #destroy(conn: Conn): void {
    this.#conns.delete(conn);
    reset(conn.client);
    reset(conn.upstream);
  }

  #track(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
  }

  #accept(client: net.Socket): void {
    this.#track(client);
    client.setNoDelay(true);
    if (this.#down) {
      reset(client);
      return;
    }
    const upstream = net.connect({ ...this.#target, noDelay: true });
    this.#track(upstream);
    const conn: Conn = { client, upstream, corrupted: false };
    this.#conns.add(conn);
    // client → upstream is `to` the node when the coordinator initiated, else `from` it.
    const forward = this.initiator === "coordinator" ? this.#flows.to : this.#flows.from;
    const backward = this.initiator === "coordinator" ? this.#flows.from : this.#flows.to;
    const fwdState = { releaseAt: 0 };
    const backState = { releaseAt: 0 };
    client.on("data", (chunk: Buffer) => forward.send(conn, upstream, chunk, fwdState));
    upstream.on("data", (chunk: Buffer) => backward.send(conn, client, chunk, backState));
    const end = (): void => {
      if (!this.#conns.has(conn)) return;
      this.#conns.delete(conn);
      // Half-close after queued chunks are written: delay the end by the last release.
      const wait = Math.max(fwdState.releaseAt, backState.releaseAt) - performance.now();
      const finish = (): void => {
        client.destroy();
        upstream.destroy();
      };
      if (wait > 0) setTimeout(finish, wait + 1).unref();
      else finish();
    };
    client.on("close", end);
    upstream.on("close", end);
    client.on("error", end);
    upstream.on("error", end);
  }
}

/**
 * Ends a connection the way a broken link does (TCP RST), where that is safe: a socket
 * already shutting down (it got a FIN, so Node ended its side) or still connecting is
 * only destroyed. Resetting those leaves the native handle referenced at process exit,
 * which then never ends (the race fixed in libp2p/js-libp2p#3597).
 */
function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (socket.writableEnded || socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}
