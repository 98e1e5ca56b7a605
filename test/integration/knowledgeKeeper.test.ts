/**
 * The knowledge pipeline end to end on a local chain: records queued → published to
 * IPFS → one epoch, one routine proposal → no votes needed → queue → execute → the
 * epoch's root on chain, every record ratified and provable against it; the keeper
 * killed with SIGKILL between storing the epoch and proposing it (and after proposing,
 * and after queueing) proposes the epoch exactly once and loses nothing; with the chain
 * or IPFS down, records stay pending and go through once the service is back.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createChainClient } from "../../coordinator/chain/createChainClient.ts";
import { ChainUnavailableError } from "../../coordinator/errors/chain.ts";
import { IpfsUnavailableError } from "../../coordinator/errors/ipfs.ts";
import { heliaContentStore } from "../../coordinator/ipfs/heliaContentStore.ts";
import { kuboContentStore } from "../../coordinator/ipfs/kuboContentStore.ts";
import { recordLeaf, recordLeafStruct } from "../../coordinator/knowledge/epochTree.ts";
import { getEpochPage } from "../../coordinator/knowledge/epochsView.ts";
import { KnowledgeIndexer } from "../../coordinator/knowledge/knowledgeIndexer.ts";
import { readEpochManifest } from "../../coordinator/knowledge/readEpochManifest.ts";
import { ProposalKeeper } from "../../coordinator/knowledge/proposalKeeper.ts";
import { submitKnowledgeRecord } from "../../coordinator/knowledge/submitKnowledgeRecord.ts";
import { createLogger } from "../../coordinator/logger.ts";
import { ChainIndexRepository } from "../../coordinator/store/chainIndexRepository.ts";
import { KnowledgeRepository } from "../../coordinator/store/knowledgeRepository.ts";
import { openDatabase } from "../../coordinator/store/openDatabase.ts";
import type { JsonRpcServer } from "../fixtures/jsonRpcServer.ts";
import { chaosReport, incident, snapshot } from "../fixtures/knowledgeRecords.ts";
import { startKuboRpcServer } from "../fixtures/kuboRpcServer.ts";
import { networkHelpers, serveSynod, type Synod } from "../fixtures/synod.ts";

const root = path.resolve(import.meta.dirname, "../..");
const logger = createLogger({ level: "silent" });

let synod: Synod;
let rpc: JsonRpcServer;
let env: Record<string, string>;

/** Runs one keeper pass in a child process; resolves with its exit signal and report. */
function keeperProcess(dataDir: string, crashAt?: string, { close = false } = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "test/fixtures/keeperProcess.ts")], {
    cwd: root,
    env: { ...process.env, ...env, RPC_URL: rpc.url, SYNOD_DATA_DIR: dataDir, ...(crashAt ? { SYNOD_TEST_CRASH_AT: crashAt } : {}), ...(close ? { SYNOD_TEST_CLOSE_EPOCH: "1" } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ signal: NodeJS.Signals | null; code: number | null; report?: Record<string, unknown>; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) =>
      resolve({ code, signal, stderr, ...(stdout.trim() ? { report: JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown> } : {}) }),
    ),
  );
}

describe("knowledge keeper (integration)", () => {
  before(async () => {
    ({ synod, rpc, env } = await serveSynod());
  });

  after(async () => {
    await rpc.close();
  });

  it("ratifies an epoch through one proposal, surviving kill -9 between storing the epoch and proposing it, after proposing and after queueing", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-keeper-"));
    try {
      const db = openDatabase(dataDir);
      const outbox = new KnowledgeRepository(db);
      const cids: string[] = [];
      for (const record of [incident(), snapshot(), chaosReport()]) {
        const { record: stored, created } = await submitKnowledgeRecord({ outbox, record });
        assert.equal(created, true);
        cids.push(stored.cid);
      }
      assert.equal((await submitKnowledgeRecord({ outbox, record: incident() })).created, false, "same content is queued once");
      const proposalsBefore = await synod.governor.read.proposalCount();

      // 1. killed right after the epoch was stored, before its manifest was published and it was proposed
      const crashed = await keeperProcess(dataDir, "epoch-stored", { close: true });
      assert.equal(crashed.signal, "SIGKILL", crashed.stderr);
      assert.equal(await synod.governor.read.proposalCount(), proposalsBefore, "not proposed yet");
      const [epoch] = outbox.listEpochs();
      assert.equal(epoch?.status, "proposing", "the epoch was stored before anything was sent");
      for (const cid of cids) assert.equal(outbox.getRecordByCid(cid)?.epoch, epoch.epoch, "every record is in the stored epoch");

      // 2. restarted and asked to close an epoch again: it proposes the stored epoch (killed right after sending), and no other
      const proposing = await keeperProcess(dataDir, "proposal-sent", { close: true });
      assert.equal(proposing.signal, "SIGKILL", proposing.stderr);
      assert.equal(await synod.governor.read.proposalCount(), proposalsBefore + 1n);

      // 3. restarted: finds the proposal on chain instead of proposing again
      const resumed = await keeperProcess(dataDir, undefined, { close: true });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(resumed.report?.closed, null, "nothing pending: no second epoch");
      assert.equal(await synod.governor.read.proposalCount(), proposalsBefore + 1n, "no duplicate proposal");
      assert.equal(outbox.listEpochs().length, 1);
      assert.equal(outbox.getEpoch(epoch.epoch)?.status, "proposed");
      const [targets] = await synod.governor.read.proposalDetails([epoch.proposalId]);
      assert.equal(targets.length, 2, "recordEpoch and the chaos report (a headline)");
      assert.equal(await synod.governor.read.proposalType([epoch.proposalId]), 1, "routine");
      assert.match(epoch.description, /\| Incident \| 1 \|/);
      assert.ok(!epoch.description.includes(cids[0]!), "the description counts records; it does not list every CID");

      // 4. routine: nobody votes; the keeper queues and is killed right after sending the queue transaction
      await networkHelpers.time.increaseTo((await synod.governor.read.proposalDeadline([epoch.proposalId])) + 1n);
      assert.equal((await keeperProcess(dataDir, "queue-sent")).signal, "SIGKILL");
      assert.equal(await synod.governor.read.state([epoch.proposalId]), 5, "queued on chain");

      // 5. restarted while the timelock runs: nothing to do yet; then it executes
      assert.equal((await keeperProcess(dataDir)).code, 0);
      assert.equal(outbox.getEpoch(epoch.epoch)?.status, "queued");
      await networkHelpers.time.increaseTo((await synod.governor.read.proposalEta([epoch.proposalId])) + 1n);
      const done = await keeperProcess(dataDir);
      assert.equal(done.code, 0, done.stderr);
      assert.deepEqual((done.report?.ratifiedEpochs as Array<{ epoch: number }>).map((e) => e.epoch), [epoch.epoch]);

      // every record ratified, and provable on chain against the epoch's root
      const ratified = outbox.getEpoch(epoch.epoch)!;
      assert.equal(ratified.status, "ratified");
      assert.equal(await synod.registry.read.epochRoot([BigInt(epoch.epoch)]), ratified.root);
      const page = getEpochPage(outbox, epoch.epoch);
      assert.deepEqual(page.records.map((r) => r.cid).sort(), [...cids].sort());
      for (const record of page.records) {
        assert.equal(outbox.getRecordByCid(record.cid)?.status, "ratified");
        const leaf = recordLeafStruct(recordLeaf(epoch.epoch, { ...record, kind: outbox.getRecordByCid(record.cid)!.kind }));
        assert.equal(await synod.registry.read.verifyRecord([leaf, record.proof]), true);
      }
      assert.equal(outbox.audit().length, 0, "nothing lost");
      assert.equal(await synod.governor.read.proposalCount(), proposalsBefore + 1n);
      const content = await heliaContentStore({ dataDir: path.join(dataDir, "ipfs") });
      try {
        const stored = (await content.getJson(cids[0]!)) as { kind: string };
        assert.equal(stored.kind, "Incident");
        const manifest = await readEpochManifest(content, ratified.manifestCid, { expected: { epoch: epoch.epoch, root: ratified.root } });
        assert.equal(manifest.records.length, 3);
      } finally {
        await content.close();
      }
      db.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("keeps records pending while the chain or IPFS is down, and proposes them once both are back", async () => {
    const db = openDatabase(":memory:");
    const outbox = new KnowledgeRepository(db);
    const index = new ChainIndexRepository(db);
    const chain = await createChainClient({ rpcUrl: rpc.url, root, env, retryCount: 0 });
    const indexer = new KnowledgeIndexer({ chain, index, outbox, logger });
    const kubo = await startKuboRpcServer();
    const port = kubo.port;
    await kubo.close(); // IPFS down: nothing listens on the port
    // a clock past the epoch's end: the keeper closes the epoch as soon as it can
    const keeper = new ProposalKeeper({ chain, outbox, index, indexer, content: kuboContentStore({ url: `http://127.0.0.1:${port}`, timeoutMs: 2_000 }), logger, now: () => Date.now() + 3_600_000 });
    const { record } = await submitKnowledgeRecord({ outbox, record: { ...snapshot(), round: 77 } });

    const ipfsDown = await keeper.tick();
    assert.ok(ipfsDown.errors.some((e) => e instanceof IpfsUnavailableError), String(ipfsDown.errors));
    assert.equal(outbox.getRecord(record.localId)?.status, "unpublished");

    const kuboBack = await startKuboRpcServer({ port });
    try {
      await rpc.stop(); // chain down
      const chainDown = await keeper.tick();
      assert.equal(chainDown.published, 1, "published while the chain is down");
      assert.ok(chainDown.errors.some((e) => e instanceof ChainUnavailableError), String(chainDown.errors));
      assert.equal(outbox.getRecord(record.localId)?.status, "pending");
      assert.equal(outbox.listEpochs().length, 0, "no epoch closed without a chain");

      await rpc.start();
      const before = await synod.governor.read.proposalCount();
      const back = await keeper.tick();
      assert.deepEqual(back.errors, []);
      assert.equal(back.proposed.length, 1);
      assert.equal(await synod.governor.read.proposalCount(), before + 1n);
      assert.equal(outbox.getRecord(record.localId)?.status, "proposed");
      assert.ok(kuboBack.pins().includes(record.cid), "the content is pinned");
    } finally {
      await rpc.start().catch(() => undefined);
      await kuboBack.close();
      db.close();
    }
  });
});
