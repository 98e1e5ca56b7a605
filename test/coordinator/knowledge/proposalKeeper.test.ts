/**
 * Knowledge epochs, in-process against the local chain (the real Ignition deployment):
 * the epoch's proposal id and type are the governor's; the keeper closes an epoch when
 * `knowledge.epochSeconds` has passed on its clock or when asked, never an empty one;
 * a routine epoch passes with no votes and each of its records verifies on chain
 * against the ratified root with the proof the API serves (a changed field does not);
 * a directive makes the epoch a full vote whose MeshPolicy calls take effect; epochs
 * that lack quorum, expire or are canceled return their records to the next epoch;
 * vetoed or voted-down epochs defeat them; the index resumes after a restart.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { decodeFunctionData, getAddress, keccak256, toHex, type Address, type Hex } from "viem";
import { knowledgeRoutes } from "../../../coordinator/api/knowledge.ts";
import type { EpochList, EpochPage, KnowledgeAuditResponse, KnowledgeList, KnowledgeRecordResponse } from "../../../coordinator/api/schemas/knowledge.ts";
import { createChainClient, type ChainClient } from "../../../coordinator/chain/createChainClient.ts";
import { DirectiveNodeUnknownError } from "../../../coordinator/errors/governance.ts";
import { kuboContentStore } from "../../../coordinator/ipfs/kuboContentStore.ts";
import { buildEpoch, MODEL_RELEASE, type EpochRecordInput } from "../../../coordinator/knowledge/buildEpoch.ts";
import { cidToBytes, recordLeaf, recordLeafStruct } from "../../../coordinator/knowledge/epochTree.ts";
import { KnowledgeIndexer } from "../../../coordinator/knowledge/knowledgeIndexer.ts";
import { KNOWLEDGE_KINDS } from "../../../coordinator/knowledge/schemas/index.ts";
import { hashProposal } from "../../../coordinator/knowledge/hashProposal.ts";
import { ProposalKeeper, type KeeperCheckpoint } from "../../../coordinator/knowledge/proposalKeeper.ts";
import { readEpochManifest } from "../../../coordinator/knowledge/readEpochManifest.ts";
import { submitKnowledgeRecord } from "../../../coordinator/knowledge/submitKnowledgeRecord.ts";
import { createLogger } from "../../../coordinator/logger.ts";
import { policyParameterKey } from "../../../coordinator/policy/parameters.ts";
import { ChainIndexRepository } from "../../../coordinator/store/chainIndexRepository.ts";
import { KnowledgeRepository } from "../../../coordinator/store/knowledgeRepository.ts";
import { openDatabase, type Database } from "../../../coordinator/store/openDatabase.ts";
import type { JsonRpcServer } from "../../fixtures/jsonRpcServer.ts";
import { chaosReport, directive, incident, model, snapshot } from "../../fixtures/knowledgeRecords.ts";
import { startKuboRpcServer, type KuboRpcServer } from "../../fixtures/kuboRpcServer.ts";
import { ProposalState, VoteType, call, networkHelpers, passUnopposed, serveSynod, type Synod } from "../../fixtures/synod.ts";
import { buildTestApp } from "../api/helper.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const logger = createLogger({ level: "silent" });
const EPOCH_MS = 300_000; // knowledge.epochSeconds of the local profile

let synod: Synod;
let rpc: JsonRpcServer;
let kubo: KuboRpcServer;
let chain: ChainClient;

describe("knowledge epochs", () => {
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

  /** A keeper on its own database, with a clock the test moves. */
  function keeperOn(db: Database, nodeAddress?: (nodeId: string) => Address | undefined, checkpoint?: (name: KeeperCheckpoint) => void) {
    const outbox = new KnowledgeRepository(db);
    const index = new ChainIndexRepository(db);
    const indexer = new KnowledgeIndexer({ chain, index, outbox, logger });
    const clock = { now: Date.now() };
    const content = kuboContentStore({ url: kubo.url });
    const keeper = new ProposalKeeper({ chain, outbox, index, indexer, content, logger, nodeAddress, checkpoint, now: () => clock.now });
    const submit = async (record: unknown) => (await submitKnowledgeRecord({ outbox, record })).record;
    return { outbox, index, indexer, keeper, clock, content, submit };
  }

  async function apiOn(t: TestContext, k: ReturnType<typeof keeperOn>) {
    const { app } = await buildTestApp(t, { app: { routes: [knowledgeRoutes({ outbox: k.outbox, index: k.index, content: k.content, closeEpoch: () => k.keeper.closeEpoch() })] } });
    return async <T>(url: string, method: "GET" | "POST" = "GET") => {
      const response = await app.inject({ method, url, headers: method === "POST" ? { authorization: `Bearer test-admin-token-0123456789abcdefghijkl` } : {} });
      return { status: response.statusCode, body: response.json() as T };
    };
  }

  async function vote(proposalId: bigint, votes: Array<[voter: number, support: number]>) {
    await networkHelpers.time.increaseTo((await synod.governor.read.proposalSnapshot([proposalId])) + 1n);
    for (const [voter, support] of votes) await synod.governor.write.castVote([proposalId, support], { account: synod.voters[voter]!.account });
    await networkHelpers.time.increaseTo((await synod.governor.read.proposalDeadline([proposalId])) + 1n);
  }

  /** Voting is over (with these votes): the keeper queues, then executes, then indexes. */
  async function ratify(keeper: ProposalKeeper, proposalId: bigint, votes: Array<[number, number]> = []) {
    await vote(proposalId, votes);
    assert.deepEqual((await keeper.tick()).queued, [proposalId]);
    await networkHelpers.time.increaseTo((await synod.governor.read.proposalEta([proposalId])) + 1n);
    const report = await keeper.tick();
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.executed, [proposalId]);
    return report;
  }

  const asInput = (record: { localId: number; kind: number; schemaVersion: number; round: number; summary: string; content: string; cid: string }): EpochRecordInput => record;

  describe("buildEpoch", () => {
    it("computes the governor's proposal id and type, releases one model by the MeshPolicy rule and names directives and chaos reports", async () => {
      const db = openDatabase(":memory:");
      const { submit } = keeperOn(db);
      const parent = await submit({ ...model(), round: 10, parentModelCid: null });
      const best = await submit({ ...model(), round: 11, parentModelCid: parent.cid, evaluation: { ...model().evaluation, holdoutAccuracy: 0.95 } });
      const latest = await submit({ ...model(), round: 13, parentModelCid: best.cid, evaluation: { ...model().evaluation, holdoutAccuracy: 0.8 } });
      const report = await submit(chaosReport());
      const others = [await submit(incident()), await submit(snapshot())];
      const records = [parent, best, latest, report, ...others].map(asInput);
      const common = { epoch: 41, records, chainId: chain.chainId, addresses: chain.addresses, openedAt: 0, closedAt: 1_000 };

      const byAccuracy = await buildEpoch({ ...common, modelRelease: MODEL_RELEASE.BestHoldoutAccuracy, storedRecordId: (cid) => (cid === parent.cid ? 17 : undefined) });
      assert.deepEqual(byAccuracy.manifest.headlines, [best.cid, report.cid], "the best model and the chaos report; one model, not every round");
      assert.deepEqual(byAccuracy.counts, [3, 1, 1, 1, 0]);
      assert.equal(byAccuracy.leaves.find((leaf) => leaf.localId === best.localId)?.refId, 17, "a released model whose parent is stored refers to it by id");
      assert.equal(byAccuracy.actions.length, 2, "recordEpoch + one recordBatch of the headlines");
      const batch = decodeFunctionData({ abi: synod.registry.abi, data: byAccuracy.actions[1]!.data });
      assert.equal(batch.functionName, "recordBatch");
      assert.deepEqual(
        (batch.args[0] as ReadonlyArray<{ round: number; ref: number }>).map(({ round, ref }) => ({ round, ref })),
        [
          { round: 11, ref: 17 },
          { round: 12, ref: 0 },
        ],
        "the released model (referring to its stored parent) and the chaos report",
      );
      const onChain = await synod.governor.read.hashProposal([
        byAccuracy.actions.map((a) => a.target),
        byAccuracy.actions.map(() => 0n),
        byAccuracy.actions.map((a) => a.data),
        keccak256(toHex(byAccuracy.description)),
      ]);
      assert.equal(byAccuracy.proposalId, onChain);
      assert.equal(byAccuracy.proposalType, "routine");
      assert.equal(await synod.governor.read.actionsType([byAccuracy.actions.map((a) => a.target), byAccuracy.actions.map(() => 0n), byAccuracy.actions.map((a) => a.data)]), 1);
      assert.match(byAccuracy.description, /\| Model \| 3 \|/);
      assert.ok(!byAccuracy.description.includes(others[0]!.cid), "the description names headlines, not every CID");

      const byRound = await buildEpoch({ ...common, modelRelease: MODEL_RELEASE.Latest });
      assert.deepEqual(byRound.manifest.headlines, [latest.cid, report.cid]);

      const withDirective = await submit(directive());
      const full = await buildEpoch({ ...common, records: [...records, asInput(withDirective)], modelRelease: 0, nodeAddress: () => synod.outsiders[0]!.account.address });
      assert.equal(full.proposalType, "full");
      assert.equal(await synod.governor.read.actionsType([full.actions.map((a) => a.target), full.actions.map(() => 0n), full.actions.map((a) => a.data)]), 0);
      assert.match(full.description, /full vote/);
      await assert.rejects(buildEpoch({ ...common, records: [asInput(withDirective)], modelRelease: 0 }), DirectiveNodeUnknownError);
      db.close();
    });
  });

  describe("ProposalKeeper", () => {
    it("closes an epoch once knowledge.epochSeconds has passed on its clock, or when asked; never an empty one, never twice", async () => {
      const db = openDatabase(":memory:");
      const { outbox, keeper, clock, submit } = keeperOn(db);
      const first = await submit({ ...snapshot(), round: 901 });
      const proposals = await synod.governor.read.proposalCount();

      const early = await keeper.tick();
      assert.equal(early.published, 1);
      assert.equal(early.closed, null, "the epoch is not over yet");
      assert.equal(outbox.getRecord(first.localId)?.status, "pending");

      await submit({ ...snapshot(), round: 902 });
      clock.now += EPOCH_MS + 1_000;
      const due = await keeper.tick();
      assert.deepEqual(due.errors, []);
      assert.equal(due.closed?.records, 2, "both records in one epoch");
      assert.equal(due.proposed.length, 1);
      assert.equal(await synod.governor.read.proposalCount(), proposals + 1n);

      clock.now += 10 * EPOCH_MS;
      const idle = await keeper.tick();
      assert.equal(idle.closed, null, "no pending records: no epoch");
      assert.deepEqual(await keeper.closeEpoch(), { closed: null, reason: "no pending records: nothing to ratify" });

      await submit({ ...snapshot(), round: 903 });
      const asked = await keeper.closeEpoch();
      assert.equal(asked.closed?.epoch, due.closed!.epoch + 1, "closed on demand");
      assert.equal(await synod.governor.read.proposalCount(), proposals + 2n, "one proposal per epoch");
      assert.equal((await keeper.tick()).proposed.length, 0);
      db.close();
    });

    it("ratifies a routine epoch with no votes; every record verifies on chain with the API's proof, a changed field does not", async (t) => {
      const db = openDatabase(":memory:");
      const k = keeperOn(db);
      const api = await apiOn(t, k);
      const records = [await k.submit({ ...model(), round: 21 }), await k.submit({ ...incident(), incidentId: "inc-epoch" }), await k.submit({ ...snapshot(), round: 921 }), await k.submit(chaosReport())];
      await k.keeper.tick(); // publish
      const close = await api<{ closed: { epoch: number; proposalId: string; proposalType: string } }>("/api/knowledge/epochs/close", "POST");
      assert.equal(close.status, 200);
      const { epoch, proposalId, proposalType } = close.body.closed;
      assert.equal(proposalType, "routine");
      assert.equal(await synod.governor.read.proposalType([BigInt(proposalId)]), 1, "the governor agrees: routine");

      const report = await ratify(k.keeper, BigInt(proposalId)); // nobody votes
      assert.deepEqual(report.ratifiedEpochs.map((e) => e.epoch), [epoch]);
      assert.equal((await synod.registry.read.getEpoch([BigInt(epoch)])).root, k.outbox.getEpoch(epoch)!.root);
      for (const record of records) assert.equal(k.outbox.getRecord(record.localId)?.status, "ratified");
      // headlines are stored records too: the released model and the chaos report
      assert.ok(k.outbox.getRecord(records[0]!.localId)?.chainId);
      assert.ok(k.outbox.getRecord(records[3]!.localId)?.chainId);
      assert.equal(k.outbox.getRecord(records[1]!.localId)?.chainId, null);

      // page through the epoch two at a time; each record verifies against the ratified root
      const seen: string[] = [];
      const proofs = new Map<string, Hex[]>();
      for (let offset = 0; ; offset += 2) {
        const page = await api<EpochPage>(`/api/knowledge/epochs/${epoch}?limit=2&offset=${offset}`);
        assert.equal(page.status, 200);
        assert.equal(page.body.epoch.status, "ratified");
        assert.equal(page.body.total, 4);
        for (const entry of page.body.records) {
          seen.push(entry.cid);
          proofs.set(entry.cid, entry.proof);
          const leaf = recordLeafStruct(recordLeaf(epoch, { ...entry, kind: records.find((r) => r.cid === entry.cid)!.kind }));
          assert.equal(await synod.registry.read.leafHash([leaf]), entry.leaf);
          assert.equal(await synod.registry.read.verifyRecord([leaf, entry.proof]), true, `${entry.cid} verifies`);
          assert.equal(await synod.registry.read.verifyRecord([{ ...leaf, round: leaf.round + 1 }, entry.proof]), false, "round changed");
          assert.equal(await synod.registry.read.verifyRecord([{ ...leaf, schemaVersion: 2 }, entry.proof]), false, "schema version changed");
        }
        if (page.body.records.length < 2) break;
      }
      assert.deepEqual(seen.sort(), records.map((r) => r.cid).sort());

      // The listing names what each leaf commits to (refCid): a reader rebuilds every leaf
      // from it alone, without the content, and it verifies on chain with the record's proof.
      const listed = (await api<KnowledgeList>(`/api/knowledge?epoch=${epoch}`)).body.records;
      assert.deepEqual(
        Object.fromEntries(listed.map((entry) => [entry.cid, entry.refCid])),
        Object.fromEntries(records.map((record, i) => [record.cid, i === 0 ? model().parentModelCid : null])),
        "a model names its parent model; no other kind names one",
      );
      for (const entry of listed) {
        const leaf = recordLeafStruct(recordLeaf(epoch, { ...entry, kind: KNOWLEDGE_KINDS[entry.kind] }));
        assert.equal(await synod.registry.read.verifyRecord([leaf, proofs.get(entry.cid)!]), true, `${entry.cid} verifies from the listing`);
      }
      const released = await api<KnowledgeRecordResponse>(`/api/knowledge/${records[0]!.cid}`);
      assert.equal(released.body.refCid, model().parentModelCid);
      const releasedLeaf = recordLeafStruct(recordLeaf(epoch, { ...released.body, kind: KNOWLEDGE_KINDS.Model }));
      assert.equal(await synod.registry.read.leafHash([releasedLeaf]), released.body.epoch?.leaf, "the record's own refCid rebuilds its leaf");

      const one = await api<KnowledgeRecordResponse>(`/api/knowledge/${records[1]!.cid}`);
      assert.equal(one.body.refCid, null);
      assert.equal(one.body.epoch?.epoch, epoch);
      assert.equal(one.body.epoch?.ratified, true);
      const incidentLeaf = recordLeafStruct(recordLeaf(epoch, { ...records[1]!, refCid: null }));
      assert.equal(await synod.registry.read.isRatified([BigInt(epoch), one.body.epoch!.leaf as Hex, one.body.epoch!.proof as Hex[]]), true);

      // anyone can promote a ratified record to a stored one; the indexer links it
      await synod.registry.write.promoteRecord([incidentLeaf, one.body.epoch!.proof as Hex[]], { account: synod.outsiders[1]!.account });
      await k.keeper.tick();
      assert.ok(k.outbox.getRecord(records[1]!.localId)?.chainId, "promoted record has its stored id");

      const manifest = await readEpochManifest(k.content, k.outbox.getEpoch(epoch)!.manifestCid, { expected: { epoch, root: (await synod.registry.read.epochRoot([BigInt(epoch)])) as string } });
      assert.equal(manifest.records.length, 4);

      const list = await api<EpochList>("/api/knowledge/epochs");
      assert.equal(list.body.epochs[0]?.epoch, epoch);
      assert.equal(list.body.epochs[0]?.records, 4);
      assert.deepEqual((await api<KnowledgeList>(`/api/knowledge?epoch=${epoch}&limit=3`)).body.total, 4);
      assert.equal((await api<KnowledgeList>(`/api/knowledge?epoch=${epoch}&limit=3&offset=3`)).body.records.length, 1);
      const audit = await api<KnowledgeAuditResponse>("/api/knowledge/audit");
      assert.equal(audit.body.ok, true);
      assert.equal(audit.body.counts.ratified, 4);
      db.prepare("UPDATE knowledge_records SET status = 'defeated' WHERE cid = ?").run(records[2]!.cid); // what a bug would leave
      const flagged = await api<KnowledgeAuditResponse>("/api/knowledge/audit");
      assert.equal(flagged.body.ok, false);
      assert.deepEqual(flagged.body.unaccounted.map((f) => [f.cid, f.problem]), [[records[2]!.cid, `defeated in epoch ${epoch}, which is ratified`]]);
      assert.equal((await api("/api/knowledge/epochs/999")).status, 404);
      assert.equal((await api("/api/knowledge/epochs/abc")).status, 400);
      assert.equal((await api("/api/knowledge/epochs/0")).status, 400);
      assert.equal((await api(`/api/knowledge/epochs/${epoch}?kind=Bogus`)).status, 400);
      assert.equal((await api("/api/knowledge?limit=5000")).status, 400);
      db.close();
    });

    it("makes a directive's epoch a full vote whose MeshPolicy calls take effect when it executes", async () => {
      const db = openDatabase(":memory:");
      const banned = synod.outsiders[0]!.account.address;
      const k = keeperOn(db, (nodeId) => (nodeId === "node-004" ? banned : undefined));
      const record = await k.submit(directive());
      await k.keeper.tick();
      const { closed } = await k.keeper.closeEpoch();
      assert.equal(closed?.proposalType, "full");
      const epoch = k.outbox.getEpoch(closed!.epoch)!;
      assert.match(epoch.description, /set `fl.targetParticipants` to 20 \(now 10\)/);
      await ratify(k.keeper, closed!.proposalId, [[0, VoteType.For]]);
      assert.equal(k.outbox.getRecord(record.localId)?.status, "ratified");
      assert.equal(await synod.policy.read.getParameter([policyParameterKey("fl.targetParticipants")]), 20n);
      assert.equal(await synod.policy.read.isBanned([getAddress(banned)]), true);
      db.close();
    });

    it("returns the records of an epoch that lacked quorum to the next epoch, which ratifies them", async () => {
      const db = openDatabase(":memory:");
      const k = keeperOn(db, () => synod.outsiders[1]!.account.address);
      const record = await k.submit({ ...directive(), title: "Lower the target; ban nobody", actions: [{ type: "set-parameter", parameter: "fl.targetParticipants", value: "12", previous: "20" }] });
      const companion = await k.submit({ ...snapshot(), round: 931 });
      await k.keeper.tick();
      const first = (await k.keeper.closeEpoch()).closed!;
      await vote(first.proposalId, []); // nobody votes: participation short of quorum
      assert.equal(await synod.governor.read.state([first.proposalId]), ProposalState.Defeated);
      const settled = await k.keeper.tick();
      assert.deepEqual(settled.settled, [{ epoch: first.epoch, proposalId: first.proposalId, status: "returned", outcome: "no-quorum" }]);
      assert.equal(k.outbox.getRecord(record.localId)?.status, "pending");
      assert.equal(k.outbox.getRecord(companion.localId)?.epoch, null);
      assert.equal(k.outbox.getEpoch(first.epoch)?.status, "returned");

      const second = (await k.keeper.closeEpoch()).closed!;
      assert.equal(second.epoch, first.epoch + 1, "a new number: the returned epoch never gets a root");
      assert.equal(second.records, 2);
      await ratify(k.keeper, second.proposalId, [[0, VoteType.For]]);
      assert.equal(k.outbox.getRecord(record.localId)?.status, "ratified");
      assert.equal(k.outbox.getRecord(companion.localId)?.epoch, second.epoch);
      assert.equal(await synod.registry.read.epochRoot([BigInt(first.epoch)]), `0x${"0".repeat(64)}`);
      assert.equal(k.outbox.audit().length, 0);
      db.close();
    });

    it("returns the records of an expired and of a canceled epoch", async () => {
      const db = openDatabase(":memory:");
      const k = keeperOn(db);
      const record = await k.submit({ ...snapshot(), round: 941 });
      await k.keeper.tick();
      const expiring = (await k.keeper.closeEpoch()).closed!;
      await vote(expiring.proposalId, []); // routine: succeeds with no votes…
      await networkHelpers.time.increase(601); // …but nobody queues it within the grace period
      assert.equal(await synod.governor.read.state([expiring.proposalId]), ProposalState.Expired);
      assert.deepEqual((await k.keeper.tick()).settled, [{ epoch: expiring.epoch, proposalId: expiring.proposalId, status: "returned", outcome: "expired" }]);
      assert.equal(k.outbox.getRecord(record.localId)?.status, "pending");

      const canceled = (await k.keeper.closeEpoch()).closed!;
      const stored = k.outbox.getEpoch(canceled.epoch)!;
      await synod.governor.write.cancel(
        [stored.actions.map((a) => a.target), stored.actions.map(() => 0n), stored.actions.map((a) => a.data), keccak256(toHex(stored.description))],
        { account: synod.keeper.account },
      );
      assert.deepEqual((await k.keeper.tick()).settled, [{ epoch: canceled.epoch, proposalId: canceled.proposalId, status: "returned", outcome: "canceled" }]);
      assert.equal(k.outbox.getRecord(record.localId)?.status, "pending");

      const third = (await k.keeper.closeEpoch()).closed!;
      await ratify(k.keeper, third.proposalId);
      assert.equal(k.outbox.getRecord(record.localId)?.status, "ratified");
      assert.equal(k.outbox.getRecord(record.localId)?.epoch, third.epoch);
      db.close();
    });

    it("marks the records of a vetoed routine epoch and of a voted-down full epoch defeated", async () => {
      const db = openDatabase(":memory:");
      const k = keeperOn(db, () => synod.outsiders[1]!.account.address);
      const vetoed = await k.submit({ ...snapshot(), round: 951 });
      await k.keeper.tick();
      const routine = (await k.keeper.closeEpoch()).closed!;
      await vote(routine.proposalId, [[0, VoteType.Against]]); // 22.5 % of supply ≥ the 10 % veto threshold
      assert.deepEqual((await k.keeper.tick()).settled, [{ epoch: routine.epoch, proposalId: routine.proposalId, status: "defeated", outcome: "vetoed" }]);
      assert.equal(k.outbox.getRecord(vetoed.localId)?.status, "defeated");

      const rejected = await k.submit({ ...directive(), title: "Voted down", actions: [{ type: "set-parameter", parameter: "fl.targetParticipants", value: "30", previous: "20" }] });
      await k.keeper.tick();
      const full = (await k.keeper.closeEpoch()).closed!;
      assert.equal(full.records, 1, "a defeated record is not proposed again");
      await vote(full.proposalId, [[0, VoteType.For], [1, VoteType.Against], [2, VoteType.Against]]);
      assert.deepEqual((await k.keeper.tick()).settled, [{ epoch: full.epoch, proposalId: full.proposalId, status: "defeated", outcome: "voted-down" }]);
      assert.equal(k.outbox.getRecord(rejected.localId)?.status, "defeated");
      assert.equal(k.outbox.audit().length, 0, "defeated records are in a defeated epoch");
      db.close();
    });

    it("marks a full epoch everyone votes against voted down (OZ's quorum counts only for + abstain); a tie returns it", async () => {
      const db = openDatabase(":memory:");
      const k = keeperOn(db, () => synod.outsiders[1]!.account.address);
      const tied = await k.submit({ ...directive(), title: "Tied", actions: [{ type: "set-parameter", parameter: "fl.targetParticipants", value: "31", previous: "20" }] });
      await k.keeper.tick();
      const tie = (await k.keeper.closeEpoch()).closed!;
      await vote(tie.proposalId, [[0, VoteType.For], [1, VoteType.Against]]);
      assert.deepEqual((await k.keeper.tick()).settled, [{ epoch: tie.epoch, proposalId: tie.proposalId, status: "returned", outcome: "tie" }]);
      assert.equal(k.outbox.getRecord(tied.localId)?.status, "pending");

      const full = (await k.keeper.closeEpoch()).closed!;
      await vote(full.proposalId, [[0, VoteType.Against], [1, VoteType.Against], [2, VoteType.Against], [3, VoteType.Against]]);
      const [against, forVotes, abstain] = await synod.governor.read.proposalVotes([full.proposalId]);
      assert.equal(forVotes + abstain, 0n, "OZ's quorum (for + abstain) is not reached");
      assert.ok(against >= (await synod.governor.read.quorum([await synod.governor.read.proposalSnapshot([full.proposalId])])));
      assert.deepEqual((await k.keeper.tick()).settled, [{ epoch: full.epoch, proposalId: full.proposalId, status: "defeated", outcome: "voted-down" }]);
      assert.equal(k.outbox.getRecord(tied.localId)?.status, "defeated");
      assert.equal(k.outbox.audit().length, 0);
      db.close();
    });

    it("ends each description with #proposer=<keeper>: a stranger copying the proposal reverts, and a proposal someone else made first is never adopted", async () => {
      const db = openDatabase(":memory:");
      let crash = true;
      const k = keeperOn(db, undefined, (name) => {
        if (name === "epoch-stored" && crash) throw new Error("crash after storing the epoch");
      });
      const record = await k.submit({ ...snapshot(), round: 961 });
      await k.keeper.tick();
      await assert.rejects(k.keeper.closeEpoch(), /crash after storing/);
      const stored = k.outbox.epochsWithStatus("proposing")[0]!;
      assert.ok(stored.description.endsWith(`\n\n#proposer=${chain.account!.address}`));
      const args = ({ actions }: typeof stored, description: string) => [actions.map((a) => a.target), actions.map(() => 0n), actions.map((a) => a.data), description] as const;
      // the stranger saw the keeper's propose in the mempool and copies it exactly
      await assert.rejects(synod.governor.write.propose(args(stored, stored.description), { account: synod.voters[0]!.account }), /GovernorRestrictedProposer/);
      crash = false;
      const resumed = await k.keeper.tick();
      assert.deepEqual(resumed.proposed, [stored.proposalId], "the keeper's own proposal goes through");

      // an epoch stored before this protection (no suffix) that a stranger proposed first
      await k.submit({ ...snapshot(), round: 962 });
      crash = true;
      await assert.rejects(k.keeper.closeEpoch(), /crash after storing/);
      crash = false;
      const legacy = k.outbox.epochsWithStatus("proposing")[0]!;
      const description = legacy.description.replace(/\n\n#proposer=0x[0-9a-fA-F]{40}$/, "");
      const proposalId = hashProposal(legacy.actions, description);
      db.prepare("UPDATE knowledge_epochs SET description = ?, proposal_id = ? WHERE epoch = ?").run(description, proposalId.toString(), legacy.epoch);
      await synod.governor.write.propose(args(legacy, description), { account: synod.voters[0]!.account });
      assert.equal(await synod.governor.read.proposalProposer([proposalId]), getAddress(synod.voters[0]!.account.address));
      const refused = await k.keeper.tick();
      assert.deepEqual(refused.settled, [{ epoch: legacy.epoch, proposalId, status: "returned", outcome: "front-run" }]);
      assert.equal(k.outbox.getEpoch(legacy.epoch)?.status, "returned");
      const next = (await k.keeper.closeEpoch()).closed!;
      assert.equal(next.records, 1, "its record goes to the next epoch");
      assert.equal(await synod.governor.read.proposalProposer([next.proposalId]), getAddress(chain.account!.address));
      assert.equal(k.outbox.getRecord(record.localId)?.epoch, stored.epoch);
      assert.equal(k.outbox.audit().length, 0);
      db.close();
    });

    it("resumes indexing from the last processed block after a restart", async () => {
      const db = openDatabase(":memory:");
      const first = keeperOn(db);
      await first.indexer.sync();
      const proposalsBefore = first.index.listProposals({ limit: 1000 }).length;
      await first.submit({ ...snapshot(), round: 601 });
      await first.keeper.tick();
      await first.keeper.closeEpoch(); // proposes: a ProposalCreated event after the cursor

      const restarted = keeperOn(db); // same database, new process state
      const { fromBlock, events } = await restarted.indexer.sync();
      assert.ok(fromBlock > 0, "starts after the stored cursor");
      assert.equal(events, 0, "the first keeper already indexed its own proposal");
      assert.equal(restarted.index.listProposals({ limit: 1000 }).length, proposalsBefore + 1, "nothing indexed twice");
      db.close();
    });

    it("returns an epoch whose number another proposal recorded first, and numbers past squatted epochs (even 2^64-1)", async () => {
      const db = openDatabase(":memory:");
      const k = keeperOn(db);
      const record = await k.submit({ ...snapshot(), round: 971 });
      await k.keeper.tick();
      const mine = (await k.keeper.closeEpoch()).closed!;
      const squat = (epoch: bigint, tag: string) =>
        call(synod.registry, "recordEpoch", [epoch, keccak256(toHex(tag)), cidToBytes(k.outbox.getEpoch(mine.epoch)!.manifestCid), [0, 0, 0, 1, 0]]);
      // anyone's routine recordEpoch under the keeper's number passes with no votes and executes first
      await passUnopposed(synod, [squat(BigInt(mine.epoch), "squat")], `squat epoch ${mine.epoch}`);
      assert.equal(await synod.governor.read.state([mine.proposalId]), ProposalState.Succeeded);
      const taken = await k.keeper.tick();
      assert.deepEqual(taken.errors, []);
      assert.deepEqual(taken.settled, [{ epoch: mine.epoch, proposalId: mine.proposalId, status: "returned", outcome: "epoch-taken" }]);
      assert.equal(k.outbox.getRecord(record.localId)?.status, "pending");

      // squats ahead of the keeper (the next free number) and at the very top of uint64
      const ZERO = `0x${"0".repeat(64)}`;
      const freeAfter = async (n: number) => {
        while ((await synod.registry.read.epochRoot([BigInt(n)])) !== ZERO) n++;
        return n;
      };
      const ahead = await freeAfter(mine.epoch + 1);
      await passUnopposed(synod, [squat(BigInt(ahead), "next")], "squat the next number");
      await passUnopposed(synod, [squat(2n ** 64n - 1n, "top")], "squat the top of uint64");
      await k.keeper.tick();
      const next = (await k.keeper.closeEpoch()).closed!;
      assert.equal(next.epoch, await freeAfter(ahead), "the keeper's last + 1, skipping numbers recorded on chain");
      await ratify(k.keeper, next.proposalId);
      assert.equal(k.outbox.getRecord(record.localId)?.status, "ratified");
      assert.equal(await synod.registry.read.epochRoot([BigInt(next.epoch)]), k.outbox.getEpoch(next.epoch)!.root);
      assert.equal(k.outbox.audit().length, 0);
      db.close();
    });

    it("keeps an epoch of 100 ChaosReports under GovernorCodeStorage's size limit: the headlines that fit, the rest ordinary leaves", async () => {
      const db = openDatabase(":memory:");
      const k = keeperOn(db);
      const reports = [];
      for (let i = 0; i < 100; i++) reports.push(await k.submit({ ...chaosReport(), round: 5000 + i }));
      await k.keeper.tick();
      const closed = (await k.keeper.closeEpoch()).closed!;
      assert.equal(closed.records, 100);
      const epoch = k.outbox.getEpoch(closed.epoch)!;
      assert.equal(epoch.status, "proposed", "the governor accepted the proposal");
      const packed = 36 + epoch.actions.reduce((sum, a) => sum + 56 + (a.data.length - 2) / 2, 0);
      assert.ok(packed <= 20_000, `packed actions ${packed} bytes`);
      const headlines = JSON.parse(epoch.manifest).headlines as string[];
      assert.ok(headlines.length > 0 && headlines.length < 100, `${headlines.length} headlines`);
      assert.match(epoch.description, new RegExp(`${100 - headlines.length} ChaosReports left out of the headlines`));
      await ratify(k.keeper, closed.proposalId);
      for (const record of reports) assert.equal(k.outbox.getRecord(record.localId)?.status, "ratified");
      assert.ok(k.outbox.getRecord(reports.at(-1)!.localId)?.chainId === null, "a left-out report is a leaf, not a stored record");
      assert.equal(k.outbox.audit().length, 0);
      db.close();
    });
  });
});
