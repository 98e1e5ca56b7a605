/**
 * The anomaly model against a real mesh: node-host processes behind fault-injecting
 * links, a real delay injected on two nodes' links. The FL-trained model reads their
 * telemetry as a degraded link, MAPE-K routes FL around them (a fault its rules have no
 * name for), leaves the other nodes alone, and readmits the two once the links heal.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createChaosTestbed, type ChaosTestbed } from "../../../coordinator/testbed/createChaosTestbed.ts";
import { loadMnist } from "../../../coordinator/fl/datasets/mnist.ts";
import { createStrategy } from "../../../coordinator/fl/strategies/createStrategy.ts";
import { sharedAnomalyModel } from "../../../coordinator/mapek/anomalyModel.ts";

/** The node the delay is aimed at… */
const SELECTED = ["node-002"];
/** …and every node it slows: a link is its host's (2 nodes a host here), one host of four. Half the mesh slowed at once would read as the network's trouble, not a link's. */
const DELAYED = ["node-002", "node-003"];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("MAPE-K anomaly model on a real mesh", () => {
  let bed: ChaosTestbed;
  before(async () => {
    await sharedAnomalyModel();
    bed = await createChaosTestbed({
      dataset: loadMnist(),
      numNodes: 8,
      nodesPerHost: 2,
      maxExamples: 1200,
      strategy: createStrategy({ name: "fedmedian" }),
      roundConfig: { minFitClients: 3, minAvailableClients: 3, learningRate: 0.3, batchSize: 16, roundTimeoutMs: 3000, fractionFit: 0.75 },
      seed: 3,
      heartbeatMs: 250,
      mapekIntervalMs: 250,
      roundGapMs: 100,
    });
    await bed.runRounds(2);
    bed.start();
    // Fill every node's heartbeat window before judging.
    await sleep(3000);
  });
  after(async () => {
    await bed?.close();
  });

  it("reads a delayed link as degraded, routes FL around those nodes only, and readmits them after the heal", async () => {
    assert.ok(bed.mapek.anomalyModel, "the loop has its model");
    const wronglyDegraded = new Set<string>();
    const readAsDegraded = new Set<string>();
    const routedAround = new Set<string>();
    const watch = (): void => {
      const analysis = bed.mapek.lastTick?.analysis;
      if (!analysis) return;
      for (const [nodeId, reading] of analysis.anomalies) if (reading.label === "degraded-link" && reading.streak >= 2 && DELAYED.includes(nodeId)) readAsDegraded.add(nodeId);
      for (const [nodeId, condition] of analysis.conditions) {
        if (condition === "degraded" && !DELAYED.includes(nodeId)) wronglyDegraded.add(nodeId);
        if (DELAYED.includes(nodeId) && bed.mapek.exclusions().get(nodeId) === "route") routedAround.add(nodeId);
      }
    };
    const status = await bed.engine.inject("network-delay", { selector: { mode: "ids", ids: SELECTED }, durationMs: 60_000, latencyMs: 600, jitterMs: 150 }, { seed: 1 });
    assert.deepEqual([...status.affected].sort(), DELAYED);
    for (let waited = 0; waited < 12_000 && (readAsDegraded.size < DELAYED.length || routedAround.size < DELAYED.length); waited += 250) {
      await sleep(250);
      watch();
    }
    const state = JSON.stringify({ anomalies: [...(bed.mapek.lastTick?.analysis.anomalies ?? [])], conditions: [...(bed.mapek.lastTick?.analysis.conditions ?? [])] });
    assert.deepEqual([...readAsDegraded].sort(), DELAYED, `the model read every delayed node as behind a degraded link: ${state}`);
    assert.deepEqual([...routedAround].sort(), DELAYED, `MAPE-K routed FL around them: ${state}`);
    assert.deepEqual([...wronglyDegraded], [], "no healthy node called degraded");

    await bed.engine.recover(status.faultId);
    let back = false;
    for (let waited = 0; waited < 20_000 && !back; waited += 250) {
      await sleep(250);
      watch();
      back = DELAYED.every((id) => !bed.mapek.exclusions().has(id));
    }
    assert.ok(back, `all readmitted after the heal: ${JSON.stringify([...bed.mapek.exclusions()])}`);
    assert.deepEqual([...wronglyDegraded], [], "no healthy node called degraded");
    const incidents = bed.mapek.closedIncidents().filter((i) => DELAYED.includes(i.nodeId));
    assert.ok(incidents.length >= DELAYED.length && incidents.every((i) => i.resolution === "healed"), JSON.stringify(incidents.map((i) => [i.nodeId, i.condition, i.resolution])));
  });
});
