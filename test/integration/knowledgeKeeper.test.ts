/**
 * The knowledge pipeline end to end on a local chain: records queued → published to
 * IPFS → one proposal → votes → queue → execute → ratified in the index and readable
 * on chain; the keeper killed with SIGKILL mid-way never proposes twice and loses
 * nothing; with the chain or IPFS down, records stay pending and go through once the
 * service is back.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { CID } from "multiformats/cid";
import { toHex } from "viem";
import { createChainClient } from "../../coordinator/chain/createChainClient.ts";
import { ChainUnavailableError } from "../../coordinator/errors/chain.ts";
import { IpfsUnavailableError } from "../../coordinator/errors/ipfs.ts";
import { heliaContentStore } from "../../coordinator/ipfs/heliaContentStore.ts";
import { kuboContentStore } from "../../coordinator/ipfs/kuboContentStore.ts";
import { KnowledgeIndexer } from "../../coordinator/knowledge/knowledgeIndexer.ts";
import { ProposalKeeper } from "../../coordinator/knowledge/proposalKeeper.ts";
import { submitKnowledgeRecord } from "../../coordinator/knowledge/submitKnowledgeRecord.ts";
import { createLogger } from "../../coordinator/logger.ts";
import { ChainIndexRepository } from "../../coordinator/store/chainIndexRepository.ts";
import { KnowledgeRepository } from "../../coordinator/store/knowledgeRepository.ts";
import { openDatabase } from "../../coordinator/store/openDatabase.ts";
import type { JsonRpcServer } from "../fixtures/jsonRpcServer.ts";
import { chaosReport, incident, snapshot } from "../fixtures/knowledgeRecords.ts";
import { startKuboRpcServer } from "../fixtures/kuboRpcServer.ts";
import { VoteType, networkHelpers, serveSynod, type Synod } from "../fixtures/synod.ts";

const root = path.resolve(import.meta.dirname, "../..");
const logger = createLogger({ level: "silent" });

let synod: Synod;
let rpc: JsonRpcServer;
let env: Record<string, string>;

/** Runs one keeper pass in a child process; resolves with its exit signal and report. */
function keeperProcess(dataDir: string, crashAt?: string) {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "test/fixtures/keeperProcess.ts")], {
    cwd: root,
    env: { ...process.env, ...env, RPC_URL: rpc.url, SYNOD_DATA_DIR: dataDir, ...(crashAt ? { SYNOD_TEST_CRASH_AT: crashAt } : {}) },
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

async function voteThrough(proposalId: bigint) {
  await networkHelpers.time.increaseTo((await synod.governor.read.proposalSnapshot([proposalId])) + 1n);
  await synod.governor.write.castVoteWithReason([proposalId, VoteType.For, "verified the CIDs"], { account: synod.voters[0]!.account });
  await synod.governor.write.castVote([proposalId, VoteType.For], { account: synod.voters[1]!.account });
  await networkHelpers.time.increaseTo((await synod.governor.read.proposalDeadline([proposalId])) + 1n);
}

describe("knowledge keeper (integration)", () => {
  before(async () => {
    ({ synod, rpc, env } = await serveSynod());
  });

  after(async () => {
    await rpc.close();
  });

  it("ratifies three records through one proposal, surviving kill -9 after proposing and after queueing", async () => {
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

      // 1. killed right after the proposal transaction was sent, before it was recorded
      const crashed = await keeperProcess(dataDir, "proposal-sent");
      assert.equal(crashed.signal, "SIGKILL", crashed.stderr);
      assert.equal(await synod.governor.read.proposalCount(), proposalsBefore + 1n);
      const [batch] = outbox.listBatches();
      assert.equal(batch?.status, "proposing", "the batch was stored before the transaction was sent");

      // 2. restarted: finds the proposal on chain instead of proposing again
      const resumed = await keeperProcess(dataDir);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(await synod.governor.read.proposalCount(), proposalsBefore + 1n, "no duplicate proposal");
      assert.equal(outbox.getBatch(batch.id)?.status, "proposed");
      const onChain = await synod.governor.read.proposalDetails([batch.proposalId]);
      assert.equal(onChain[0].length, 3, "one registry call per record");
      assert.match(batch.description, /\| 1 \| Incident \|/);
      for (const cid of cids) assert.ok(batch.description.includes(cid), `description lists ${cid}`);

      // 3. voters pass it; the keeper is killed right after sending the queue transaction
      await voteThrough(batch.proposalId);
      assert.equal((await keeperProcess(dataDir, "queue-sent")).signal, "SIGKILL");
      assert.equal(await synod.governor.read.state([batch.proposalId]), 5, "queued on chain");

      // 4. restarted while the timelock runs: nothing to do yet; then it executes
      assert.equal((await keeperProcess(dataDir)).code, 0);
      assert.equal(outbox.getBatch(batch.id)?.status, "queued");
      await networkHelpers.time.increaseTo((await synod.governor.read.proposalEta([batch.proposalId])) + 1n);
      const done = await keeperProcess(dataDir);
      assert.equal(done.code, 0, done.stderr);
      assert.equal((done.report?.ratified as unknown[]).length, 3);

      // ratified in the outbox and the index, readable on chain, content on IPFS
      const index = new ChainIndexRepository(db);
      for (const cid of cids) {
        const local = outbox.getRecordByCid(cid)!;
        assert.equal(local.status, "ratified");
        const indexed = index.getRecord(local.chainId!)!;
        assert.equal(indexed.cid, cid);
        assert.equal(indexed.proposalId, batch.proposalId);
        const chainRecord = await synod.registry.read.getRecord([local.chainId!]);
        assert.equal(chainRecord.cid, toHex(CID.parse(cid).bytes));
      }
      assert.equal(await synod.governor.read.proposalCount(), proposalsBefore + 1n);
      const content = await heliaContentStore({ dataDir: path.join(dataDir, "ipfs") });
      try {
        const stored = (await content.getJson(cids[0]!)) as { kind: string };
        assert.equal(stored.kind, "Incident");
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
    const keeper = new ProposalKeeper({ chain, outbox, index, indexer, content: kuboContentStore({ url: `http://127.0.0.1:${port}`, timeoutMs: 2_000 }), logger });
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
      assert.equal(outbox.listBatches().length, 0, "no batch formed without a chain");

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
