/**
 * What the chaos engine acts on: nodes, the hosts they run in and the links between
 * those hosts and the coordinator, and the coordinator's API. The one mesh
 * (`mesh/nodeMesh.ts`) implements it over child and remote hosts alike.
 */
import type { AttackSpec } from "../fl/attacks/createAttack.ts";
import type { HostControl, HostLink } from "../mesh/hosts/hostControl.ts";

/** The system under chaos. */
export interface ChaosSystem {
  /** Every node id (the selector's candidates). */
  nodeIds(): string[];
  /** Whether a node is running (selectors pick among running nodes, as Chaos Mesh picks running pods). */
  isReady(nodeId: string): boolean;
  /** The host a node runs in (every node of a host shares its fate). */
  host(nodeId: string): HostControl | undefined;
  /** The link between the node's host and the coordinator (shared by the host's nodes). */
  link(nodeId: string): HostLink | undefined;
  /** Turns a node Byzantine (or honest with `null`). */
  setAttack(nodeId: string, spec: AttackSpec | null): Promise<void>;
  /** Base URL of the coordinator API that request floods and latency probes hit, e.g. `http://127.0.0.1:8787`. */
  apiUrl(): string;
}
