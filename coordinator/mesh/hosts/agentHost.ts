/**
 * A remote node host under the coordinator's control: `HostControl` over its agent's
 * control socket. Every operation is a control message signed with the coordinator's
 * control key (`controlMessage.ts`) and resolves on the agent's ack; what the host is
 * doing (state, worker pid, boot id, clock offset) comes from the agent's reports.
 *
 * The `AgentRegistry` creates one per host id and keeps it across the agent's
 * reconnections (so counters survive and holders keep a valid object); while the
 * agent is disconnected every operation fails with `AgentNotConnectedError` and
 * `isResponsive` answers `false`.
 */
import { AgentCommandError, AgentCommandTimeoutError, AgentNotConnectedError } from "../../errors/mesh.ts";
import type { AttackSpec } from "../../fl/attacks/createAttack.ts";
import type { Logger } from "../../logger.ts";
import type { LinkDirection, LinkImpairment } from "../link/linkProxy.ts";
import type { HostCommand } from "../nodeHost/workerChannel.ts";
import type { ControlOp, CoordinatorToAgent, HostStateReport } from "./agentWire.ts";
import type { ControlSigner } from "./controlMessage.ts";
import type { HostControl, HostLink, HostState } from "./hostControl.ts";

/** The coordinator's end of one agent's control socket. */
export type AgentChannel = {
  send(frame: CoordinatorToAgent): void;
  close(reason: string): void;
};

/** An agent's connection, as its hello described it. */
export type AgentSession = { channel: AgentChannel; session: string; agentPid: number; linkProxy: boolean };

/** Options of {@link AgentHost}. */
export type AgentHostParameters = {
  hostId: string;
  nodeIds: readonly string[];
  signer: ControlSigner;
  /** How long an operation's ack may take (start and restart excepted), ms; default 10 000. */
  commandTimeoutMs?: number;
  /** How long start and restart may take (the worker loads its data and every node registers), ms; default 60 000. */
  startTimeoutMs?: number;
  logger?: Logger;
};

type Ack = { error: string | null; responsive?: boolean };
type Pending = { op: string; resolve: (ack: Ack) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

/**
 * @example
 * import { AgentRegistry } from "./agentRegistry.ts";
 * agents.onHostUp((host) => oneMesh.attachHost(host));   // host: AgentHost
 * await host.kill();                  // the agent SIGKILLs its worker; resolves once it exited
 * await host.restart();               // a new worker, every node registered again
 * await host.link.impair("from", { blackhole: true });
 */
export class AgentHost implements HostControl {
  readonly hostId: string;
  readonly location = "remote" as const;
  readonly link: HostLink;
  #nodeIds: readonly string[];
  #signer: ControlSigner;
  #commandTimeoutMs: number;
  #startTimeoutMs: number;
  #logger: Logger | undefined;
  #session: AgentSession | undefined;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #report: HostStateReport = { type: "state", state: "starting", pid: null, bootId: null, clockOffsetMs: 0, spare: "none", exit: null };
  #bootId: string | undefined;
  #restarts = 0;
  #listeners = new Set<(host: AgentHost) => void>();

  constructor(parameters: AgentHostParameters) {
    this.hostId = parameters.hostId;
    this.#nodeIds = [...parameters.nodeIds];
    this.#signer = parameters.signer;
    this.#commandTimeoutMs = parameters.commandTimeoutMs ?? 10_000;
    this.#startTimeoutMs = parameters.startTimeoutMs ?? 60_000;
    this.#logger = parameters.logger?.child({ hostId: parameters.hostId });
    this.link = {
      impair: async (direction: LinkDirection, patch: LinkImpairment) => void (await this.#call({ op: "link-impair", direction, patch })),
      restore: async (direction: LinkDirection, keys?: readonly (keyof LinkImpairment)[]) => void (await this.#call({ op: "link-restore", direction, ...(keys ? { keys: [...keys] } : {}) })),
      setDown: async (down: boolean) => void (await this.#call({ op: "link-down", down })),
    };
  }

  get nodeIds(): readonly string[] {
    return this.#nodeIds;
  }

  /** The worker's state as the agent last reported it. */
  get state(): HostState {
    return this.#report.state;
  }

  get pid(): number | undefined {
    return this.#report.pid ?? undefined;
  }

  /** The running worker's boot id (its nodes register with it), if it is ready. */
  get bootId(): string | undefined {
    return this.#report.bootId ?? undefined;
  }

  /** New workers seen after the first (whoever started them: this coordinator, or an agent that restarted). */
  get restarts(): number {
    return this.#restarts;
  }

  get clockOffsetMs(): number {
    return this.#report.clockOffsetMs;
  }

  /** The agent's spare worker: a restart that takes a warm one skips module loading. */
  get spare(): HostStateReport["spare"] {
    return this.#report.spare;
  }

  /** How the last worker ended, if one did. */
  get lastExit(): HostStateReport["exit"] {
    return this.#report.exit;
  }

  /** Whether the agent's control socket is open. */
  get connected(): boolean {
    return this.#session !== undefined;
  }

  /** The agent process's pid (on its machine), while connected. */
  get agentPid(): number | undefined {
    return this.#session?.agentPid;
  }

  /** Called on every state report (state, pid, boot id or exit changed); returns an unsubscribe function. */
  onChange(listener: (host: AgentHost) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** @internal The registry binds a verified agent connection (replacing any older one). */
  attach(session: AgentSession, nodeIds: readonly string[]): void {
    if (this.#session && this.#session.channel !== session.channel) this.detach("replaced by a newer connection of this host's agent");
    this.#session = session;
    this.#nodeIds = [...nodeIds];
  }

  /** @internal The registry unbinds the connection: operations in flight fail. */
  detach(reason: string): void {
    if (!this.#session) return;
    this.#session = undefined;
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(new AgentNotConnectedError({ hostId: this.hostId, reason }));
    }
  }

  /** @internal A frame from the agent (after its hello): an ack or a state report. */
  receive(frame: { type: "ack"; id: number; error: string | null; responsive?: boolean } | HostStateReport): void {
    if (frame.type === "ack") {
      const pending = this.#pending.get(frame.id);
      if (!pending) return;
      this.#pending.delete(frame.id);
      clearTimeout(pending.timer);
      pending.resolve(frame);
      return;
    }
    if (frame.bootId && frame.bootId !== this.#bootId) {
      if (this.#bootId !== undefined) this.#restarts++;
      this.#bootId = frame.bootId;
    }
    this.#report = frame;
    this.#logger?.debug({ state: frame.state, pid: frame.pid, bootId: frame.bootId, exit: frame.exit }, "host state");
    for (const listener of this.#listeners) listener(this);
  }

  /** Signs `op`, sends it, and waits for the ack; an ack with an error rejects. */
  async #call(op: ControlOp, timeoutMs = this.#commandTimeoutMs): Promise<Ack> {
    const session = this.#session;
    if (!session) throw new AgentNotConnectedError({ hostId: this.hostId, reason: "no control socket" });
    const id = this.#nextId++;
    const ack = await new Promise<Ack>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new AgentCommandTimeoutError({ hostId: this.hostId, op: op.op, timeoutMs }));
      }, timeoutMs);
      this.#pending.set(id, { op: op.op, resolve, reject, timer });
      try {
        session.channel.send({ type: "control", message: this.#signer.sign(this.hostId, session.session, id, op) });
      } catch (cause) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(new AgentNotConnectedError({ hostId: this.hostId, reason: `send failed: ${cause instanceof Error ? cause.message : String(cause)}` }));
      }
    });
    if (ack.error !== null) throw new AgentCommandError({ hostId: this.hostId, op: op.op, reason: ack.error });
    return ack;
  }

  /** A worker command, with the worker's own ack deadline inside the agent's. */
  async #command(command: HostCommand): Promise<void> {
    await this.#call({ op: "command", command, timeoutMs: this.#commandTimeoutMs }, this.#commandTimeoutMs + 2000);
  }

  async start(): Promise<void> {
    await this.#call({ op: "start", timeoutMs: this.#startTimeoutMs }, this.#startTimeoutMs + 5000);
  }

  async kill(): Promise<void> {
    await this.#call({ op: "kill" });
  }

  async pause(): Promise<void> {
    await this.#call({ op: "pause" });
  }

  async resume(): Promise<void> {
    await this.#call({ op: "resume" });
  }

  async restart(): Promise<void> {
    await this.#call({ op: "restart", timeoutMs: this.#startTimeoutMs }, this.#startTimeoutMs + 5000);
  }

  async isResponsive(timeoutMs = 1000): Promise<boolean> {
    if (!this.#session) return false;
    try {
      return (await this.#call({ op: "ping", timeoutMs }, timeoutMs + this.#commandTimeoutMs)).responsive === true;
    } catch {
      return false;
    }
  }

  async setClockOffset(offsetMs: number): Promise<void> {
    await this.#command({ type: "clock", offsetMs });
  }

  async setAttack(nodeId: string, spec: AttackSpec | null): Promise<void> {
    await this.#command({ type: "attack", nodeId, spec });
  }

  async stress(workers: number, load: number): Promise<void> {
    await this.#command({ type: "stress", workers, load });
  }

  async unstress(): Promise<void> {
    await this.#command({ type: "unstress" });
  }

  async stop(): Promise<void> {
    await this.#call({ op: "stop" }, this.#commandTimeoutMs + 5000);
  }
}
