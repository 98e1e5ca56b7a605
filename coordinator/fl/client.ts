import type { Address, Hex } from "viem";
import type { FitConfig } from "./strategies/strategy.ts";

/** What the coordinator sends a client for one round. */
export type FitInstruction = {
  round: number;
  /** Version of `params` (increments with every completed round). */
  modelVersion: number;
  params: Float32Array;
  /** Local training settings plus the strategy's {@link FitConfig}. */
  config: FitConfig & { localEpochs: number; learningRate: number; batchSize: number };
};

/** Metrics a client reports with its update. */
export type FitMetrics = { loss: number; accuracy: number; trainMs: number };

/**
 * A client's signed answer. The signature is EIP-712 typed data over
 * `{ round, modelVersion, updateHash }`, where `updateHash` binds the parameters and
 * the example count (see `hashUpdate` in `coordinator/mesh/nodeIdentity.ts`).
 */
export type SignedUpdate = {
  nodeId: string;
  round: number;
  modelVersion: number;
  params: Float32Array;
  numExamples: number;
  metrics: FitMetrics;
  updateHash: Hex;
  signature: Hex;
};

/**
 * Anything that can train for the coordinator: an in-process `MeshNode` today, an
 * HTTP/WebSocket proxy to a remote node host later. The round runner only sees this.
 */
export interface FlClient {
  readonly nodeId: string;
  /** The secp256k1 address updates must be signed with. */
  readonly address: Address;
  /** Examples in the client's shard, where the coordinator knows it (Model records credit participants by it). */
  readonly numExamples?: number;
  /**
   * Trains on the client's own data and returns a signed update. Should give up when
   * `signal` aborts (the round's deadline passed).
   */
  fit(instruction: FitInstruction, signal: AbortSignal): Promise<SignedUpdate>;
}
