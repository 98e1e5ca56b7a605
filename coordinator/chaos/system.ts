/**
 * What the chaos engine acts on: nodes, the host processes they run in, the links
 * between them and the coordinator, and the coordinator's API. The hosted mesh
 * (`testbed/createHostedMesh.ts`) implements it over real processes and proxies.
 */
import type { AttackSpec } from "../fl/attacks/createAttack.ts";
import type { NodeHost } from "./host/nodeHost.ts";
import type { LinkProxy } from "./transport/linkProxy.ts";

/** A node's two proxies: `down` carries connections the coordinator opens (FL fit), `up` those the node opens (heartbeats). */
export type NodeLinks = { down: LinkProxy; up: LinkProxy };

/** The system under chaos. */
export interface ChaosSystem {
  /** Every node id (the selector's candidates). */
  nodeIds(): string[];
  /** Whether a node is running (selectors pick among running nodes, as Chaos Mesh picks running pods). */
  isReady(nodeId: string): boolean;
  /** The host process a node runs in. */
  host(nodeId: string): NodeHost | undefined;
  /** The node's links. */
  links(nodeId: string): NodeLinks | undefined;
  /** Turns a node Byzantine (or honest with `null`). */
  setAttack(nodeId: string, spec: AttackSpec | null): Promise<void>;
  /** Base URL of the coordinator API that request floods and latency probes hit, e.g. `http://127.0.0.1:8787`. */
  apiUrl(): string;
}
