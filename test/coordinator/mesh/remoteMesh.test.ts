/**
 * Signed node messages and the coordinator's registry, without processes: the digest
 * is standard EIP-712 (viem agrees), and RemoteMesh refuses unknown and banned keys,
 * forged signatures, replays and skewed clocks, binds nodes to their host socket, and
 * fails fits of a node whose socket closes. Host shards come from the coordinator's
 * training split exactly as the simulated mesh's do.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytesToHex, hashTypedData, recoverTypedDataAddress } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { NodeMessageRejectedError, NodeNotConnectedError } from "../../../coordinator/errors/mesh.ts";
import { loadMnist } from "../../../coordinator/fl/datasets/mnist.ts";
import { createStrategy } from "../../../coordinator/fl/strategies/createStrategy.ts";
import { createSimulatedMesh } from "../../../coordinator/mesh/createSimulatedMesh.ts";
import { loadShards } from "../../../coordinator/mesh/nodeHost/loadShards.ts";
import { createNodeMessageSigner, hashPayload, nodeMessageDigest, nodeMessageDomain, nodeMessageTypes } from "../../../coordinator/mesh/remote/nodeMessage.ts";
import { RemoteMesh } from "../../../coordinator/mesh/remote/remoteMesh.ts";
import type { CoordinatorToHost } from "../../../coordinator/mesh/remote/wire.ts";

const refusal = (reason: string) => (error: unknown) => error instanceof NodeMessageRejectedError && error.reason === reason;

function setup(options: { banned?: Set<string>; now?: () => number } = {}) {
  const key = generatePrivateKey();
  const signer = createNodeMessageSigner(key, options.now);
  const sent: CoordinatorToHost[] = [];
  const mesh = new RemoteMesh({ ...(options.banned ? { bannedAddresses: () => options.banned! } : {}), ...(options.now ? { now: options.now } : {}) });
  mesh.admit([{ nodeId: "node-001", address: signer.address, hostId: "h" }]);
  const sessionId = mesh.openSession({ send: (m) => sent.push(m), close: () => undefined });
  let seq = 1;
  const register = () => mesh.register(signer.sign("register", "node-001", seq++, JSON.stringify({ hostId: "h", sessionId, bootId: "b1", pid: 1, heartbeatMs: 100, numExamples: 5 })));
  return { mesh, signer, sent, sessionId, register, nextSeq: () => seq++ };
}

describe("signed node messages", () => {
  it("digest is EIP-712 typed data that viem hashes and recovers the same way", async () => {
    const signer = createNodeMessageSigner(generatePrivateKey());
    const message = signer.sign("heartbeat", "node-042", 1_700_000_000_000_000, '{"bootId":"x"}');
    const typed = { domain: nodeMessageDomain, types: nodeMessageTypes, primaryType: "NodeMessage" as const, message: { kind: message.kind, nodeId: message.nodeId, seq: BigInt(message.seq), sentAt: BigInt(message.sentAt), payloadHash: hashPayload(message.payload) } };
    assert.equal(bytesToHex(nodeMessageDigest({ ...typed.message, seq: message.seq, sentAt: message.sentAt })), hashTypedData(typed));
    assert.equal(await recoverTypedDataAddress({ ...typed, signature: message.signature }), signer.address);
  });
});

describe("RemoteMesh", () => {
  it("registers an admitted node on its socket and counts its heartbeats", () => {
    const { mesh, signer, register, nextSeq } = setup();
    register();
    mesh.heartbeat(signer.sign("heartbeat", "node-001", nextSeq(), JSON.stringify({ bootId: "b1", beat: 1, roundsTrained: 0, failures: 0, lastTrainMs: null, loopLagMs: 1, cpuCores: 0, trainCpuCores: 0 })));
    assert.equal(mesh.node("node-001")?.heartbeats, 1);
    assert.equal(mesh.node("node-001")?.connected, true);
  });

  it("refuses unknown ids, wrong keys, banned keys, replays, skewed clocks and unknown sessions", () => {
    const banned = new Set<string>();
    const { mesh, signer, register, sessionId, nextSeq } = setup({ banned });
    const payload = JSON.stringify({ hostId: "h", sessionId, bootId: "b1", pid: 1, heartbeatMs: 100, numExamples: 5 });
    assert.throws(() => mesh.register(signer.sign("register", "node-002", nextSeq(), payload)), refusal("unknown-node"));
    assert.throws(() => mesh.register(createNodeMessageSigner(generatePrivateKey()).sign("register", "node-001", nextSeq(), payload)), refusal("wrong-key"));
    const replayed = signer.sign("register", "node-001", nextSeq(), payload);
    mesh.register(replayed);
    assert.throws(() => mesh.register(replayed), refusal("replay"));
    assert.throws(() => mesh.register({ ...signer.sign("register", "node-001", nextSeq(), payload), payload: payload.replace("b1", "b2") }), refusal("wrong-key"));
    assert.throws(() => mesh.register(signer.sign("register", "node-001", nextSeq(), payload.replace(sessionId, "nope"))), refusal("not-registered"));
    assert.throws(() => mesh.heartbeat(signer.sign("heartbeat", "node-001", nextSeq(), JSON.stringify({ bootId: "other", beat: 1, roundsTrained: 0, failures: 0, lastTrainMs: null, loopLagMs: 0, cpuCores: 0, trainCpuCores: 0 }))), refusal("not-registered"));
    banned.add(signer.address.toLowerCase());
    assert.throws(() => register(), refusal("banned"));
    const skewed = createNodeMessageSigner(generatePrivateKey(), () => Date.now() + 120_000);
    mesh.admit([{ nodeId: "node-003", address: skewed.address, hostId: "h" }]);
    assert.throws(() => mesh.register(skewed.sign("register", "node-003", 1, payload)), refusal("clock-skew"));
  });

  it("sends fits on the node's socket, resolves them with the signed update, fails them when the socket closes", async () => {
    const { mesh, signer, sent, sessionId, register, nextSeq } = setup();
    register();
    const instruction = { round: 1, modelVersion: 0, params: new Float32Array([1, 2]), config: { localEpochs: 1, learningRate: 0.1, batchSize: 8 } };
    const fit = mesh.fit("node-001", instruction, new AbortController().signal);
    const request = sent.find((m) => m.type === "fit");
    assert.ok(request && request.type === "fit");
    const update = { requestId: request.requestId, round: 1, modelVersion: 0, params: Buffer.from(new Float32Array([3, 4]).buffer).toString("base64"), numExamples: 5, metrics: { loss: 1, accuracy: 0.5, trainMs: 1 }, updateHash: `0x${"ab".repeat(32)}`, signature: `0x${"cd".repeat(65)}` };
    assert.deepEqual(mesh.receiveUpdate(signer.sign("update", "node-001", nextSeq(), JSON.stringify(update))), { accepted: true, reason: null });
    assert.deepEqual([...(await fit).params], [3, 4]);
    // The same request answered twice: the second is late, not a second update.
    assert.equal(mesh.receiveUpdate(signer.sign("update", "node-001", nextSeq(), JSON.stringify(update))).accepted, false);

    const pending = mesh.fit("node-001", instruction, new AbortController().signal);
    mesh.closeSession(sessionId);
    await assert.rejects(pending, NodeNotConnectedError);
    assert.equal(mesh.node("node-001")?.connected, false);
    const health = await mesh.health(["node-001", "node-009"]);
    assert.deepEqual(health.map((h) => [h.healthy, h.problem]), [[false, "host socket closed"], [false, "not admitted"]]);
  });

  it("deregistering drops the node, tells its host and refuses it afterwards", () => {
    const down: string[] = [];
    const signer = createNodeMessageSigner(generatePrivateKey());
    const sent: CoordinatorToHost[] = [];
    const mesh = new RemoteMesh({ onNodeDown: (id) => down.push(id) });
    mesh.admit([{ nodeId: "node-001", address: signer.address, hostId: "h" }]);
    const sessionId = mesh.openSession({ send: (m) => sent.push(m), close: () => undefined });
    mesh.register(signer.sign("register", "node-001", 1, JSON.stringify({ hostId: "h", sessionId, bootId: "b", pid: 1, heartbeatMs: 100, numExamples: 1 })));
    assert.deepEqual(mesh.deregister(["node-001"], "rollback"), { deregistered: ["node-001"] });
    assert.deepEqual(down, ["node-001"]);
    assert.ok(sent.some((m) => m.type === "deregistered" && m.nodeId === "node-001"));
    assert.throws(() => mesh.heartbeat(signer.sign("heartbeat", "node-001", 2, "{}")), refusal("unknown-node"));
  });
});

describe("node-host shards", () => {
  it("are the simulated mesh's IID shards of the same training split", () => {
    const dataset = loadMnist();
    const sim = createSimulatedMesh({ dataset, model: "logistic-regression", numNodes: 40, partition: { kind: "iid" }, maxExamples: 2000, strategy: createStrategy({ name: "fedavg" }), seed: 5 });
    const { data, rows } = loadShards({ dataset: "mnist", indices: [3, 17], totalShards: 40, seed: 5, maxExamples: 2000 });
    for (const [i, index] of [3, 17].entries()) {
      const node = sim.nodes[index]!;
      const d = data.numFeatures;
      assert.equal(rows[i]!.length, node.rows.length);
      for (let r = 0; r < node.rows.length; r++) {
        const a = data.features.subarray(rows[i]![r]! * d, (rows[i]![r]! + 1) * d);
        const b = sim.train.features.subarray(node.rows[r]! * d, (node.rows[r]! + 1) * d);
        assert.deepEqual(a, b);
        assert.equal(data.labels[rows[i]![r]!], sim.train.labels[node.rows[r]!]);
      }
    }
  });
});
