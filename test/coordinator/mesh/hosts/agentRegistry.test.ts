/**
 * The coordinator's side of host agents, without processes: an agent is accepted for
 * a host only with a hello that answers this connection's challenge, is signed by an
 * admitted node key and lists only nodes admitted to that host; AgentHost operations
 * travel as control messages the agent can verify, resolve on its ack, and fail when
 * its socket closes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generatePrivateKey } from "viem/accounts";
import { AgentCommandError, AgentNotConnectedError } from "../../../../coordinator/errors/mesh.ts";
import { AgentRegistry } from "../../../../coordinator/mesh/hosts/agentRegistry.ts";
import type { AgentHost } from "../../../../coordinator/mesh/hosts/agentHost.ts";
import type { AgentHelloPayload, CoordinatorToAgent } from "../../../../coordinator/mesh/hosts/agentWire.ts";
import { createControlVerifier } from "../../../../coordinator/mesh/hosts/controlMessage.ts";
import { createNodeMessageSigner } from "../../../../coordinator/mesh/remote/nodeMessage.ts";
import type { AdmittedNode } from "../../../../coordinator/mesh/remote/remoteMesh.ts";

const SESSION = "0123456789abcdef0123456789abcdef";

function setup() {
  const keys = [generatePrivateKey(), generatePrivateKey()];
  const signers = keys.map((key) => createNodeMessageSigner(key));
  const admitted = new Map<string, AdmittedNode>([
    ["node-000", { nodeId: "node-000", address: signers[0]!.address, hostId: "h0" }],
    ["node-001", { nodeId: "node-001", address: signers[1]!.address, hostId: "h0" }],
    ["node-002", { nodeId: "node-002", address: createNodeMessageSigner(generatePrivateKey()).address, hostId: "h1" }],
  ]);
  const registry = new AgentRegistry({ controlKey: generatePrivateKey(), admitted: (nodeId) => admitted.get(nodeId), commandTimeoutMs: 500 });
  const up: AgentHost[] = [];
  const down: string[] = [];
  registry.onHostUp((host) => up.push(host));
  registry.onHostDown((hostId) => down.push(hostId));
  /** Opens a connection; returns what the coordinator sent on it and a hello maker. */
  const connect = () => {
    const sent: CoordinatorToAgent[] = [];
    let closed: string | undefined;
    const sessionId = registry.openSession({ send: (frame) => sent.push(frame), close: (reason) => (closed = reason) });
    const challenge = sent[0];
    assert.equal(challenge?.type, "challenge");
    const nonce = challenge.type === "challenge" ? challenge.nonce : "";
    const hello = (overrides: Partial<AgentHelloPayload> = {}, signer = signers[0]!, nodeId = "node-000") => {
      const payload: AgentHelloPayload = { hostId: "h0", nodeIds: ["node-000", "node-001"], nonce, session: SESSION, agentPid: 4242, linkProxy: true, ...overrides };
      registry.onFrame(sessionId, { type: "agent-hello", message: signer.sign("agent-hello", nodeId, Date.now() * 1000, JSON.stringify(payload)) });
    };
    return { sessionId, sent, hello, nonce, closed: () => closed };
  };
  return { registry, signers, up, down, connect };
}

describe("AgentRegistry", () => {
  it("accepts an agent whose hello answers the challenge, signed by an admitted key of its host", () => {
    const { registry, up, connect } = setup();
    const agent = connect();
    agent.hello();
    assert.deepEqual(agent.sent.at(-1), { type: "welcome", hostId: "h0" });
    assert.equal(up.length, 1);
    const host = registry.host("h0")!;
    assert.equal(up[0], host);
    assert.deepEqual([host.location, host.connected, host.agentPid, [...host.nodeIds]], ["remote", true, 4242, ["node-000", "node-001"]]);
  });

  it("refuses a hello for another challenge, by an unadmitted or wrong key, or naming another host's nodes", () => {
    const { registry, signers, up, connect } = setup();
    const first = connect();
    // A hello recorded on one connection, replayed on another.
    const second = connect();
    second.hello({ nonce: first.nonce });
    assert.match(JSON.stringify(second.sent.at(-1)), /wrong-nonce/);
    assert.ok(second.closed());
    const cases: Array<[string, (c: ReturnType<typeof connect>) => void]> = [
      ["wrong-key", (c) => c.hello({}, createNodeMessageSigner(generatePrivateKey()))],
      ["wrong-key", (c) => c.hello({}, signers[1]!, "node-000")],
      ["wrong-host", (c) => c.hello({ nodeIds: ["node-000", "node-002"] })],
      ["unknown-node", (c) => c.hello({ nodeIds: ["node-000", "node-777"] })],
      ["malformed", (c) => c.hello({ nodeIds: ["node-001"] })],
    ];
    for (const [reason, act] of cases) {
      const c = connect();
      act(c);
      const last = c.sent.at(-1)!;
      assert.equal(last.type, "refused", reason);
      assert.match(last.type === "refused" ? last.reason : "", new RegExp(`^${reason}`));
      assert.ok(c.closed(), reason);
    }
    assert.equal(up.length, 0);
    assert.equal(registry.host("h0"), undefined);
  });

  it("sends operations as control messages the agent verifies, and resolves on its ack", async () => {
    const { registry, connect } = setup();
    const agent = connect();
    agent.hello();
    const host = registry.host("h0")!;
    const verifier = createControlVerifier({ controlAddress: registry.controlAddress, hostId: "h0" });

    const killed = host.kill();
    const frame = agent.sent.at(-1)!;
    assert.equal(frame.type, "control");
    const { id, op } = verifier.verify(frame.type === "control" ? frame.message : undefined, SESSION);
    assert.deepEqual(op, { op: "kill" });
    registry.onFrame(agent.sessionId, { type: "state", state: "dead", pid: null, bootId: null, clockOffsetMs: 0, spare: "none", exit: { code: null, signal: "SIGKILL" } });
    registry.onFrame(agent.sessionId, { type: "ack", id, error: null });
    await killed;
    assert.equal(host.state, "dead");
    assert.deepEqual(host.lastExit, { code: null, signal: "SIGKILL" });

    // Worker boots: the second boot id counts as a restart.
    registry.onFrame(agent.sessionId, { type: "state", state: "running", pid: 11, bootId: "boot-1", clockOffsetMs: 0, spare: "none", exit: null });
    registry.onFrame(agent.sessionId, { type: "state", state: "running", pid: 12, bootId: "boot-2", clockOffsetMs: 0, spare: "none", exit: null });
    assert.deepEqual([host.state, host.pid, host.bootId, host.restarts], ["running", 12, "boot-2", 1]);

    // An ack carrying an error rejects with it; a ping answers with the agent's verdict.
    const attack = host.setAttack("node-000", { kind: "scaling", factor: 50 });
    const attackFrame = agent.sent.at(-1)!;
    const attackId = verifier.verify(attackFrame.type === "control" ? attackFrame.message : undefined, SESSION).id;
    registry.onFrame(agent.sessionId, { type: "ack", id: attackId, error: "no such node" });
    await assert.rejects(attack, (error) => error instanceof AgentCommandError && /no such node/.test(error.message));
    const ping = host.isResponsive(200);
    const pingFrame = agent.sent.at(-1)!;
    const pinged = verifier.verify(pingFrame.type === "control" ? pingFrame.message : undefined, SESSION);
    assert.deepEqual(pinged.op, { op: "ping", timeoutMs: 200 });
    registry.onFrame(agent.sessionId, { type: "ack", id: pinged.id, error: null, responsive: false });
    assert.equal(await ping, false);
  });

  it("fails operations in flight when the socket closes, reports the host down, and keeps the host across a reconnection", async () => {
    const { registry, up, down, connect } = setup();
    const agent = connect();
    agent.hello();
    const host = registry.host("h0")!;
    const pausing = host.pause();
    registry.closeSession(agent.sessionId);
    await assert.rejects(pausing, AgentNotConnectedError);
    assert.deepEqual(down, ["h0"]);
    assert.equal(host.connected, false);
    assert.equal(await host.isResponsive(), false);
    await assert.rejects(host.resume(), AgentNotConnectedError);

    const again = connect();
    again.hello();
    assert.equal(registry.host("h0"), host);
    assert.deepEqual(up, [host, host]);
    // A newer connection replaces an older one without a host-down.
    const newer = connect();
    newer.hello();
    assert.ok(again.closed());
    registry.closeSession(again.sessionId);
    assert.deepEqual(down, ["h0"]);
    assert.equal(host.connected, true);
  });
});
