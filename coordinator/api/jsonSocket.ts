/**
 * A JSON-over-WebSocket endpoint on the API's own HTTP server (the node hosts' socket
 * and the host agents' control socket): upgrades on one path, a cap on open sockets,
 * a frame size limit, pings that drop a peer after two missed pongs, and a clean stop
 * when the app closes. The protocol behind it sees sessions and parsed frames only.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Logger } from "../logger.ts";
import type { SynodApp } from "../app.ts";

/** The protocol a socket speaks: what to do when one opens, sends a frame, closes. */
export type JsonSocketProtocol<Outgoing> = {
  /** A socket opened: returns its session id. */
  open(channel: { send(frame: Outgoing): void; close(reason: string): void }): string;
  /** A text frame parsed as JSON (anything else is dropped). */
  frame(sessionId: string, frame: unknown): void;
  /** The socket closed. */
  close(sessionId: string): void;
  /** The app is closing: end every session. */
  stop(): void;
};

/** Options of {@link mountJsonSocket}. */
export type MountJsonSocketParameters<Outgoing> = {
  path: string;
  protocol: JsonSocketProtocol<Outgoing>;
  logger: Logger;
  /** Most sockets open at once. */
  maxSockets: number;
  /** Ping period: a peer that misses two pongs (frozen, vanished) is dropped. */
  pingMs: number;
  /** Largest frame, bytes. */
  maxFrameBytes: number;
  /** Close code sent when the protocol closes a session. */
  closeCode: number;
};

/**
 * @example
 * import { mountJsonSocket } from "./jsonSocket.ts";
 * mountJsonSocket(app, { path: "/api/mesh/ws", protocol, logger, maxSockets: 10_000, pingMs: 10_000, maxFrameBytes: 1 << 20, closeCode: 1001 });
 */
export function mountJsonSocket<Outgoing>(app: Pick<SynodApp, "server" | "addHook">, parameters: MountJsonSocketParameters<Outgoing>): void {
  const { path, protocol, logger, maxSockets, pingMs, maxFrameBytes, closeCode } = parameters;
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes });
  const alive = new WeakMap<WebSocket, boolean>();
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    if (pathname !== path) return;
    if (wss.clients.size >= maxSockets) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      alive.set(ws, true);
      const sessionId = protocol.open({
        send: (frame) => ws.send(JSON.stringify(frame)),
        close: (reason) => ws.close(closeCode, reason.slice(0, 120)),
      });
      ws.on("pong", () => alive.set(ws, true));
      ws.on("message", (data, isBinary) => {
        if (isBinary) return;
        let frame: unknown;
        try {
          frame = JSON.parse(data.toString());
        } catch {
          return;
        }
        protocol.frame(sessionId, frame);
      });
      ws.on("close", () => protocol.close(sessionId));
      ws.on("error", (err) => logger.debug({ err, sessionId, path }, "socket error"));
    });
  };
  app.server.on("upgrade", onUpgrade);
  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, pingMs);
  pinger.unref();
  app.addHook("preClose", async () => {
    clearInterval(pinger);
    app.server.off("upgrade", onUpgrade);
    protocol.stop();
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
}
