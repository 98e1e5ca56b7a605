/**
 * IPFS down: a clear, named, retryable error, and the same call succeeds unchanged
 * once the node is back (the caller keeps its data; nothing half-published counts).
 */
import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { IpfsUnavailableError } from "../../../coordinator/errors/ipfs.ts";
import { kuboContentStore } from "../../../coordinator/ipfs/kuboContentStore.ts";
import { startKuboRpcServer } from "../../fixtures/kuboRpcServer.ts";

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("Kubo unreachable", () => {
  it("fails every operation with IpfsUnavailableError, then the retried publish goes through", async () => {
    const port = await freePort();
    const store = kuboContentStore({ url: `http://user:secret@127.0.0.1:${port}`, timeoutMs: 2_000 });
    const record = { kind: "Incident", schemaVersion: 1, resolution: { status: "healed" } };

    const failure = await store.addJson(record).then(
      () => assert.fail("publish should fail while Kubo is down"),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof IpfsUnavailableError);
    assert.equal(failure.retryable, true);
    assert.equal(failure.operation, "add");
    assert.match(failure.shortMessage, /IPFS is unavailable: add on the kubo backend failed \(ECONNREFUSED\)/);
    assert.doesNotMatch(failure.message, /secret/); // credentials are redacted from the URL
    // "Do we hold it?" must not turn into "no" just because the node is down.
    await assert.rejects(store.has("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"), IpfsUnavailableError);
    await assert.rejects(store.get("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"), IpfsUnavailableError);

    const kubo = await startKuboRpcServer({ port });
    try {
      const published = await store.addJson(record);
      assert.deepEqual(await store.getJson(published.cid), record);
      assert.deepEqual(kubo.pins(), [published.cid]);
      // The URL's user:secret reached Kubo as Basic auth, not in the URL.
      assert.ok(kubo.authorizations.length > 0);
      for (const header of kubo.authorizations) assert.equal(header, `Basic ${btoa("user:secret")}`);
    } finally {
      await kubo.close();
    }
  });

  it("treats a node that accepts the connection but never answers as unavailable after the timeout", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket); // accept, never respond
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const store = kuboContentStore({ url: `http://127.0.0.1:${port}`, timeoutMs: 200 });
      const started = Date.now();
      await assert.rejects(store.addBytes(new Uint8Array([1, 2, 3])), IpfsUnavailableError);
      assert.ok(Date.now() - started < 2_000);
    } finally {
      await new Promise<void>((resolve) => {
        silent.close(() => resolve());
        // close() waits for open sockets; the hung request's socket must be dropped too.
        for (const socket of sockets) socket.destroy();
      });
    }
  });
});
