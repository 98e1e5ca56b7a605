import type { FitInstruction, FlClient, SignedUpdate } from "../../../coordinator/fl/client.ts";
import { loadMnist } from "../../../coordinator/fl/datasets/mnist.ts";
import type { RoundConfigInput } from "../../../coordinator/fl/roundConfig.ts";
import type { Strategy } from "../../../coordinator/fl/strategies/strategy.ts";
import type { AttackSpec } from "../../../coordinator/fl/attacks/createAttack.ts";
import { createSimulatedMesh, type SimulatedMesh } from "../../../coordinator/mesh/createSimulatedMesh.ts";
import { hashUpdate, type NodeIdentity } from "../../../coordinator/mesh/nodeIdentity.ts";

/** A small, fast MNIST federation (logistic regression, IID) for lifecycle tests. */
export function smallMesh(options: { strategy: Strategy; numNodes?: number; config?: RoundConfigInput; byzantine?: { fraction: number; attack: AttackSpec }; seed?: number; maxExamples?: number }): SimulatedMesh {
  return createSimulatedMesh({
    dataset: loadMnist(),
    maxExamples: options.maxExamples ?? 1500,
    model: "logistic-regression",
    numNodes: options.numNodes ?? 10,
    partition: { kind: "iid" },
    strategy: options.strategy,
    config: { minFitClients: 3, minAvailableClients: 3, learningRate: 0.3, batchSize: 16, ...options.config },
    ...(options.byzantine ? { byzantine: options.byzantine } : {}),
    seed: options.seed ?? 1,
  });
}

/** Wraps a client and rewrites its update after the fact (to forge, tamper, replay…). */
export class TamperingClient implements FlClient {
  readonly nodeId: string;
  readonly address: `0x${string}`;
  readonly inner: FlClient;
  readonly tamper: (update: SignedUpdate, instruction: FitInstruction) => Promise<SignedUpdate>;
  constructor(inner: FlClient, tamper: (update: SignedUpdate, instruction: FitInstruction) => Promise<SignedUpdate>) {
    this.inner = inner;
    this.nodeId = inner.nodeId;
    this.address = inner.address;
    this.tamper = tamper;
  }
  async fit(instruction: FitInstruction, signal: AbortSignal): Promise<SignedUpdate> {
    return this.tamper(await this.inner.fit(instruction, signal), instruction);
  }
}

/** Re-hashes and re-signs an update with `identity` after changing it. */
export async function resign(update: SignedUpdate, identity: NodeIdentity, patch: Partial<SignedUpdate>): Promise<SignedUpdate> {
  const next = { ...update, ...patch };
  const updateHash = hashUpdate(next.params, next.numExamples);
  const signature = await identity.signUpdate({ round: next.round, modelVersion: next.modelVersion, updateHash });
  return { ...next, updateHash, signature };
}
