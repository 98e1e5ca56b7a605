/**
 * The keeper's proposals, in-process against the local chain: the offline proposal id
 * is the governor's; a directive becomes real MeshPolicy calls; a defeated batch's
 * records are defeated, an expired one's are proposed again; the index picks up where
 * it stopped after a restart.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { getAddress, type Address } from "viem";
import { createChainClient, type ChainClient } from "../../../coordinator/chain/createChainClient.ts";
import { DirectiveNodeUnknownError } from "../../../coordinator/errors/governance.ts";
import { buildBatchProposal } from "../../../coordinator/knowledge/buildBatchProposal.ts";
import { KnowledgeIndexer } from "../../../coordinator/knowledge/knowledgeIndexer.ts";
import { ProposalKeeper } from "../../../coordinator/knowledge/proposalKeeper.ts";
import { submitKnowledgeRecord } from "../../../coordinator/knowledge/submitKnowledgeRecord.ts";
import { createLogger } from "../../../coordinator/logger.ts";
import { policyParameterKey } from "../../../coordinator/policy/parameters.ts";
import { ChainIndexRepository } from "../../../coordinator/store/chainIndexRepository.ts";
import { KnowledgeRepository } from "../../../coordinator/store/knowledgeRepository.ts";
import { openDatabase, type Database } from "../../../coordinator/store/openDatabase.ts";
import type { JsonRpcServer } from "../../fixtures/jsonRpcServer.ts";
import { directive, incident, model, snapshot } from "../../fixtures/knowledgeRecords.ts";
import { startKuboRpcServer, type KuboRpcServer } from "../../fixtures/kuboRpcServer.ts";
import { kuboContentStore } from "../../../coordinator/ipfs/kuboContentStore.ts";
import { VoteType, networkHelpers, serveSynod, type Synod } from "../../fixtures/synod.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const logger = createLogger({ level: "silent" });

let synod: Synod;
let rpc: JsonRpcServer;
let kubo: KuboRpcServer;
let chain: ChainClient;

describe("knowledge proposals", () => {
  before(async () => {
    let addresses;
    ({ synod, rpc, addresses } = await serveSynod());
    kubo = await startKuboRpcServer();
    chain = await createChainClient({ rpcUrl: rpc.url, root, retryCount: 0, addresses });
  });

  after(async () => {
    await rpc.close();
    await kubo.close();
  });

  function keeperOn(db: Database, nodeAddress?: (nodeId: string) => Address | undefined) {
    const outbox = new KnowledgeRepository(db);
    const index = new ChainIndexRepository(db);
    const indexer = new KnowledgeIndexer({ chain, index, outbox, logger });
    const keeper = new ProposalKeeper({ chain, outbox, index, indexer, content: kuboContentStore({ url: kubo.url }), logger, nodeAddress });
    return { outbox, index, indexer, keeper };
  }

  async function vote(proposalId: bigint, support: number) {
    await networkHelpers.time.increaseTo((await synod.governor.read.proposalSnapshot([proposalId])) + 1n);
    await synod.governor.write.castVote([proposalId, support], { account: synod.voters[0]!.account });
    await networkHelpers.time.increaseTo((await synod.governor.read.proposalDeadline([proposalId])) + 1n);
  }

  describe("buildBatchProposal", () => {
    it("computes the same proposal id as the governor", async () => {
      const db = openDatabase(":memory:");
      const { record } = await submitKnowledgeRecord({ outbox: new KnowledgeRepository(db), record: incident() });
      const { actions, description, proposalId } = buildBatchProposal({ records: [record], addresses: chain.addresses, batchNumber: 1 });
      const onChain = await synod.governor.read.hashProposal([
        actions.map((a) => a.target),
        actions.map(() => 0n),
        actions.map((a) => a.data),
        (await import("viem")).keccak256((await import("viem")).toHex(description)),
      ]);
      assert.equal(proposalId, onChain);
      db.close();
    });

    it("refuses a directive that bans a node it cannot resolve to an address", async () => {
      const db = openDatabase(":memory:");
      const { record } = await submitKnowledgeRecord({ outbox: new KnowledgeRepository(db), record: directive() });
      assert.throws(() => buildBatchProposal({ records: [record], addresses: chain.addresses, batchNumber: 1 }), DirectiveNodeUnknownError);
      db.close();
    });
  });

  describe("ProposalKeeper", () => {
    it("turns a directive into MeshPolicy calls that take effect when the proposal executes", async () => {
      const db = openDatabase(":memory:");
      const banned = synod.outsiders[0]!.account.address;
      const { outbox, keeper } = keeperOn(db, (nodeId) => (nodeId === "node-004" ? banned : undefined));
      const { record } = await submitKnowledgeRecord({ outbox, record: directive() });
      const { proposed } = await keeper.tick();
      assert.equal(proposed.length, 1);
      const [batch] = outbox.listBatches();
      assert.match(batch!.description, /set `fl.targetParticipants` to 20 \(now 10\)/);
      await vote(batch!.proposalId, VoteType.For);
      await keeper.tick(); // queue
      await networkHelpers.time.increaseTo((await synod.governor.read.proposalEta([batch!.proposalId])) + 1n);
      const report = await keeper.tick(); // execute + index
      assert.deepEqual(report.errors, []);
      assert.equal(outbox.getRecord(record.localId)?.status, "ratified");
      assert.equal(await synod.policy.read.getParameter([policyParameterKey("fl.targetParticipants")]), 20n);
      assert.equal(await synod.policy.read.isBanned([getAddress(banned)]), true);
      db.close();
    });

    it("marks a defeated batch's records defeated and proposes an expired batch's records again", async () => {
      const db = openDatabase(":memory:");
      const { outbox, keeper } = keeperOn(db);
      const { record: rejected } = await submitKnowledgeRecord({ outbox, record: { ...snapshot(), round: 501 } });
      await keeper.tick();
      const [first] = outbox.listBatches();
      await vote(first!.proposalId, VoteType.Against);
      const defeated = await keeper.tick();
      assert.deepEqual(defeated.settled, [{ proposalId: first!.proposalId, status: "defeated" }]);
      assert.equal(outbox.getRecord(rejected.localId)?.status, "defeated");

      const { record: forgotten } = await submitKnowledgeRecord({ outbox, record: { ...snapshot(), round: 502 } });
      await keeper.tick();
      const second = outbox.listBatches()[0]!;
      await vote(second.proposalId, VoteType.For);
      // nobody queues it in time: stop the keeper from queueing by letting the grace period pass first
      await networkHelpers.time.increase(601);
      const expired = await keeper.tick();
      assert.deepEqual(expired.settled, [{ proposalId: second.proposalId, status: "expired" }]);
      assert.equal(expired.proposed.length, 1, "proposed again in a new batch");
      const third = outbox.listBatches()[0]!;
      assert.notEqual(third.proposalId, second.proposalId);
      assert.equal(outbox.getRecord(forgotten.localId)?.batchId, third.id);
      assert.equal(outbox.getRecord(forgotten.localId)?.status, "proposed");
      db.close();
    });

    it("writes model lineage on chain: a parent in the same proposal by position, a ratified parent by id", async () => {
      const db = openDatabase(":memory:");
      const { outbox, index, keeper } = keeperOn(db);
      const submitModel = async (round: number, parentModelCid: string | null) => (await submitKnowledgeRecord({ outbox, record: { ...model(), round, parentModelCid } })).record;
      const first = await submitModel(801, null);
      const second = await submitModel(802, first.cid);
      const third = await submitModel(803, second.cid);
      const ratify = async () => {
        await keeper.tick();
        const batch = outbox.listBatches()[0]!;
        await vote(batch.proposalId, VoteType.For);
        await keeper.tick(); // queue
        await networkHelpers.time.increaseTo((await synod.governor.read.proposalEta([batch.proposalId])) + 1n);
        assert.deepEqual((await keeper.tick()).errors, []); // execute + index
      };
      await ratify();
      const onChain = (localId: number) => index.getRecord(outbox.getRecord(localId)!.chainId!)!;
      assert.equal(onChain(first.localId).refId, 0, "its parent is not on chain");
      assert.equal(onChain(second.localId).refId, onChain(first.localId).id, "parent in the same proposal");
      assert.equal(onChain(third.localId).refId, onChain(second.localId).id);
      const fourth = await submitModel(804, third.cid);
      await ratify();
      assert.equal(onChain(fourth.localId).refId, onChain(third.localId).id, "parent ratified by an earlier proposal");
      db.close();
    });

    it("waits for the batch window to fill a proposal, unless the batch is full", async () => {
      const db = openDatabase(":memory:");
      const outbox = new KnowledgeRepository(db);
      const index = new ChainIndexRepository(db);
      let now = Date.now();
      const keeper = new ProposalKeeper({
        chain, outbox, index, indexer: new KnowledgeIndexer({ chain, index, outbox, logger }), content: kuboContentStore({ url: kubo.url }), logger,
        batchWindowMs: 60_000,
        now: () => now,
      });
      await submitKnowledgeRecord({ outbox, record: { ...snapshot(), round: 701 } });
      assert.deepEqual((await keeper.tick()).proposed, [], "the first record waits for company");
      await submitKnowledgeRecord({ outbox, record: { ...snapshot(), round: 702 } });
      now += 61_000;
      const { proposed } = await keeper.tick();
      assert.equal(proposed.length, 1);
      assert.equal(outbox.recordsOfBatch(outbox.listBatches()[0]!.id).length, 2, "both records in one proposal");
      db.close();
    });

    it("resumes indexing from the last processed block after a restart", async () => {
      const db = openDatabase(":memory:");
      const first = keeperOn(db);
      await first.indexer.sync();
      const proposalsBefore = first.index.listProposals({ limit: 1000 }).length;
      await submitKnowledgeRecord({ outbox: first.outbox, record: { ...snapshot(), round: 601 } });
      await first.keeper.tick(); // proposes: a ProposalCreated event after the cursor

      const restarted = keeperOn(db); // same database, new process state
      const { fromBlock, events } = await restarted.indexer.sync();
      assert.ok(fromBlock > 0, "starts after the stored cursor");
      assert.equal(events, 0, "the first keeper already indexed its own proposal");
      assert.equal(restarted.index.listProposals({ limit: 1000 }).length, proposalsBefore + 1, "nothing indexed twice");
      db.close();
    });
  });
});
