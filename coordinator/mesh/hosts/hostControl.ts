/**
 * One node host as the coordinator controls it, wherever it runs. The chaos engine's
 * process and link faults and MAPE-K's restarts act through this interface only:
 *
 * - a child host (`childHost.ts`): a node-host process the coordinator started itself;
 *   process faults go by pid (SIGKILL, SIGSTOP/SIGCONT), in-process faults (attack,
 *   clock, stress) over its IPC channel, link faults on a proxy the coordinator runs
 *   between the host and its API;
 * - a remote host (`agentHost.ts`): a node host on any machine, started by
 *   `synod node-host`, whose agent process applies the same faults to its worker
 *   process and its own link proxy when a control message signed by the coordinator
 *   asks (as Chaos Mesh's chaosd agent does on a physical machine).
 */
import type { AttackSpec } from "../../fl/attacks/createAttack.ts";
import type { LinkDirection, LinkImpairment } from "../link/linkProxy.ts";

/** Life cycle of a host's worker process. */
export type HostState = "starting" | "running" | "paused" | "dead" | "stopped";

/**
 * The network path between one host and the coordinator: every byte of the host's
 * socket and requests goes through it, so a fault here acts on all its nodes.
 * Directions are relative to the nodes: `to` (coordinator → node), `from` (node → coordinator).
 */
export interface HostLink {
  /** Adds impairments to one direction (merged with those already set). */
  impair(direction: LinkDirection, patch: LinkImpairment): Promise<void>;
  /** Lifts the named impairments of one direction (all without `keys`). */
  restore(direction: LinkDirection, keys?: readonly (keyof LinkImpairment)[]): Promise<void>;
  /** Down: every open connection is reset and new ones are refused. */
  setDown(down: boolean): Promise<void>;
}

/** One node host under the coordinator's control. */
export interface HostControl {
  readonly hostId: string;
  /** The nodes it carries (the blast radius of every fault on it). */
  readonly nodeIds: readonly string[];
  /** Where it runs: started by this coordinator, or elsewhere with an agent. */
  readonly location: "child" | "remote";
  readonly state: HostState;
  /** The worker process's pid (changes with every restart), if known. */
  readonly pid: number | undefined;
  /** Restarts so far (MAPE-K and chaos both count on it). */
  readonly restarts: number;
  /** The offset currently added to the nodes' clocks, ms. */
  readonly clockOffsetMs: number;
  readonly link: HostLink;
  /** Starts the worker if it is not running, and resolves once every node has registered. */
  start(): Promise<void>;
  /** SIGKILL: a crash, no cleanup. Resolves once the worker has exited. */
  kill(): Promise<void>;
  /** SIGSTOP: frozen, sockets open, nothing answers. */
  pause(): Promise<void>;
  /** SIGCONT. */
  resume(): Promise<void>;
  /** Kill (even if paused) and start again: a new pid and bootId. */
  restart(): Promise<void>;
  /** Whether the worker answers on its control channel within `timeoutMs` (false when dead or frozen). */
  isResponsive(timeoutMs?: number): Promise<boolean>;
  /** Offsets the nodes' clocks (clock skew); 0 resyncs. */
  setClockOffset(offsetMs: number): Promise<void>;
  /** Turns one node Byzantine (or honest with `null`). */
  setAttack(nodeId: string, spec: AttackSpec | null): Promise<void>;
  /** Starts CPU stress workers in the worker process (`load` in (0, 1]). */
  stress(workers: number, load: number): Promise<void>;
  /** Stops them. */
  unstress(): Promise<void>;
  /** Stops the worker for good. */
  stop(): Promise<void>;
}
