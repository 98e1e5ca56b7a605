/**
 * Chaos schedules (Chaos Mesh `Schedule`): a scheduled experiment starts runs on its own
 * through the real ExperimentRunner and ChaosEngine, over a system double that only
 * records which nodes are Byzantine (no node-host processes). Concurrency policy
 * Forbid: with an interval shorter than a run, runs never overlap and the firings in
 * between are skipped and counted. The history limit keeps only the newest scheduled
 * runs; manual runs stay. Schedules in YAML are validated, listed with their next run
 * in the API and `synod chaos ls`.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { chaosRoutes } from "../../../coordinator/api/chaos.ts";
import { ChaosEngine } from "../../../coordinator/chaos/chaosEngine.ts";
import { ExperimentRunner } from "../../../coordinator/chaos/experiment/experimentRunner.ts";
import { ExperimentScheduler, type ExperimentScheduleStatus } from "../../../coordinator/chaos/experiment/experimentScheduler.ts";
import { parseExperiment } from "../../../coordinator/chaos/experiment/loadExperiment.ts";
import type { ChaosSystem } from "../../../coordinator/chaos/system.ts";
import { main } from "../../../coordinator/cli/main.ts";
import { InvalidExperimentError } from "../../../coordinator/errors/chaos.ts";
import { createEventBus, type SynodEvent } from "../../../coordinator/events.ts";
import type { AttackSpec } from "../../../coordinator/fl/attacks/createAttack.ts";
import type { RoundRecord } from "../../../coordinator/fl/roundRunner.ts";
import { openDatabase, type Database } from "../../../coordinator/store/openDatabase.ts";
import { buildTestApp, TEST_ADMIN_TOKEN } from "../api/helper.ts";

/** One node turns Byzantine for `durationMs`, then honest again: a run lasts a little longer than that. */
const experimentYaml = (name: string, durationMs: number, schedule = "") => `version: 1
name: ${name}
title: One node sends sign-flipped updates for a while
steady-state-hypothesis:
  title: Rounds complete
  probes:
    - { type: round-completion, name: rounds-complete, window: 1, tolerance: { minCompletedRatio: 1 } }
method:
  - type: fault
    name: flip-one
    kind: byzantine
    spec: { selector: { mode: one }, attack: { kind: sign-flip }, durationMs: ${durationMs} }
${schedule}`;

const ROUND: RoundRecord = {
  round: 1, status: "completed", reason: null, modelVersion: 1, startedAt: new Date().toISOString(), durationMs: 100, sampled: [], accepted: [], rejected: [],
  rejectionCounts: {}, failures: [], flagged: [], trainMetrics: null, evaluation: null, privacy: null, strategyInfo: {}, timingsMs: { fit: 0, validate: 0, aggregate: 0, evaluate: 0 },
};

/** Three nodes that are always up; Byzantine faults are the only ones it can carry. Keeps the most nodes ever attacked at once. */
function attackRecordingSystem(): ChaosSystem & { mostAttackedAtOnce: number; attacks: number } {
  const attacked = new Set<string>();
  return {
    mostAttackedAtOnce: 0,
    attacks: 0,
    nodeIds: () => ["node-1", "node-2", "node-3"],
    isReady: () => true,
    host: () => undefined,
    link: () => undefined,
    async setAttack(nodeId: string, spec: AttackSpec | null) {
      if (spec) {
        attacked.add(nodeId);
        this.attacks += 1;
      } else attacked.delete(nodeId);
      this.mostAttackedAtOnce = Math.max(this.mostAttackedAtOnce, attacked.size);
    },
    apiUrl: () => "http://127.0.0.1:9",
  };
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe("chaos schedules", () => {
  let dir: string;
  let db: Database;
  let system: ReturnType<typeof attackRecordingSystem>;
  let runner: ExperimentRunner;
  const events = createEventBus();

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "synod-chaos-schedules-"));
    // 400 ms of fault per run; the schedules below fire every 150 ms.
    await writeFile(path.join(dir, "flip.yaml"), experimentYaml("flip", 400));
    await writeFile(path.join(dir, "flip-pruned.yaml"), experimentYaml("flip-pruned", 50));
    await writeFile(path.join(dir, "flip-long.yaml"), experimentYaml("flip-long", 60_000));
    db = openDatabase(":memory:");
    system = attackRecordingSystem();
    const engine = new ChaosEngine({ system, events });
    runner = new ExperimentRunner({ db, deps: { engine, system, rounds: () => [ROUND], events }, experimentsDir: dir });
  });
  after(async () => {
    await runner.close();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("runs a scheduled experiment again and again, never overlapping itself: firings during a run are skipped and counted (Forbid)", async () => {
    const skippedEvents: Array<SynodEvent<"chaos.schedule.skipped">> = [];
    const unsubscribe = events.subscribe((e) => skippedEvents.push(e as SynodEvent<"chaos.schedule.skipped">), { types: ["chaos.schedule.skipped"] });
    const scheduler = new ExperimentScheduler({ runner, events, minIntervalMs: 100 });
    const attacksBefore = system.attacks;

    scheduler.add({ experiment: "flip", schedule: { everyMs: 150, historyLimit: 10 } });
    const finishedScheduled = () => runner.runs({ experiment: "flip", trigger: "schedule" }).filter((r) => r.status !== "running");
    await until("two scheduled runs to finish", () => finishedScheduled().length >= 2);
    await scheduler.stop();
    await runner.whenIdle();
    unsubscribe();

    const [status] = scheduler.schedules();
    const runs = runner.runs({ experiment: "flip" }).sort((a, b) => a.startedAt - b.startedAt);
    assert.ok(runs.length >= 2, `${runs.length} runs`);
    assert.equal(status?.started, runs.length, "every started run is in the store");
    for (const run of runs) {
      assert.equal(run.trigger, "schedule");
      assert.equal(run.status, "completed", `run #${run.runId}: ${run.status}`);
      assert.ok(run.endedAt !== null && run.endedAt - run.startedAt >= 400, `run #${run.runId} lasted ${run.endedAt! - run.startedAt} ms`);
    }
    for (let i = 1; i < runs.length; i++) {
      const previous = runs[i - 1]!;
      assert.ok(runs[i]!.startedAt >= previous.endedAt!, `run #${runs[i]!.runId} started at ${runs[i]!.startedAt}, before #${previous.runId} ended at ${previous.endedAt}`);
    }
    assert.equal(system.mostAttackedAtOnce, 1, "one run's fault at a time");
    assert.equal(system.attacks - attacksBefore, runs.length);
    // A 400 ms run spans at least two 150 ms firings, each skipped.
    assert.ok(status!.skipped >= runs.length - 1 && status!.skipped >= 2, `${status!.skipped} skipped for ${runs.length} runs`);
    assert.equal(status!.fired, status!.started + status!.skipped, "each firing started a run or was skipped");
    assert.equal(status!.lastError, null);
    assert.equal(status!.lastSkip?.reason, "overlap");
    assert.equal(skippedEvents.length, status!.skipped);
    // Without a run id when the run was still starting (the runner reads the experiments folder first).
    assert.ok(skippedEvents.every((e) => e.data.experiment === "flip" && e.data.reason === "overlap" && (e.data.runningRunId === undefined || runs.some((r) => r.runId === e.data.runningRunId))));
    assert.equal(status!.nextRunAt, null, "stopped");
    assert.deepEqual(status!.lastRun && { runId: status!.lastRun.runId, verdict: status!.lastRun.verdict }, { runId: runs.at(-1)!.runId, verdict: "completed" });
  });

  it("skips firings while another experiment runs, leaving the runner's one-at-a-time rule as it is", async () => {
    const scheduler = new ExperimentScheduler({ runner, minIntervalMs: 100 });
    const manual = await runner.start({ name: "flip-long" });
    assert.equal(manual.trigger, "manual");

    scheduler.add({ experiment: "flip-pruned", schedule: { everyMs: 100, historyLimit: 10 } });
    await until("two firings during the manual run", () => (scheduler.schedules()[0]?.skipped ?? 0) >= 2);
    await scheduler.stop();
    assert.equal(runner.status().running?.runId, manual.runId, "the manual run goes on");
    await runner.abort(manual.runId);

    const [status] = scheduler.schedules();
    assert.equal(status!.started, 0);
    assert.deepEqual(status!.lastSkip && { reason: status!.lastSkip.reason, runningRunId: status!.lastSkip.runningRunId }, { reason: "busy", runningRunId: manual.runId });
    assert.deepEqual(runner.runs({ experiment: "flip-pruned" }), []);
  });

  it("keeps only the newest historyLimit finished scheduled runs of the experiment, and every manual run", async () => {
    const manual = await runner.start({ name: "flip-pruned" });
    await runner.whenIdle();
    const otherExperiment = runner.runs({ experiment: "flip" }).map((r) => r.runId);
    const scheduler = new ExperimentScheduler({ runner, minIntervalMs: 100 });

    scheduler.add({ experiment: "flip-pruned", schedule: { everyMs: 100, historyLimit: 2 } });
    const scheduled = () => runner.runs({ experiment: "flip-pruned", trigger: "schedule" });
    const startedIds = new Set<number>();
    await until("four scheduled runs, the fourth finished and pruning done", () => {
      for (const r of scheduled()) startedIds.add(r.runId);
      const kept = scheduled();
      return startedIds.size >= 4 && kept.length === 2 && kept.every((r) => r.status !== "running");
    });
    await scheduler.stop();
    await runner.whenIdle();

    const kept = scheduled().map((r) => r.runId);
    for (const id of kept) startedIds.add(id);
    const deleted = [...startedIds].filter((id) => !kept.includes(id));
    // 3 when a run started just before stop: its pruning is left to the next start.
    assert.ok(kept.length === 2 || kept.length === 3, `${kept.length} scheduled runs kept`);
    assert.ok(deleted.length >= 2, `${deleted.length} deleted of ${startedIds.size}`);
    assert.ok(Math.max(...deleted) < Math.min(...kept), `the oldest were deleted (${deleted}), the newest kept (${kept})`);
    assert.equal(runner.run(manual.runId)?.trigger, "manual", "a manual run of the same experiment is never pruned");
    assert.deepEqual(runner.runs({ experiment: "flip" }).map((r) => r.runId), otherExperiment, "another experiment's scheduled runs are untouched");

    // A coordinator restarted with a lower limit prunes at once.
    const restarted = new ExperimentScheduler({ runner, minIntervalMs: 100 });
    restarted.add({ experiment: "flip-pruned", schedule: { everyMs: 60_000, historyLimit: 1 } });
    await restarted.stop();
    assert.deepEqual(scheduled().map((r) => r.runId), [Math.max(...kept)]);
    assert.equal(runner.run(manual.runId)?.trigger, "manual");
  });

  it("reads schedules from the experiment files, with their next run, in the API and `synod chaos ls`", async (t) => {
    const folder = await mkdtemp(path.join(os.tmpdir(), "synod-chaos-schedules-ls-"));
    t.after(() => rm(folder, { recursive: true, force: true }));
    await writeFile(path.join(folder, "cron.yaml"), experimentYaml("every-five-minutes", 50, 'schedule: { cron: "*/5 * * * *" }\n'));
    await writeFile(path.join(folder, "hourly.yaml"), experimentYaml("hourly", 50, "schedule: { everyMs: 3600000, historyLimit: 3 }\n"));
    await writeFile(path.join(folder, "manual.yaml"), experimentYaml("manual-only", 50));
    const lsDb = openDatabase(":memory:");
    t.after(() => lsDb.close());
    const lsSystem = attackRecordingSystem();
    const lsRunner = new ExperimentRunner({ db: lsDb, deps: { engine: new ChaosEngine({ system: lsSystem }), system: lsSystem, rounds: () => [ROUND] }, experimentsDir: folder });
    const scheduler = new ExperimentScheduler({ runner: lsRunner });
    t.after(() => scheduler.stop());
    const startedAt = Date.now();

    await scheduler.start();

    const { app } = await buildTestApp(t, { app: { routes: [chaosRoutes({ runner: lsRunner, scheduler })] } });
    const response = await app.inject({ method: "GET", url: "/api/chaos/schedules" });
    assert.equal(response.statusCode, 200);
    const { schedules } = response.json<{ schedules: ExperimentScheduleStatus[] }>();
    assert.deepEqual(
      schedules.map((s) => [s.experiment, s.everyMs, s.cron, s.historyLimit, s.concurrencyPolicy, s.lastRun]),
      [
        ["every-five-minutes", null, "*/5 * * * *", 10, "Forbid", null],
        ["hourly", 3_600_000, null, 3, "Forbid", null],
      ],
    );
    const [cron, hourly] = schedules;
    assert.ok(cron!.nextRunAt! > startedAt && cron!.nextRunAt! <= startedAt + 300_000 && new Date(cron!.nextRunAt!).getMinutes() % 5 === 0, new Date(cron!.nextRunAt!).toISOString());
    assert.ok(Math.abs(hourly!.nextRunAt! - (startedAt + 3_600_000)) < 5_000);

    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    let stdout = "";
    const code = await main(["chaos", "ls"], { env: { SYNOD_API_URL: url, SYNOD_ADMIN_TOKEN: TEST_ADMIN_TOKEN }, write: (text) => (stdout += text), error: () => {} });
    assert.equal(code, 0, stdout);
        assert.match(stdout, new RegExp(`^every-five-minutes .*cron \\*/5 \\* \\* \\* \\* \\(keep 10\\)\\s+${new Date(cron!.nextRunAt!).toISOString().replace(/\./g, "\\.")} \\(in .*\\)\\s+none yet`, "m"));
    assert.match(stdout, /^hourly .*every 60 min 0 s \(keep 3\)\s+\S+Z \(in .*\)\s+none yet/m);
    assert.match(stdout, /^manual-only\s+byzantine\s+\S+ \S+\s+—\s+—\s+—/m);

    let json = "";
    await main(["chaos", "ls", "--json"], { env: { SYNOD_API_URL: url }, write: (text) => (json += text), error: () => {} });
    const listed = JSON.parse(json) as Array<{ name: string; scheduled: ExperimentScheduleStatus | null }>;
    assert.deepEqual(listed.map((e) => [e.name, e.scheduled?.nextRunAt ?? null]), [["every-five-minutes", cron!.nextRunAt], ["hourly", hourly!.nextRunAt], ["manual-only", null]]);
  });

  it("`synod chaos ls` still lists a coordinator from before schedules: no schedules route, listings without `schedule`", async (t) => {
    // That coordinator's answers, as it sent them: the interval only, and a 404 for GET /api/chaos/schedules.
    const older = [
      { file: "experiments/hourly.yaml", valid: true, name: "hourly", title: "Hourly", tags: [], faults: ["byzantine"], nominalDurationMs: 50, scheduleEveryMs: 3_600_000 },
      { file: "experiments/manual.yaml", valid: true, name: "manual-only", title: "By hand", tags: [], faults: ["byzantine"], nominalDurationMs: 50, scheduleEveryMs: null },
    ];
    const { app } = await buildTestApp(t, { app: { routes: [async (routes) => void routes.get("/api/chaos/experiments", async () => ({ experiments: older }))] } });
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    let stdout = "";
    let stderr = "";
    const code = await main(["chaos", "ls"], { env: { SYNOD_API_URL: url }, write: (text) => (stdout += text), error: (text) => (stderr += text) });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^hourly .*every 60 min 0 s\s+—\s+—/m);
    assert.match(stdout, /^manual-only\s+byzantine\s+\S+ \S+\s+—\s+—\s+—/m);
  });

  it("refuses intervals under the minimum outside tests, and invalid schedules in YAML with their paths", () => {
    const scheduler = new ExperimentScheduler({ runner });
    assert.throws(() => scheduler.add({ experiment: "flip", schedule: { everyMs: 1_000, historyLimit: 10 } }), (error: unknown) => error instanceof InvalidExperimentError && error.issues[0]?.path === "schedule.everyMs");
    assert.deepEqual(scheduler.schedules(), []);

    const issues = (schedule: string) => {
      try {
        parseExperiment(experimentYaml("bad", 50, schedule));
        return [];
      } catch (error) {
        assert.ok(error instanceof InvalidExperimentError);
        return error.issues.map((i) => i.path);
      }
    };
    assert.deepEqual(issues("schedule: { everyMs: 59999 }\n"), ["schedule.everyMs"]);
    assert.deepEqual(issues('schedule: { everyMs: 60000, cron: "* * * * *" }\n'), ["schedule"]);
    assert.deepEqual(issues("schedule: { historyLimit: 5 }\n"), ["schedule"]);
    assert.deepEqual(issues('schedule: { cron: "61 * * * *" }\n'), ["schedule.cron"]);
    assert.deepEqual(issues('schedule: { cron: "*/10 * * * * *" }\n'), ["schedule.cron"], "seconds are not allowed: at most one firing a minute");
    assert.deepEqual(issues('schedule: { cron: "@hourly", historyLimit: 0 }\n'), ["schedule.historyLimit"]);
    assert.deepEqual(issues('schedule: { cron: "@hourly", every: 5 }\n'), ["schedule"]);
    assert.equal(parseExperiment(experimentYaml("ok", 50, 'schedule: { cron: "@hourly" }\n')).schedule?.historyLimit, 10);
  });
});
