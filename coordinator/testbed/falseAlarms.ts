/**
 * False alarms of the failure detector, measured against a real mesh (issue 15): the
 * mesh runs with NO fault under a condition that slows the observer or every link at
 * once, and whatever MAPE-K opens meanwhile is a false incident. At the end of the
 * condition, while it still holds, one node-host process is SIGKILLed for real, and
 * the time MAPE-K takes to notice it (MTTD) and heal it (MTTR) is measured too: a
 * detector that keeps quiet by waiting longer would pass the first half and fail this.
 *
 * `npm run bench:false-alarms` and test/integration/chaos/falseAlarms.test.ts both
 * run {@link measureFalseAlarms} on {@link createFalseAlarmTestbed}: same mesh, same
 * counting, different durations.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { MeshNotQuietError } from "../errors/chaos.ts";
import { networkDelay, NetworkDelaySpecSchema } from "../chaos/faults/networkDelay.ts";
import { loadMnist } from "../fl/datasets/mnist.ts";
import { createStrategy } from "../fl/strategies/createStrategy.ts";
import { KNOWLEDGE_KINDS } from "../knowledge/schemas/index.ts";
import type { Logger } from "../logger.ts";
import type { AnomalyModel } from "../mapek/anomalyModel.ts";
import type { KnowledgeRepository } from "../store/knowledgeRepository.ts";
import { createChaosTestbed, type ChaosTestbed } from "./createChaosTestbed.ts";

/** The conditions of issue 15, none of them a fault of any node. */
export const FALSE_ALARM_CONDITIONS = ["cpu-hogs", "loop-blocked", "link-delay"] as const;
export type FalseAlarmConditionName = (typeof FALSE_ALARM_CONDITIONS)[number];

/** Issue 15's targets. */
export const FALSE_ALARM_TARGETS = { falseIncidents: 0, falseRecords: 0, crashMttdMs: 1500 } as const;

/** How long and how hard each condition is. */
export type FalseAlarmSettings = {
  /** `cpu-hogs`: CPU-bound child processes (`node -e "for(;;){}"`), and for how long, ms. */
  hogs: number;
  hogMs: number;
  /** `loop-blocked`: synchronous blocks of this process's event loop (the coordinator's), their length, and the free time before each and after the last, ms. */
  blocks: number;
  blockMs: number;
  gapMs: number;
  /** `link-delay`: latency added on every host's link, each direction (the `network-delay` fault's `latencyMs`), and for how long, ms. */
  delayMs: number;
  delayHoldMs: number;
  /**
   * Lift the condition as soon as the crash is detected rather than once it healed:
   * MTTR is then the healing without the condition (the tests' time budget), not under it.
   */
  liftOnDetection: boolean;
};

/** Issue 15's bench: 60 s of three hogs, three 2 s blocks 5 s apart, 300 ms on every link for 60 s. */
export const BENCH_FALSE_ALARM_SETTINGS: FalseAlarmSettings = { hogs: 3, hogMs: 60_000, blocks: 3, blockMs: 2000, gapMs: 5000, delayMs: 300, delayHoldMs: 60_000, liftOnDetection: false };

/** One detection MAPE-K published (`mesh.incident`, phase `detected`), with the nodes that count. */
export type FalseIncidentGroup = { groupId: string; fault: string; nodes: string[]; atMs: number };

/** What one condition produced. */
export type FalseAlarmResult = {
  condition: FalseAlarmConditionName;
  /** Condition start → crash → mesh settled again, ms. */
  windowMs: number;
  /** Incidents MAPE-K opened on nodes that had not failed (every one before the kill; after it, those on other hosts). */
  falseIncidents: {
    total: number;
    byNode: Record<string, number>;
    /** Per incident group (what the dApp and governance see), `atMs` after the condition started. */
    groups: FalseIncidentGroup[];
    /** Incident records written to the outbox for them (blips healed within `mapek.minIncidentMs` are not written). */
    records: { cid: string; fault: string; affectedNodes: string[] }[];
  };
  crash: {
    hostId: string;
    nodes: string[];
    /** Crashed nodes already under an open incident when the host was killed (a false one): MAPE-K cannot detect them again. */
    alreadySuspected: string[];
    detected: boolean;
    /** Kill → first MAPE-K detection of any of its nodes, ms. */
    mttdMs: number | null;
    /** Kill → the last of its nodes detected, ms. */
    allDetectedMs: number | null;
    healed: boolean;
    /** Kill → the last of its nodes healed, ms. */
    mttrMs: number | null;
    /** The host runs again in a new process. */
    restarted: boolean;
    /** Its Incident record, unless it healed within `mapek.minIncidentMs` (then it is a blip). */
    recordCid: string | null;
  };
  /** Open incidents and incident groups all gone after the crash healed. */
  settled: boolean;
  targets: { zeroFalseIncidents: boolean; zeroFalseRecords: boolean; crashDetectedWithin1500Ms: boolean; crashHealed: boolean };
};

/** Options of {@link createFalseAlarmTestbed}. */
export type CreateFalseAlarmTestbedParameters = {
  /** Where MAPE-K writes its Incident records. */
  outbox: KnowledgeRepository;
  /** The anomaly model, as `npm start` runs it (default); `null`: rules alone. */
  anomalyModel?: Promise<AnomalyModel> | null;
  logger?: Logger;
};

/**
 * The mesh of the host-crash test: 20 nodes in two node-host processes of 10, 250 ms
 * heartbeats and MAPE-K ticks (as `npm start`), FL rounds running, the deployment's
 * MeshPolicy. Started: rounds and the loop run.
 */
export async function createFalseAlarmTestbed(parameters: CreateFalseAlarmTestbedParameters): Promise<ChaosTestbed> {
  const bed = await createChaosTestbed({
    dataset: loadMnist(),
    numNodes: 20,
    nodesPerHost: 10,
    maxExamples: 2000,
    strategy: createStrategy({ name: "fedmedian" }),
    roundConfig: { minFitClients: 3, minAvailableClients: 3, learningRate: 0.3, batchSize: 16, roundTimeoutMs: 2000, fractionFit: 0.3 },
    seed: 5,
    heartbeatMs: 250,
    mapekIntervalMs: 250,
    roundGapMs: 100,
    outbox: parameters.outbox,
    ...(parameters.anomalyModel !== undefined ? { anomalyModel: parameters.anomalyModel } : {}),
    ...(parameters.logger ? { logger: parameters.logger } : {}),
  });
  try {
    await bed.runRounds(2);
  } catch (error) {
    await bed.close();
    throw error;
  }
  bed.start();
  return bed;
}

/** A condition in effect; `lift` ends it (idempotent). */
type ActiveCondition = { lift(): Promise<void> };

/** How long the mesh must stay quiet before a condition starts: beyond the monitor's 2 s heartbeat window. */
const CALM_MS = 3000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `done` every `pollMs` until it holds or `timeoutMs` passes; whether it held. */
async function waitFor(done: () => boolean, timeoutMs: number, pollMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
  return true;
}

/**
 * Blocks this process's event loop for `ms`: the testbed's coordinator (API, link
 * proxies, monitor, MAPE-K) runs in this process, so nothing of it runs meanwhile, as
 * when a request handler or a GC pause holds the coordinator.
 */
export function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Spinning on purpose: a real synchronous stall.
  }
}

/**
 * Starts `count` CPU-bound processes. They are killed on `lift`, and on this process's
 * exit should the caller never get there.
 */
function startCpuHogs(count: number): ActiveCondition {
  const hogs: ChildProcess[] = Array.from({ length: count }, () => spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" }));
  const killAll = (): void => {
    for (const hog of hogs) if (hog.exitCode === null && hog.signalCode === null) hog.kill("SIGKILL");
  };
  process.once("exit", killAll);
  return {
    async lift() {
      killAll();
      process.removeListener("exit", killAll);
      await Promise.all(hogs.map((hog) => (hog.exitCode !== null || hog.signalCode !== null ? undefined : new Promise((resolve) => hog.once("exit", resolve)))));
    },
  };
}

/**
 * Applies the `network-delay` fault kind's own `apply` to every node's link, without
 * the chaos engine: the engine would tell MAPE-K the nodes are under an experiment,
 * and MAPE-K would then leave their incidents to the experiment (no Incident records),
 * which hides the very records counted here. The delay is a slow network, not a fault.
 */
async function delayEveryLink(bed: ChaosTestbed, delayMs: number): Promise<ActiveCondition> {
  const spec = NetworkDelaySpecSchema.parse({ selector: { mode: "all" }, durationMs: 0, latencyMs: delayMs, jitterMs: 0, direction: "both" });
  const context = { system: bed.deps.system, faultId: "false-alarms-link-delay" };
  const injection = await networkDelay.apply(spec, bed.mesh.nodeIds(), context);
  let lifted = false;
  return {
    async lift() {
      if (lifted) return;
      lifted = true;
      await networkDelay.recover(spec, injection, context);
    },
  };
}

/**
 * Puts the condition in place and returns when it is time for the crash: while hogs
 * and delays still hold; after the last block and a free `gapMs` for blocks (a stall
 * is over when it is over; what counts is the detector right after it).
 */
async function startCondition(bed: ChaosTestbed, condition: FalseAlarmConditionName, settings: FalseAlarmSettings, progress: (line: string) => void): Promise<ActiveCondition> {
  switch (condition) {
    case "cpu-hogs": {
      const hogs = startCpuHogs(settings.hogs);
      progress(`${settings.hogs} CPU hogs for ${settings.hogMs} ms`);
      await sleep(settings.hogMs);
      return hogs;
    }
    case "loop-blocked": {
      for (let i = 1; i <= settings.blocks; i++) {
        await sleep(settings.gapMs);
        progress(`blocking the event loop for ${settings.blockMs} ms (${i}/${settings.blocks})`);
        blockEventLoop(settings.blockMs);
      }
      await sleep(settings.gapMs);
      return { lift: async () => undefined };
    }
    case "link-delay": {
      const delay = await delayEveryLink(bed, settings.delayMs);
      progress(`${settings.delayMs} ms added on every link for ${settings.delayHoldMs} ms`);
      await sleep(settings.delayHoldMs);
      return delay;
    }
  }
}

/** Options of {@link measureFalseAlarms}. */
export type MeasureFalseAlarmsParameters = {
  condition: FalseAlarmConditionName;
  settings: FalseAlarmSettings;
  /** The outbox the testbed's MAPE-K writes to. */
  outbox: KnowledgeRepository;
  /** Which host process to kill at the end (index into `bed.mesh.hosts()`). */
  crashHost: number;
  /** Longest wait for the mesh to be quiet before, and for detection, healing and settling after, ms; default 30 000. */
  timeoutMs?: number;
  /** Progress lines (the bench prints them on stderr). */
  onProgress?: (line: string) => void;
};

/**
 * Runs one condition on a started testbed and counts what MAPE-K made of it.
 *
 * Waits for a quiet mesh (every node connected, no open incident or group, for 3 s), puts the
 * condition in place, SIGKILLs one host at its end, waits until MAPE-K detected and
 * healed its nodes, lifts the condition, waits until every incident group settled (so
 * their Incident records are written), then counts.
 *
 * @param bed - a started testbed ({@link createFalseAlarmTestbed}).
 * @param parameters.condition - which condition.
 * @param parameters.settings - its length and strength.
 * @param parameters.outbox - the testbed's outbox.
 * @param parameters.crashHost - the host process to kill.
 * @returns false incidents (per node, per group, records) and the crash's MTTD and MTTR.
 *
 * @example
 * import { createFalseAlarmTestbed, measureFalseAlarms, BENCH_FALSE_ALARM_SETTINGS } from "./falseAlarms.ts";
 * const bed = await createFalseAlarmTestbed({ outbox });
 * const result = await measureFalseAlarms(bed, { condition: "loop-blocked", settings: BENCH_FALSE_ALARM_SETTINGS, outbox, crashHost: 0 });
 * result.falseIncidents.total; // 0 is the target
 */
export async function measureFalseAlarms(bed: ChaosTestbed, parameters: MeasureFalseAlarmsParameters): Promise<FalseAlarmResult> {
  const { condition, settings, outbox } = parameters;
  const timeoutMs = parameters.timeoutMs ?? 30_000;
  const progress = (line: string) => parameters.onProgress?.(`[${condition}] ${line}`);
  const mapek = bed.mapek;
  const incidentRecords = () => outbox.listRecords({ kind: KNOWLEDGE_KINDS.Incident, limit: 1_000_000 });
  const quiet = () => bed.mesh.nodeIds().every((id) => bed.mesh.isReady(id)) && mapek.openIncidents().length === 0 && mapek.incidentGroups().length === 0;

  // Quiet for a while, not just at one poll: the aftermath of what ran before (a restarted
  // host's nodes, whose telemetry windows still hold the restart) is not this condition's.
  let quietSince: number | null = null;
  const calm = () => {
    if (!quiet()) quietSince = null;
    else quietSince ??= Date.now();
    return quietSince !== null && Date.now() - quietSince >= CALM_MS;
  };
  if (!(await waitFor(calm, timeoutMs + CALM_MS, 100))) {
    throw new MeshNotQuietError({ condition, open: mapek.openIncidents().map((i) => `${i.nodeId}:${i.condition}`), groups: mapek.incidentGroups().map((g) => g.groupId) });
  }
  const recordsBefore = new Set(incidentRecords().map((r) => r.cid));
  const startedAt = Date.now();
  const detections: { at: number; groupId: string; fault: string; nodes: string[] }[] = [];
  const healings: { at: number; nodes: string[] }[] = [];
  const unsubscribe = bed.events.subscribe(
    (event) => {
      if (event.type !== "mesh.incident") return;
      const { phase, incidentId, fault, nodes } = event.data;
      if (phase === "detected") detections.push({ at: Date.now(), groupId: incidentId, fault, nodes: [...nodes] });
      if (phase === "healed") healings.push({ at: Date.now(), nodes: [...nodes] });
    },
    { types: ["mesh.incident"] },
  );

  let active: ActiveCondition | undefined;
  let killedAt = Number.POSITIVE_INFINITY;
  let crashed: string[] = [];
  let hostId = "";
  let alreadySuspected: string[] = [];
  let restarted = false;
  let settled = false;
  try {
    active = await startCondition(bed, condition, settings, progress);

    const host = bed.mesh.hosts()[parameters.crashHost % bed.mesh.hosts().length]!;
    hostId = host.hostId;
    crashed = [...host.nodeIds].sort();
    const pid = host.pid;
    if (pid === undefined) throw new Error(`host ${hostId} has no process to kill`);
    alreadySuspected = mapek.openIncidents().filter((i) => crashed.includes(i.nodeId)).map((i) => i.nodeId).sort();
    progress(`SIGKILL host ${hostId} (pid ${pid}, ${crashed.length} nodes)`);
    killedAt = Date.now();
    process.kill(pid, "SIGKILL");

    const detectedNodes = () => new Set(detections.filter((d) => d.at >= killedAt).flatMap((d) => d.nodes.filter((n) => crashed.includes(n))));
    const healedNodes = () => new Set(healings.filter((h) => h.at >= killedAt).flatMap((h) => h.nodes.filter((n) => crashed.includes(n))));
    await waitFor(() => detectedNodes().size > 0, timeoutMs);
    if (settings.liftOnDetection) await active.lift();
    await waitFor(() => crashed.every((n) => healedNodes().has(n)) || detectedNodes().size === 0, timeoutMs, 50);
    restarted = host.pid !== undefined && host.pid !== pid;
    progress(`crash detected: ${detectedNodes().size}/${crashed.length} nodes, healed: ${healedNodes().size}/${crashed.length}`);
    await active.lift();
    // Every group settled (and recorded: records are written at the end of the tick that settles them).
    settled = await waitFor(() => mapek.openIncidents().length === 0 && mapek.incidentGroups().length === 0, timeoutMs, 50);
    const epoch = mapek.lastTick?.epoch ?? 0;
    await waitFor(() => (mapek.lastTick?.epoch ?? 0) >= epoch + 2, timeoutMs, 50);
  } finally {
    await active?.lift();
    unsubscribe();
  }
  const endedAt = Date.now();

  const isCrash = (node: string, at: number) => crashed.includes(node) && at >= killedAt;
  const groups: FalseIncidentGroup[] = [];
  const byNode: Record<string, number> = {};
  for (const d of detections) {
    const nodes = d.nodes.filter((n) => !isCrash(n, d.at)).sort();
    if (nodes.length === 0) continue;
    groups.push({ groupId: d.groupId, fault: d.fault, nodes, atMs: d.at - startedAt });
    for (const n of nodes) byNode[n] = (byNode[n] ?? 0) + 1;
  }
  const fresh = incidentRecords()
    .filter((r) => !recordsBefore.has(r.cid))
    .map((r) => ({ cid: r.cid, ...(JSON.parse(r.content) as { fault: { kind: string }; affectedNodes: string[]; detectedAt: string }) }));
  const isCrashRecord = (r: (typeof fresh)[number]) => r.affectedNodes.every((n) => crashed.includes(n)) && Date.parse(r.detectedAt) >= killedAt;
  const crashDetections = detections.filter((d) => d.at >= killedAt && d.nodes.some((n) => crashed.includes(n)));
  const firstSeen = new Map<string, number>();
  for (const d of crashDetections) for (const n of d.nodes) if (crashed.includes(n) && !firstSeen.has(n)) firstSeen.set(n, d.at);
  const lastHealed = new Map<string, number>();
  for (const h of healings) for (const n of h.nodes) if (crashed.includes(n) && h.at >= (firstSeen.get(n) ?? Number.POSITIVE_INFINITY)) lastHealed.set(n, h.at);

  const mttdMs = crashDetections.length ? crashDetections[0]!.at - killedAt : null;
  const allDetected = firstSeen.size === crashed.length;
  const healed = crashed.length > 0 && crashed.every((n) => lastHealed.has(n));
  const total = Object.values(byNode).reduce((a, b) => a + b, 0);
  const records = fresh.filter((r) => !isCrashRecord(r)).map((r) => ({ cid: r.cid, fault: r.fault.kind, affectedNodes: r.affectedNodes }));
  return {
    condition,
    windowMs: endedAt - startedAt,
    falseIncidents: { total, byNode, groups, records },
    crash: {
      hostId,
      nodes: crashed,
      alreadySuspected,
      detected: mttdMs !== null,
      mttdMs,
      allDetectedMs: allDetected ? Math.max(...firstSeen.values()) - killedAt : null,
      healed,
      mttrMs: healed ? Math.max(...lastHealed.values()) - killedAt : null,
      restarted,
      recordCid: fresh.find(isCrashRecord)?.cid ?? null,
    },
    settled,
    targets: {
      zeroFalseIncidents: total === FALSE_ALARM_TARGETS.falseIncidents,
      zeroFalseRecords: records.length === FALSE_ALARM_TARGETS.falseRecords,
      crashDetectedWithin1500Ms: mttdMs !== null && mttdMs <= FALSE_ALARM_TARGETS.crashMttdMs,
      crashHealed: healed,
    },
  };
}
