/**
 * An FL client whose node runs in a node-host process somewhere on the network: the
 * round runner trains it exactly like an in-process `MeshNode`. `fit` goes out on the
 * host's socket; the node's signed update comes back on `POST /api/mesh/updates`.
 */
import type { Address } from "viem";
import type { FitInstruction, FlClient, SignedUpdate } from "../../fl/client.ts";
import type { RemoteMesh } from "./remoteMesh.ts";

/** Options of {@link RemoteFlClient}. */
export type RemoteFlClientParameters = { mesh: RemoteMesh; nodeId: string; address: Address };

/**
 * @example
 * import { RemoteFlClient } from "./remoteFlClient.ts";
 * runner.register(new RemoteFlClient({ mesh, nodeId: "node-000", address: "0x…" }));
 */
export class RemoteFlClient implements FlClient {
  readonly nodeId: string;
  readonly address: Address;
  #mesh: RemoteMesh;

  constructor(parameters: RemoteFlClientParameters) {
    this.nodeId = parameters.nodeId;
    this.address = parameters.address;
    this.#mesh = parameters.mesh;
  }

  fit(instruction: FitInstruction, signal: AbortSignal): Promise<SignedUpdate> {
    return this.#mesh.fit(this.nodeId, instruction, signal);
  }
}
