import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { LinkProxy } from "../../../coordinator/mesh/link/linkProxy.ts";

/** An echo server standing in for a node. */
let echo: net.Server;
let echoPort = 0;
const sockets = new Set<net.Socket>();
/** Sends `bytes` through the proxy and resolves with the echo and the round-trip time, or rejects on reset/timeout. */
function roundTrip(port: number, bytes: Buffer, timeoutMs = 3000): Promise<{ data: Buffer; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    let got = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("timeout"));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= bytes.length) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ data: Buffer.concat(chunks), ms: performance.now() - started });
      }
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      if (got < bytes.length) reject(new Error("closed"));
    });
    socket.write(bytes);
  });
}

describe("LinkProxy", () => {
  before(async () => {
    echo = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => sockets.delete(socket));
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", () => resolve()));
    echoPort = (echo.address() as net.AddressInfo).port;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it("forwards bytes unchanged when unimpaired", async () => {
    const link = new LinkProxy({ name: "t", target: { host: "127.0.0.1", port: echoPort }, initiator: "coordinator", seed: 1 });
    const port = await link.listen();
    const payload = Buffer.from("hello through the link");
    const { data, ms } = await roundTrip(port, payload);
    assert.deepEqual(data, payload);
    assert.ok(ms < 500);
    await link.close();
  });

  it("adds latency in each direction", async () => {
    const link = new LinkProxy({ name: "t", target: { host: "127.0.0.1", port: echoPort }, initiator: "coordinator", seed: 1 });
    const port = await link.listen();
    link.impair("to", { delayMs: 150 });
    link.impair("from", { delayMs: 100 });
    const { data, ms } = await roundTrip(port, Buffer.from("x"));
    assert.equal(data.toString(), "x");
    assert.ok(ms >= 245, `round trip ${ms} ms should include 250 ms of delay`);
    link.restore("to");
    link.restore("from");
    assert.ok((await roundTrip(port, Buffer.from("y"))).ms < 200);
    await link.close();
  });

  it("caps bandwidth", async () => {
    const link = new LinkProxy({ name: "t", target: { host: "127.0.0.1", port: echoPort }, initiator: "coordinator", seed: 1 });
    const port = await link.listen();
    link.impair("to", { bytesPerSecond: 100_000 });
    const payload = Buffer.alloc(40_000, 7);
    const { data, ms } = await roundTrip(port, payload);
    assert.equal(data.length, payload.length);
    assert.ok(ms >= 380, `40 kB at 100 kB/s took ${ms} ms`);
    await link.close();
  });

  it("loss delays chunks by the retransmission timeout and counts them", async () => {
    const link = new LinkProxy({ name: "t", target: { host: "127.0.0.1", port: echoPort }, initiator: "coordinator", seed: 3 });
    const port = await link.listen();
    link.impair("to", { loss: 1, rtoMs: 50 });
    await assert.rejects(roundTrip(port, Buffer.from("z"), 300));
    link.restore("to");
    link.impair("to", { loss: 0.5, rtoMs: 20 });
    for (let i = 0; i < 10; i++) await roundTrip(port, Buffer.from("w"));
    assert.ok(link.stats().to.lost > 0);
    await link.close();
  });

  it("blackholes a direction (partition) and resets the connections that lost bytes when it lifts", async () => {
    const link = new LinkProxy({ name: "t", target: { host: "127.0.0.1", port: echoPort }, initiator: "coordinator", seed: 1 });
    const port = await link.listen();
    link.impair("to", { blackhole: true });
    await assert.rejects(roundTrip(port, Buffer.from("lost"), 300), /timeout/);
    assert.ok(link.stats().to.dropped >= 1);
    link.restore("to", ["blackhole"]);
    assert.equal((await roundTrip(port, Buffer.from("back"))).data.toString(), "back");
    await link.close();
  });

  it("link down resets connections at once and refuses new ones", async () => {
    const link = new LinkProxy({ name: "t", target: { host: "127.0.0.1", port: echoPort }, initiator: "coordinator", seed: 1 });
    const port = await link.listen();
    link.setDown(true);
    const started = performance.now();
    await assert.rejects(roundTrip(port, Buffer.from("x"), 2000), (error: Error) => error.message !== "timeout");
    assert.ok(performance.now() - started < 1000, "a down link fails fast, unlike a partition");
    link.setDown(false);
    assert.equal((await roundTrip(port, Buffer.from("up"))).data.toString(), "up");
    await link.close();
  });
});
