/**
 * GET /api/events: what a domain part publishes on the bus reaches a browser over
 * server-sent events; filters, resuming with Last-Event-ID, the client limit, shutdown.
 * These tests listen on port 0: a stream never ends, so `inject` cannot read it.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it, type TestContext } from "node:test";
import { formatServerSentEvent } from "../../../coordinator/api/eventStream.ts";
import type { SynodApp } from "../../../coordinator/app.ts";
import { createEventBus } from "../../../coordinator/events.ts";
import { buildTestApp } from "./helper.ts";

type ServerSentEvent = { id?: string; event?: string; data?: string };

/** A minimal EventSource: connects, parses frames, lets a test wait for the n-th event. */
class SseClient {
  readonly events: ServerSentEvent[] = [];
  comments = 0;
  statusCode = 0;
  headers: http.IncomingHttpHeaders = {};
  ended = false;
  private buffer = "";
  private waiters: Array<() => void> = [];
  private request: http.ClientRequest | undefined;

  static async connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    await new Promise<void>((resolve, reject) => {
      client.request = http.get(url, { headers: { accept: "text/event-stream", ...headers } }, (response) => {
        client.statusCode = response.statusCode ?? 0;
        client.headers = response.headers;
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => client.receive(chunk));
        response.on("end", () => {
          client.ended = true;
          client.wake();
        });
        resolve();
      });
      client.request.on("error", reject);
    });
    return client;
  }

  private receive(chunk: string) {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf("\n\n")) !== -1) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event: ServerSentEvent = {};
      let fields = 0;
      for (const line of frame.split("\n")) {
        if (line.startsWith(":")) {
          this.comments++;
          continue;
        }
        const colon = line.indexOf(":");
        const name = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, "");
        if (name === "id" || name === "event" || name === "data") {
          event[name] = value;
          fields++;
        }
      }
      if (fields > 0) this.events.push(event);
    }
    this.wake();
  }

  private wake() {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Resolves once `predicate` holds, or rejects after `timeoutMs`. */
  async until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out; have ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  close() {
    this.request?.destroy();
  }
}

async function listen(t: TestContext, app: SynodApp): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

describe("GET /api/events (server-sent events)", () => {
  it("delivers a published event to a connected client", async (t) => {
    const { app, events } = await buildTestApp(t);
    const url = await listen(t, app);
    const client = await SseClient.connect(`${url}/api/events`, { origin: "http://127.0.0.1:3000" });
    t.after(() => client.close());
    assert.equal(client.statusCode, 200);
    assert.equal(client.headers["content-type"], "text/event-stream; charset=utf-8");
    assert.equal(client.headers["cache-control"], "no-cache, no-store, no-transform");
    // The dApp reads the stream from another origin: the CORS header must survive hijack().
    assert.equal(client.headers["access-control-allow-origin"], "http://127.0.0.1:3000");
    await client.until(() => client.comments >= 1); // ": connected": the subscription is live

    const published = events.publish("knowledge.record.ratified", { recordId: "4398046511105", kind: "Model", cid: "bafyrecord", proposalId: "77" });
    await client.until(() => client.events.length === 1);
    const [received] = client.events;
    assert.equal(received?.id, String(published.id));
    assert.equal(received?.event, "knowledge.record.ratified");
    assert.deepEqual(JSON.parse(received?.data ?? ""), published);
  });

  it("sends only the types asked for (names or dotted prefixes)", async (t) => {
    const { app, events } = await buildTestApp(t);
    const url = await listen(t, app);
    const client = await SseClient.connect(`${url}/api/events?types=fl,mesh.incident`);
    t.after(() => client.close());
    await client.until(() => client.comments >= 1);
    events.publish("mapek.state.changed", { from: "HARMONIC", to: "CHAOTIC", phi: 0.2 });
    events.publish("fl.round.finished", { round: 4, status: "completed", participants: 9 });
    events.publish("mesh.incident", { incidentId: "i-1", phase: "detected", fault: "partition", nodes: ["n3"] });
    await client.until(() => client.events.length === 2);
    assert.deepEqual(client.events.map((event) => event.event), ["fl.round.finished", "mesh.incident"]);
  });

  it("replays what a reconnecting client missed after Last-Event-ID", async (t) => {
    const { app, events } = await buildTestApp(t);
    const url = await listen(t, app);
    const first = events.publish("governance.proposal.changed", { proposalId: "1", state: "Active" });
    events.publish("governance.proposal.changed", { proposalId: "1", state: "Succeeded" });
    events.publish("governance.proposal.changed", { proposalId: "1", state: "Queued" });
    const client = await SseClient.connect(`${url}/api/events`, { "last-event-id": String(first.id) });
    t.after(() => client.close());
    await client.until(() => client.events.length === 2);
    assert.deepEqual(client.events.map((event) => JSON.parse(event.data ?? "").data.state), ["Succeeded", "Queued"]);
  });

  it("sends heartbeats while idle", async (t) => {
    const { app } = await buildTestApp(t, { env: { SYNOD_SSE_HEARTBEAT_MS: "1000" } });
    const url = await listen(t, app);
    const client = await SseClient.connect(`${url}/api/events`);
    t.after(() => client.close());
    await client.until(() => client.comments >= 2, 3000);
  });

  it("503 past SYNOD_SSE_MAX_CLIENTS; a slot frees when a client leaves", async (t) => {
    const events = createEventBus();
    const { app } = await buildTestApp(t, { env: { SYNOD_SSE_MAX_CLIENTS: "1" }, app: { events } });
    const url = await listen(t, app);
    const first = await SseClient.connect(`${url}/api/events`);
    await first.until(() => first.comments >= 1);
    const second = await SseClient.connect(`${url}/api/events`);
    await second.until(() => second.ended);
    assert.equal(second.statusCode, 503);
    const status = await app.inject({ method: "GET", url: "/api/status" });
    assert.equal(status.json().eventStreamClients, 1);

    first.close();
    await first.until(() => events.listenerCount === 1); // only the metrics counter is left
    const third = await SseClient.connect(`${url}/api/events`);
    t.after(() => third.close());
    assert.equal(third.statusCode, 200);
  });

  it("drops a client that stops reading instead of buffering for it without bound", async (t) => {
    const events = createEventBus({ historySize: 0 });
    const { app } = await buildTestApp(t, { app: { events } });
    const url = await listen(t, app);
    let response: http.IncomingMessage | undefined;
    const request = http.get(`${url}/api/events`, (res) => {
      response = res;
      res.pause(); // never reads
    });
    t.after(() => request.destroy());
    const deadline = Date.now() + 2000;
    while (events.listenerCount < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(events.listenerCount, 2);
    // 40 × 512 KiB: far more than the kernel's socket buffers and the 1 MiB we allow on top.
    const big = "x".repeat(512 * 1024);
    for (let i = 0; i < 40 && events.listenerCount === 2; i++) {
      events.publish("mesh.incident", { incidentId: `i-${i}`, phase: "detected", fault: big, nodes: [] });
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(events.listenerCount, 1, "the slow stream was dropped");
    assert.ok(response, "the stream had started");
    const status = await app.inject({ method: "GET", url: "/api/status" });
    assert.equal(status.json().eventStreamClients, 0);
  });

  it("closing the app ends open streams and unsubscribes them", async (t) => {
    const events = createEventBus();
    const { app } = await buildTestApp(t, { app: { events } });
    const url = await listen(t, app);
    const client = await SseClient.connect(`${url}/api/events`);
    await client.until(() => client.comments >= 1);
    assert.equal(events.listenerCount, 2); // the stream and the metrics counter
    await app.close();
    await client.until(() => client.ended);
    assert.equal(events.listenerCount, 0);
  });

  it("formats one event per frame with its id, type and JSON data", () => {
    const bus = createEventBus({ now: () => new Date("2026-01-01T00:00:00Z") });
    const event = bus.publish("fl.round.finished", { round: 1, status: "failed", participants: 0, reason: "line\nbreak" });
    assert.equal(
      formatServerSentEvent(event),
      `id: 1\nevent: fl.round.finished\ndata: {"id":1,"type":"fl.round.finished","time":"2026-01-01T00:00:00.000Z","data":{"round":1,"status":"failed","participants":0,"reason":"line\\nbreak"}}\n\n`,
    );
  });
});
