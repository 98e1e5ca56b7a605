/**
 * Control messages: how the coordinator tells a remote host's agent what to do, and
 * how the agent decides to obey. A control message is a node message
 * (`remote/nodeMessage.ts`, EIP-712) of kind `control` whose `nodeId` is the host id,
 * signed by the coordinator's control key (`controlKey.ts`). The agent obeys it only
 * if all of these hold:
 *
 * - the signature recovers to the control address the agent was started with
 *   (`--control-address`, given by the operator or the deployer, never learnt from
 *   the network);
 * - it names this host (a message for another host is refused);
 * - it names the agent's current session (a random id per control connection), so a
 *   message recorded on an earlier connection is worthless;
 * - its sequence number is above every one obeyed in this session (no replays);
 * - its `sentAt` is within `maxSkewMs` of the agent's clock (no delayed delivery).
 */
import type { Address, Hex } from "viem";
import { getAddress } from "viem";
import { ControlMessageRejectedError, type ControlMessageRejection } from "../../errors/mesh.ts";
import { createNodeMessageSigner, recoverNodeMessageSigner, type SignedNodeMessage } from "../remote/nodeMessage.ts";
import { ControlMessageSchema, ControlPayloadSchema, type ControlOp, type ControlPayload } from "./agentWire.ts";

/** The coordinator's side: signs control messages with the control key. */
export type ControlSigner = {
  /** The control address agents are started with. */
  readonly address: Address;
  /**
   * Signs one operation for one host's session.
   * @param hostId - the host the operation is for.
   * @param session - the agent's current session id (from its hello).
   * @param id - echoed in the agent's ack.
   * @param op - what to do.
   */
  sign(hostId: string, session: string, id: number, op: ControlOp): SignedNodeMessage<"control">;
};

/**
 * Creates the coordinator's control signer.
 *
 * @param privateKey - the control key (`loadOrCreateControlKey`).
 * @param now - the clock of `sentAt` and of the sequence numbers; default `Date.now`.
 * @example
 * import { createControlSigner } from "./controlMessage.ts";
 * const signer = createControlSigner(key.privateKey);
 * channel.send({ type: "control", message: signer.sign("rack2", session, 1, { op: "kill" }) });
 */
export function createControlSigner(privateKey: Hex, now: () => number = Date.now): ControlSigner {
  const signer = createNodeMessageSigner(privateKey, now);
  // The clock in µs, as nodes do: sequence numbers keep rising across coordinator restarts.
  let seq = 0;
  return {
    address: signer.address,
    sign(hostId, session, id, op) {
      seq = Math.max(seq + 1, now() * 1000);
      const payload: ControlPayload = { session, id, op };
      return signer.sign("control", hostId, seq, JSON.stringify(payload));
    },
  };
}

/** Options of {@link createControlVerifier}. */
export type ControlVerifierParameters = {
  /** The only key whose control messages are obeyed. */
  controlAddress: Address;
  /** This host's id. */
  hostId: string;
  /** Largest accepted |sentAt − now|, ms; default 30 000. */
  maxSkewMs?: number;
  now?: () => number;
};

/** The agent's side: checks control messages. */
export type ControlVerifier = {
  /**
   * Checks a control message for the given session and remembers its sequence number.
   * @returns the operation and its id.
   * @throws {ControlMessageRejectedError} naming the rule it broke.
   */
  verify(raw: unknown, session: string): { id: number; op: ControlOp };
};

/**
 * Creates the agent's verifier of control messages (the rules above).
 *
 * @example
 * import { createControlVerifier } from "./controlMessage.ts";
 * const verifier = createControlVerifier({ controlAddress: "0x…", hostId: "rack2" });
 * const { id, op } = verifier.verify(frame.message, session);
 */
export function createControlVerifier(parameters: ControlVerifierParameters): ControlVerifier {
  const controlAddress = getAddress(parameters.controlAddress);
  const now = parameters.now ?? Date.now;
  const maxSkew = parameters.maxSkewMs ?? 30_000;
  let current = { session: "", lastSeq: -1 };
  const refuse = (reason: ControlMessageRejection, detail: string): never => {
    throw new ControlMessageRejectedError({ reason, detail });
  };
  return {
    verify(raw, session) {
      const parsed = ControlMessageSchema.safeParse(raw);
      if (!parsed.success) return refuse("malformed", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      const message = parsed.data as SignedNodeMessage;
      const signer = recoverNodeMessageSigner(message);
      if (!signer) return refuse("bad-signature", "the signature does not recover to a key");
      if (signer !== controlAddress) return refuse("wrong-key", `signed by ${signer}, the control address is ${controlAddress}`);
      if (message.nodeId !== parameters.hostId) return refuse("wrong-host", `for host ${message.nodeId}, this is ${parameters.hostId}`);
      let payload: ControlPayload;
      try {
        const decoded = ControlPayloadSchema.safeParse(JSON.parse(message.payload));
        if (!decoded.success) return refuse("malformed", decoded.error.issues.map((i) => `payload.${i.path.join(".")}: ${i.message}`).join("; "));
        payload = decoded.data;
      } catch {
        return refuse("malformed", "payload is not JSON");
      }
      if (payload.session !== session) return refuse("wrong-session", `for session ${payload.session}, the current one is ${session || "(none)"}`);
      if (current.session !== session) current = { session, lastSeq: -1 };
      if (message.seq <= current.lastSeq) return refuse("replay", `seq ${message.seq} is not above ${current.lastSeq}`);
      const skew = message.sentAt - now();
      if (Math.abs(skew) > maxSkew) return refuse("stale", `sentAt is ${skew} ms off this host's clock (max ${maxSkew})`);
      current.lastSeq = message.seq;
      return { id: payload.id, op: payload.op };
    },
  };
}
