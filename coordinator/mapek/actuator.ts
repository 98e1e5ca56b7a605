/**
 * What MAPE-K can do to the mesh (the Execute step's levers) and ask about it (the
 * host diagnosis Analyze needs). The hosted mesh implements it; so can any other
 * deployment of node hosts.
 */
import type { Address } from "viem";

/** A host process as the actuator sees it. */
export type HostHealth = "alive" | "frozen" | "dead" | "restarting";

/** MAPE-K's levers on the mesh. */
export interface MeshActuator {
  /** The host a node runs on, or `null` when it is not hosted by a process we manage. */
  hostOf(nodeId: string): string | null;
  /** Asks the host on its control channel whether it lives (dead: exited; frozen: no answer). */
  hostHealth(hostId: string): Promise<HostHealth>;
  /** Whether the host's process is already known to have exited (a child's exit event, an agent's report): no request made. */
  hostExited(hostId: string): boolean;
  /** Kills (if needed) and starts the host again. */
  restartHost(hostId: string): Promise<void>;
  /** Takes a node out of FL sampling (route around it) for `reason`. */
  excludeFromFl(nodeId: string, reason: string): void;
  /** Puts it back. */
  readmitToFl(nodeId: string): void;
  isExcluded(nodeId: string): boolean;
  /** Whether a request reaches the node through its coordinator → node link within `timeoutMs`. */
  pingNode(nodeId: string, timeoutMs: number): Promise<boolean>;
  /** Steps the node's clock back into sync. */
  resyncClock(nodeId: string): Promise<void>;
  /** Turns request shedding on the coordinator API on or off. */
  setLoadShedding(enabled: boolean): void;
  /** Measures the coordinator API's latency once, ms (a real request to it). */
  measureApiLatency(timeoutMs: number): Promise<number>;
  /** The node's signing address (for directive bans). */
  nodeAddress(nodeId: string): Address | undefined;
}
