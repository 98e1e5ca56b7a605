/**
 * The handle on a node-host process: a command to a host that was just killed fails
 * with NodeHostError (the IPC write's EPIPE is not thrown at the coordinator), a
 * killed host restarts with a new boot id, and concurrent restarts share one start.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { NodeHostError } from "../../../coordinator/errors/chaos.ts";
import { NodeHost } from "../../../coordinator/chaos/host/nodeHost.ts";

describe("NodeHost", () => {
  const host = new NodeHost({
    hostId: "host-test",
    model: { kind: "logistic-regression", numFeatures: 4, numClasses: 2 },
    nodes: [{ nodeId: "node-000", identitySeed: "test:0", seed: 1, features: new Float32Array(8 * 4).map((_, i) => (i % 7) / 7), labels: new Uint8Array(8).map((_, i) => i % 2) }],
    // No heartbeat link in this test: a closed port, the host's beats just fail.
    heartbeat: { intervalMs: 60_000, ports: { "node-000": 9 } },
  });
  after(() => host.stop());

  it("rejects commands to a host killed a moment ago instead of crashing the coordinator, and restarts it once however many ask", async () => {
    let uncaught: unknown;
    const onUncaught = (error: unknown) => void (uncaught = error);
    process.on("uncaughtException", onUncaught);
    try {
      await host.start({ timeoutMs: 60_000 });
      assert.equal(host.state, "running");
      assert.equal(await host.isResponsive(5_000), true);
      const firstBoot = host.bootId;

      process.kill(host.pid!, "SIGKILL");
      // Block the event loop until the process is surely gone, so the commands are sent
      // before its exit is noticed: the writes hit a dead pipe.
      for (const end = Date.now() + 300; Date.now() < end; );
      const results = await Promise.allSettled([host.setClockOffset(5), host.setAttack("node-000", null), host.isResponsive(2_000)]);
      assert.ok(results[0].status === "rejected" && results[0].reason instanceof NodeHostError, String((results[0] as PromiseRejectedResult).reason));
      assert.ok(results[1].status === "rejected" && results[1].reason instanceof NodeHostError);
      assert.deepEqual(results[2], { status: "fulfilled", value: false });
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(host.state, "dead");
      assert.equal(uncaught, undefined, "nothing thrown at the process");

      await host.start({ timeoutMs: 60_000 });
      assert.equal(await host.isResponsive(5_000), true);
      assert.notEqual(host.bootId, firstBoot);
      assert.equal(host.restarts, 1);

      // Crashed again, and brought back by two parties at once (MAPE-K's restart and a
      // fault's recovery): one new process, nobody's start killed by the other.
      await host.kill();
      const pids = new Set<number>();
      await Promise.all([host.restart(), host.start({ timeoutMs: 60_000 }), host.restart()].map((p) => p.then(() => pids.add(host.pid!))));
      assert.equal(host.state, "running");
      assert.equal(pids.size, 1);
      assert.equal(host.restarts, 2);
      assert.equal(await host.isResponsive(5_000), true);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });
});
