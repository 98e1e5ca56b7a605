/**
 * Control messages as a host agent checks them: only the coordinator's control key,
 * only for this host and this connection's session, each once and in order, and only
 * while fresh. The control key file is created once, owner-only, and reused.
 */
import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { generatePrivateKey } from "viem/accounts";
import { ControlKeyError, ControlMessageRejectedError } from "../../../../coordinator/errors/mesh.ts";
import { createControlSigner, createControlVerifier } from "../../../../coordinator/mesh/hosts/controlMessage.ts";
import { controlKeyPath, loadOrCreateControlKey } from "../../../../coordinator/mesh/hosts/controlKey.ts";
import { createNodeMessageSigner } from "../../../../coordinator/mesh/remote/nodeMessage.ts";

const SESSION = "0123456789abcdef0123456789abcdef";
const refusal = (reason: string) => (error: unknown) => error instanceof ControlMessageRejectedError && error.reason === reason;

function setup(now: () => number = Date.now) {
  const key = generatePrivateKey();
  const signer = createControlSigner(key, now);
  const verifier = createControlVerifier({ controlAddress: signer.address, hostId: "rack2" });
  return { key, signer, verifier };
}

describe("control messages", () => {
  it("obeys a message signed by the control key for this host and session", () => {
    const { signer, verifier } = setup();
    const message = signer.sign("rack2", SESSION, 7, { op: "command", command: { type: "clock", offsetMs: 5000 }, timeoutMs: 1000 });
    assert.deepEqual(verifier.verify(message, SESSION), { id: 7, op: { op: "command", command: { type: "clock", offsetMs: 5000 }, timeoutMs: 1000 } });
    // The next one (a higher seq) too.
    assert.equal(verifier.verify(signer.sign("rack2", SESSION, 8, { op: "kill" }), SESSION).id, 8);
  });

  it("refuses another key, a tampered payload and a node's message", () => {
    const { key, signer, verifier } = setup();
    const intruder = createControlSigner(generatePrivateKey());
    assert.throws(() => verifier.verify(intruder.sign("rack2", SESSION, 1, { op: "kill" }), SESSION), refusal("wrong-key"));
    const signed = signer.sign("rack2", SESSION, 1, { op: "pause" });
    assert.throws(() => verifier.verify({ ...signed, payload: signed.payload.replace("pause", "kill") }, SESSION), refusal("wrong-key"));
    assert.throws(() => verifier.verify({ ...signed, signature: `0x${"00".repeat(65)}` }, SESSION), refusal("bad-signature"));
    // A heartbeat signed by the control key is still not a control message.
    const heartbeat = createNodeMessageSigner(key).sign("heartbeat", "rack2", Date.now() * 1000, signed.payload);
    assert.throws(() => verifier.verify(heartbeat, SESSION), refusal("malformed"));
    // The legitimate message still passes after all that.
    assert.equal(verifier.verify(signed, SESSION).op.op, "pause");
  });

  it("refuses a replay, an older sequence number, another host and another session", () => {
    const { signer, verifier } = setup();
    const first = signer.sign("rack2", SESSION, 1, { op: "pause" });
    const second = signer.sign("rack2", SESSION, 2, { op: "resume" });
    verifier.verify(second, SESSION);
    assert.throws(() => verifier.verify(second, SESSION), refusal("replay"));
    assert.throws(() => verifier.verify(first, SESSION), refusal("replay"));
    assert.throws(() => verifier.verify(signer.sign("rack3", SESSION, 3, { op: "kill" }), SESSION), refusal("wrong-host"));
    // Recorded on an earlier connection: worthless on this one.
    const other = "ffffffffffffffffffffffffffffffff";
    assert.throws(() => verifier.verify(signer.sign("rack2", SESSION, 4, { op: "kill" }), other), refusal("wrong-session"));
  });

  it("refuses a message sent too long ago or in the future", () => {
    const { key, verifier } = setup();
    const late = createControlSigner(key, () => Date.now() - 31_000);
    assert.throws(() => verifier.verify(late.sign("rack2", SESSION, 1, { op: "kill" }), SESSION), refusal("stale"));
    const early = createControlSigner(key, () => Date.now() + 31_000);
    assert.throws(() => verifier.verify(early.sign("rack2", SESSION, 1, { op: "kill" }), SESSION), refusal("stale"));
  });

  it("refuses operations outside the schema", () => {
    const { signer, verifier } = setup();
    const bad = signer.sign("rack2", SESSION, 1, { op: "link-impair", direction: "to", patch: { loss: 2 } });
    assert.throws(() => verifier.verify(bad, SESSION), refusal("malformed"));
  });
});

describe("control key", () => {
  it("is created once, owner-only, and reused; a key others can read is refused", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-control-key-"));
    try {
      const created = await loadOrCreateControlKey(dataDir);
      assert.equal(created.created, true);
      assert.equal((await stat(controlKeyPath(dataDir))).mode & 0o777, 0o600);
      assert.equal((await readFile(controlKeyPath(dataDir), "utf8")).trim(), created.privateKey);
      const again = await loadOrCreateControlKey(dataDir);
      assert.deepEqual({ ...again, created: true }, created);
      // Another data dir, another key: nothing is derived from a shared seed.
      const otherDir = await mkdtemp(path.join(os.tmpdir(), "synod-control-key-"));
      assert.notEqual((await loadOrCreateControlKey(otherDir)).address, created.address);
      await rm(otherDir, { recursive: true, force: true });
      await chmod(controlKeyPath(dataDir), 0o644);
      await assert.rejects(loadOrCreateControlKey(dataDir), (error) => error instanceof ControlKeyError && /readable by others/.test(error.message));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
