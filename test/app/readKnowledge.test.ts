/**
 * The knowledge browser's reads against the real registry on an in-process chain
 * without Multicall3, through a client configured like the dApp's. A kind with more
 * records than one deployless multicall can return (24 KiB, about 55 records) must
 * still list them all, newest first.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createPublicClient, custom, type Hex, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { deployedContracts } from "../../app/contracts/deployedContracts.ts";
import type { SynodContracts } from "../../app/lib/contracts.ts";
import { readEpoch, readEpochRoots, readRecordedEpochs } from "../../app/lib/readEpochs.ts";
import { readRecordPage, readRecordsOfKind } from "../../app/lib/readKnowledge.ts";
import { readProposal } from "../../app/lib/readProposals.ts";
import { cidFromHex } from "../../app/lib/verifyCid.ts";
import { epochLeafHash, epochLeafValue, epochTree, verifyEpochRecord, type EpochLeafFields } from "../../app/lib/verifyEpochRecord.ts";
import { call, connection, deploySynod, endVoting, networkHelpers, pass, propose, queueAndExecute, rawCid, type Synod } from "../fixtures/synod.ts";

const KIND_INCIDENT = 1;
const RECORDS = 80;

/** A client like the dApp's (app/lib/wagmiConfig.ts): reads batched into deployless multicalls. */
function dappClient(): PublicClient {
  return createPublicClient({ chain: hardhat, transport: custom(connection.provider), batch: { multicall: { deployless: true, wait: 16 } } }) as PublicClient;
}

function contractsOf(synod: Synod): SynodContracts {
  const known = deployedContracts[31337];
  return {
    ...known,
    KnowledgeRegistry: { ...known.KnowledgeRegistry, address: synod.registry.address },
    MeshGovernor: { ...known.MeshGovernor, address: synod.governor.address },
  } as unknown as SynodContracts;
}

const EPOCH = 3;
const epochRecords: EpochLeafFields[] = Array.from({ length: 9 }, (_, i) => ({
  epoch: EPOCH,
  kind: i % 2 === 0 ? "Model" : "Incident",
  schemaVersion: 1,
  round: 40 + i,
  cid: cidFromHex(rawCid(`epoch record ${i}`)).toString(),
  refCid: i >= 2 && i % 2 === 0 ? cidFromHex(rawCid(`epoch record ${i - 2}`)).toString() : null,
}));

/** Epoch 3 ratified by a routine proposal nobody voted on. */
async function registryWithEpoch() {
  const synod = await deploySynod();
  const tree = epochTree(EPOCH, epochRecords);
  const { proposalId } = await propose(
    synod,
    [call(synod.registry, "recordEpoch", [BigInt(EPOCH), tree.root, rawCid("manifest 3"), [5, 4, 0, 0, 0]])],
    "epoch 3",
  );
  await endVoting(synod, proposalId);
  await queueAndExecute(synod, proposalId);
  return { synod, tree, proposalId };
}

async function registryWithIncidents() {
  const synod = await deploySynod();
  const inputs = Array.from({ length: RECORDS }, (_, i) => ({ kind: KIND_INCIDENT, schemaVersion: 1, ref: 0, round: i, cid: rawCid(`incident ${i}`) }));
  await pass(synod, [call(synod.registry, "recordBatch", [inputs])], "80 incidents");
  return synod;
}

describe("dApp knowledge reads", () => {
  it("lists more records of a kind than one multicall can return, newest first", async () => {
    const synod = await networkHelpers.loadFixture(registryWithIncidents);
    const records = await readRecordsOfKind({ client: dappClient(), contracts: contractsOf(synod), kind: "Incident" });
    assert.equal(records.length, RECORDS);
    assert.deepEqual(records.map((r) => r.round), Array.from({ length: RECORDS }, (_, i) => RECORDS - 1 - i));
    assert.deepEqual(records.map((r) => r.cid), Array.from({ length: RECORDS }, (_, i) => rawCid(`incident ${RECORDS - 1 - i}`)));
    const newest = await readRecordsOfKind({ client: dappClient(), contracts: contractsOf(synod), kind: "Incident", limit: 30n });
    assert.deepEqual(newest.map((r) => r.round), Array.from({ length: 30 }, (_, i) => RECORDS - 1 - i));
    assert.deepEqual(await readRecordsOfKind({ client: dappClient(), contracts: contractsOf(synod), kind: "Model" }), []);
  });

  it("pages through every record of a kind, newest first, past any cap", async () => {
    const synod = await networkHelpers.loadFixture(registryWithIncidents);
    const read = (offset: number, limit: number) => readRecordPage({ client: dappClient(), contracts: contractsOf(synod), kind: "Incident", offset, limit });
    const rounds = async (offset: number, limit: number) => (await read(offset, limit)).records.map((r) => r.round);
    assert.equal((await read(0, 30)).total, RECORDS);
    assert.deepEqual(await rounds(0, 30), Array.from({ length: 30 }, (_, i) => 79 - i));
    assert.deepEqual(await rounds(30, 30), Array.from({ length: 30 }, (_, i) => 49 - i));
    assert.deepEqual(await rounds(60, 30), Array.from({ length: 20 }, (_, i) => 19 - i));
    assert.deepEqual(await rounds(80, 30), []);
    assert.deepEqual(await rounds(0, 200), Array.from({ length: 80 }, (_, i) => 79 - i));
  });
});

describe("dApp epoch reads and Merkle checks against the registry", () => {
  it("reads a routine proposal’s type and veto threshold (it passed with no votes)", async () => {
    const { synod, proposalId } = await networkHelpers.loadFixture(registryWithEpoch);
    const proposal = await readProposal({ client: dappClient(), contracts: contractsOf(synod), id: proposalId });
    assert.equal(proposal.type, "Routine");
    assert.equal(proposal.state, "Executed");
    // 10 % (local vetoThresholdBps 1000) of the 1,000,000 MESH supply.
    assert.equal(proposal.vetoThreshold, 100_000n * 10n ** 18n);
  });

  it("reads the ratified root, and verifies in the browser exactly the records the registry verifies", async () => {
    const { synod, tree, proposalId } = await networkHelpers.loadFixture(registryWithEpoch);
    const contracts = contractsOf(synod);
    const epoch = await readEpoch({ client: dappClient(), contracts, epoch: EPOCH });
    assert.equal(epoch?.root, tree.root);
    assert.equal(epoch?.proposalId, proposalId);
    assert.equal(epoch?.manifestCid, rawCid("manifest 3"));
    assert.deepEqual(epoch?.counts, { Model: 5, Incident: 4, ChaosReport: 0, MapekSnapshot: 0, Directive: 0 });
    assert.equal(await readEpoch({ client: dappClient(), contracts, epoch: EPOCH + 1 }), null);
    assert.deepEqual([...(await readEpochRoots({ client: dappClient(), contracts, epochs: [EPOCH, 9] }))], [[EPOCH, tree.root], [9, `0x${"0".repeat(64)}`]]);
    assert.deepEqual((await readRecordedEpochs({ client: dappClient(), contracts, blockRange: 1000n })).map((e) => e.epoch), [EPOCH]);

    const struct = (record: EpochLeafFields) => {
      const [e, kind, schemaVersion, round, cid, refCid] = epochLeafValue(record);
      return { epoch: BigInt(e), kind, schemaVersion, round, cid, refCid };
    };
    const cases: Array<[string, EpochLeafFields, number]> = [
      ...epochRecords.map((record, i): [string, EpochLeafFields, number] => [`record ${i}`, record, i]),
      ["changed round", { ...epochRecords[2]!, round: 99 }, 2],
      ["dropped ref", { ...epochRecords[2]!, refCid: null }, 2],
      ["another epoch", { ...epochRecords[1]!, epoch: EPOCH + 1 }, 1],
      ["outside the epoch", { ...epochRecords[1]!, cid: cidFromHex(rawCid("not in epoch 3")).toString() }, 1],
    ];
    for (const [name, record, index] of cases) {
      const proof = tree.getProof(index);
      assert.equal(await synod.registry.read.leafHash([struct(record)]), epochLeafHash(record), `${name}: leaf hash`);
      const onChain = await synod.registry.read.verifyRecord([struct(record), proof as Hex[]]);
      const inBrowser = verifyEpochRecord({ root: epoch!.root, record, proof });
      assert.equal(inBrowser, onChain ? "in-root" : "not-in-root", name);
      assert.equal(onChain, name.startsWith("record "), name);
    }
  });
});
