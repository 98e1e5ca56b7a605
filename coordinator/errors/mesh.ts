/**
 * Errors of remote mesh nodes and their deployment: node messages that fail
 * verification (unknown or banned key, bad signature, replay, stale clock), nodes
 * that are not registered or do not answer, and deployments that fail.
 */
import { BaseError } from "./base.ts";

/** Why a node message was refused (also the label of the rejection metric). */
export type NodeMessageRejection = "malformed" | "unknown-node" | "wrong-key" | "bad-signature" | "banned" | "replay" | "clock-skew" | "not-registered";

/** A signed node message was refused; `reason` says which rule it broke. */
export class NodeMessageRejectedError extends BaseError {
  readonly reason: NodeMessageRejection;
  readonly nodeId: string;
  readonly statusCode: number;
  constructor({ nodeId, reason, detail }: { nodeId: string; reason: NodeMessageRejection; detail: string }) {
    super(`Node message from ${nodeId || "(no id)"} refused: ${reason}.`, { name: "NodeMessageRejectedError", details: detail, metaMessages: [detail] });
    this.reason = reason;
    this.nodeId = nodeId;
    // 401: the signature does not prove the claimed identity; 403: the identity is not
    // allowed; 409: a valid message out of order (replayed or the session is gone).
    this.statusCode = reason === "bad-signature" || reason === "wrong-key" ? 401 : reason === "unknown-node" || reason === "banned" ? 403 : reason === "malformed" ? 400 : 409;
  }
}

/** The node is not connected (never registered, deregistered, or its host went away). */
export class NodeNotConnectedError extends BaseError {
  readonly nodeId: string;
  readonly statusCode = 404;
  constructor({ nodeId, reason }: { nodeId: string; reason: string }) {
    super(`Node ${nodeId} is not connected: ${reason}.`, { name: "NodeNotConnectedError" });
    this.nodeId = nodeId;
  }
}

/** A request to a remote node (fit, probe) got no valid answer in time. */
export class RemoteNodeTimeoutError extends BaseError {
  readonly nodeId: string;
  constructor({ nodeId, what, timeoutMs }: { nodeId: string; what: string; timeoutMs: number }) {
    super(`Node ${nodeId} did not answer ${what} within ${timeoutMs} ms.`, { name: "RemoteNodeTimeoutError" });
    this.nodeId = nodeId;
  }
}

/** A remote node answered a fit request with an error. */
export class RemoteFitError extends BaseError {
  readonly nodeId: string;
  constructor({ nodeId, reason }: { nodeId: string; reason: string }) {
    super(`Node ${nodeId} could not train: ${reason}.`, { name: "RemoteFitError" });
    this.nodeId = nodeId;
  }
}

/** Invalid node-host options (every problem listed). */
export class NodeHostOptionsError extends BaseError {
  readonly issues: readonly string[];
  constructor({ issues }: { issues: readonly string[] }) {
    super(`Invalid node-host options: ${issues.length} problem${issues.length === 1 ? "" : "s"}.`, { name: "NodeHostOptionsError", metaMessages: issues.map((issue) => `- ${issue}`), docsPath: "#operations" });
    this.issues = issues;
  }
}

/** The deployment manifest could not be read or is invalid. */
export class DeploymentManifestError extends BaseError {
  readonly path: string;
  constructor({ path, cause, reason }: { path: string; reason: string; cause?: unknown }) {
    super(`Deployment manifest ${path}: ${reason}.`, { name: "DeploymentManifestError", cause });
    this.path = path;
  }
}

/** Invalid deployment options (every problem listed). */
export class DeploymentOptionsError extends BaseError {
  readonly issues: readonly string[];
  constructor({ issues }: { issues: readonly string[] }) {
    super(`Invalid deployment options: ${issues.length} problem${issues.length === 1 ? "" : "s"}.`, { name: "DeploymentOptionsError", metaMessages: issues.map((issue) => `- ${issue}`) });
    this.issues = issues;
  }
}

/** A stage could not reach its node count (too many batches failed). */
export class DeploymentFailedError extends BaseError {
  readonly stage: number;
  constructor({ stage, healthy, failedBatches }: { stage: number; healthy: number; failedBatches: number }) {
    super(`Deployment stage ${stage} failed: ${healthy} healthy nodes after ${failedBatches} failed batch${failedBatches === 1 ? "" : "es"}.`, {
      name: "DeploymentFailedError",
      metaMessages: ["Failed batches were rolled back; see `synod nodes status` and the host logs under $SYNOD_DATA_DIR/mesh/logs."],
    });
    this.stage = stage;
  }
}

/** Why a host agent refused a control message (it obeys only fresh ones signed by the coordinator's control key). */
export type ControlMessageRejection = "malformed" | "bad-signature" | "wrong-key" | "wrong-host" | "wrong-session" | "replay" | "stale";

/** A control message failed the agent's checks; `reason` says which rule it broke. */
export class ControlMessageRejectedError extends BaseError {
  readonly reason: ControlMessageRejection;
  constructor({ reason, detail }: { reason: ControlMessageRejection; detail: string }) {
    super(`Control message refused: ${reason}.`, { name: "ControlMessageRejectedError", details: detail, metaMessages: [detail] });
    this.reason = reason;
  }
}

/** The coordinator's control key file exists but cannot be used. */
export class ControlKeyError extends BaseError {
  readonly path: string;
  constructor({ path, reason }: { path: string; reason: string }) {
    super(`Control key ${path}: ${reason}.`, { name: "ControlKeyError", metaMessages: ["The coordinator signs host-agent control messages with this key; it must be 32 bytes of hex, readable by its owner only."] });
    this.path = path;
  }
}

/** A remote host's agent is not connected to the coordinator's control socket. */
export class AgentNotConnectedError extends BaseError {
  readonly hostId: string;
  constructor({ hostId, reason }: { hostId: string; reason: string }) {
    super(`The agent of host ${hostId} is not connected: ${reason}.`, { name: "AgentNotConnectedError" });
    this.hostId = hostId;
  }
}

/** A host agent did not acknowledge a control operation in time. */
export class AgentCommandTimeoutError extends BaseError {
  readonly hostId: string;
  constructor({ hostId, op, timeoutMs }: { hostId: string; op: string; timeoutMs: number }) {
    super(`The agent of host ${hostId} did not acknowledge "${op}" within ${timeoutMs} ms.`, { name: "AgentCommandTimeoutError" });
    this.hostId = hostId;
  }
}

/** A host agent carried out a control operation and it failed (or it refused the message). */
export class AgentCommandError extends BaseError {
  readonly hostId: string;
  constructor({ hostId, op, reason }: { hostId: string; op: string; reason: string }) {
    super(`Host ${hostId} could not ${op}: ${reason}.`, { name: "AgentCommandError" });
    this.hostId = hostId;
  }
}

/** A node-host worker process did not carry out a command (it refused, did not answer in time, or exited). */
export class WorkerCommandError extends BaseError {
  readonly pid: number | undefined;
  constructor({ pid, command, reason }: { pid: number | undefined; command: string; reason: string }) {
    super(`Worker ${pid ?? "(no pid)"} did not ${command}: ${reason}.`, { name: "WorkerCommandError" });
    this.pid = pid;
  }
}

/** A node host process did not start, answer, or stop in time. */
export class NodeHostError extends BaseError {
  readonly hostId: string;
  constructor({ hostId, reason, cause }: { hostId: string; reason: string; cause?: unknown }) {
    super(`Node host ${hostId}: ${reason}.`, { name: "NodeHostError", cause });
    this.hostId = hostId;
  }
}
