/**
 * An FL client whose node lives in a node-host process and is reached over HTTP
 * through its link proxy: what the round runner sees of a remote node. Every fault on
 * the link (delay, loss, bandwidth, partition, link down) and on the host (crash,
 * pause, stress) acts on these requests for real.
 */
import http from "node:http";
import type { Address, Hex } from "viem";
import { RemoteNodeError } from "../../errors/chaos.ts";
import type { FitInstruction, FlClient, SignedUpdate } from "../../fl/client.ts";
import { decodeFloat32, encodeFloat32, FitResponseSchema } from "./wire.ts";

/** Options of {@link RemoteNodeClient}. */
export type RemoteNodeClientParameters = {
  nodeId: string;
  address: Address;
  /** Port of the node's `to` link (coordinator → node). */
  linkPort: () => number;
  /** Examples in the node's shard. */
  numExamples?: number;
  /** Sees each update that arrived (MAPE-K's anomaly detector reads it). */
  onUpdate?: (update: SignedUpdate, instruction: FitInstruction) => void;
};

/** Sends one request through the link; resolves with status and body. */
export function linkRequest(port: number, path: string, body: string | undefined, signal: AbortSignal | undefined, timeoutMs?: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: "127.0.0.1",
      port,
      path,
      method: body === undefined ? "GET" : "POST",
      agent: false,
      ...(signal ? { signal } : {}),
      ...(timeoutMs ? { timeout: timeoutMs } : {}),
      headers: body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", reject);
    request.end(body);
  });
}

/**
 * @example
 * import { RemoteNodeClient } from "./remoteNodeClient.ts";
 * runner.register(new RemoteNodeClient({ nodeId: "node-001", address, linkPort: () => links.get("node-001").down.port }));
 */
export class RemoteNodeClient implements FlClient {
  readonly nodeId: string;
  readonly address: Address;
  readonly numExamples: number | undefined;
  #parameters: RemoteNodeClientParameters;

  constructor(parameters: RemoteNodeClientParameters) {
    this.nodeId = parameters.nodeId;
    this.address = parameters.address;
    this.numExamples = parameters.numExamples;
    this.#parameters = parameters;
  }

  async fit(instruction: FitInstruction, signal: AbortSignal): Promise<SignedUpdate> {
    const body = JSON.stringify({ round: instruction.round, modelVersion: instruction.modelVersion, params: encodeFloat32(instruction.params), config: instruction.config });
    let response: { status: number; body: string };
    try {
      response = await linkRequest(this.#parameters.linkPort(), `/fit/${encodeURIComponent(this.nodeId)}`, body, signal);
    } catch (cause) {
      throw new RemoteNodeError({ nodeId: this.nodeId, reason: "unreachable", cause });
    }
    if (response.status !== 200) throw new RemoteNodeError({ nodeId: this.nodeId, reason: `HTTP ${response.status}: ${response.body.slice(0, 200)}` });
    let parsed;
    try {
      parsed = FitResponseSchema.parse(JSON.parse(response.body));
    } catch (cause) {
      throw new RemoteNodeError({ nodeId: this.nodeId, reason: "malformed update", cause });
    }
    const update: SignedUpdate = { ...parsed, params: decodeFloat32(parsed.params), updateHash: parsed.updateHash as Hex, signature: parsed.signature as Hex };
    this.#parameters.onUpdate?.(update, instruction);
    return update;
  }
}
