/**
 * Gas figures for the operations people pay for, on the in-process chain:
 * recording one knowledge entry, a batch of 20, proposing, voting, queueing and
 * executing. Prints one JSON object.
 *
 *   npm run gas
 *
 * Registry writes are measured in steady state (the registry already holds
 * records, each write belongs to a new proposal), as the call the timelock makes.
 *
 * `epoch`: one knowledge epoch of 1,000 real records (valid content, real CIDs) closed
 * by the keeper's own `buildEpoch` and ratified by its routine proposal on the real
 * deployment (`recordEpoch` with the StandardMerkleTree root, one `recordBatch` of the
 * headlines: the released model and the chaos reports), passed with no votes;
 * `endToEndGasPerRecord` is (propose + queue + execute) / 1,000.
 */
import { network } from "hardhat";
import { createHash } from "node:crypto";
import { encodeFunctionData, type Hex } from "viem";
import { buildEpoch, MODEL_RELEASE, type EpochRecordInput } from "../coordinator/knowledge/buildEpoch.ts";
import { cidToBytes } from "../coordinator/knowledge/epochTree.ts";
import { KNOWLEDGE_KINDS, parseKnowledgeRecord, type KnowledgeRecord } from "../coordinator/knowledge/schemas/index.ts";
import { summarizeRecord } from "../coordinator/knowledge/summarizeRecord.ts";
import { canonicalJson } from "../coordinator/ipfs/canonicalJson.ts";
import { computeFileCid } from "../coordinator/ipfs/importUnixfsFile.ts";
import SynodLocalModule from "../ignition/modules/SynodLocal.ts";
import * as fixtures from "../test/fixtures/knowledgeRecords.ts";

const { viem, ignition, networkHelpers } = await network.create();
const publicClient = await viem.getPublicClient();
const [governance] = await viem.getWalletClients();

const cid = (content: string): Hex => `0x01551220${createHash("sha256").update(content).digest("hex")}`;
const entry = (content: string) => ({ kind: 0, schemaVersion: 1, ref: 0, round: 1, cid: cid(content) });
const gasOf = async (hash: Hex) => (await publicClient.waitForTransactionReceipt({ hash })).gasUsed;

// Registry writes, with a mock governor context so only the registry is measured.
const governor = await viem.deployContract("ExecutingProposalMock");
const registry = await viem.deployContract("KnowledgeRegistry", [governance!.account.address, governor.address]);
// proposal ids are keccak hashes; distinct low bits as in practice
let proposal = 0x1000001n;
const nextProposal = async () => gasOf(await governor.write.setExecutingProposalId([(proposal += 0x1000001n)]));
await nextProposal();
await registry.write.record([entry("warm-up")]);

await nextProposal();
const recordOne = await gasOf(await registry.write.record([entry("one")]));
await nextProposal();
const batch = Array.from({ length: 20 }, (_, i) => entry(`batch ${i}`));
const recordBatch20 = await gasOf(await registry.write.recordBatch([batch]));

// Governance, on the real deployment.
const synod = await ignition.deploy(SynodLocalModule, { parameters: "ignition/parameters/local.json" });
const [keeper, voter1, voter2] = await viem.getWalletClients();
const actions = batch.map((input) => encodeFunctionData({ abi: synod.registry.abi, functionName: "record", args: [input] }));
const targets = actions.map(() => synod.registry.address);
const values = actions.map(() => 0n);
const proposeArgs = [targets, values, actions, "# Gas report\n20 model records"] as const;
const { result: proposalId } = await synod.governor.simulate.propose(proposeArgs, { account: keeper!.account.address });
const propose20 = await gasOf(await synod.governor.write.propose(proposeArgs, { account: keeper!.account }));
await networkHelpers.time.increaseTo((await synod.governor.read.proposalSnapshot([proposalId])) + 1n);
const castVote = await gasOf(await synod.governor.write.castVote([proposalId, 1], { account: voter1!.account }));
const castVoteWithReason = await gasOf(
  await synod.governor.write.castVoteWithReason([proposalId, 1, "accuracy improved on the holdout set"], { account: voter2!.account }),
);
await networkHelpers.time.increaseTo((await synod.governor.read.proposalDeadline([proposalId])) + 1n);
const queue20 = await gasOf(await synod.governor.write.queue([proposalId], { account: keeper!.account }));
await networkHelpers.time.increaseTo((await synod.governor.read.proposalEta([proposalId])) + 1n);
const execute20 = await gasOf(await synod.governor.write.execute([proposalId], { account: keeper!.account }));

// A knowledge epoch of 1,000 records, proposed exactly as the keeper proposes it: its own
// `buildEpoch` (tree, manifest, headlines, description) over real records with real CIDs.
const EPOCH_RECORDS = 1000;
// per kind: a stretch of FL rounds, one chaos experiment and what the mesh went through (no
// Directive: a routine epoch). Headlines: the released model and the chaos report.
const mix = { Model: 960, Incident: 14, ChaosReport: 1, MapekSnapshot: 25 } as const;

/** `count` valid records of one kind, each different (round, time), models chained by parent. */
async function epochRecords(): Promise<EpochRecordInput[]> {
  const records: EpochRecordInput[] = [];
  let parentModelCid: string | null = null;
  const add = async (content: KnowledgeRecord) => {
    const json = canonicalJson(parseKnowledgeRecord(content));
    const cid = (await computeFileCid(new TextEncoder().encode(json))).toString();
    records.push({ localId: records.length + 1, kind: KNOWLEDGE_KINDS[content.kind], schemaVersion: content.schemaVersion, round: content.round, summary: summarizeRecord(content), content: json, cid });
    return cid;
  };
  const at = (i: number) => new Date(Date.UTC(2026, 11, 1) + i * 10_000).toISOString();
  for (let i = 0; i < mix.Model; i++) {
    const base = fixtures.model();
    const content = { ...base, round: i + 1, createdAt: at(i), parentModelCid, evaluation: { ...base.evaluation, holdoutAccuracy: 0.8 + (i % 97) / 1000 } } as KnowledgeRecord;
    parentModelCid = await add(content);
  }
  for (let i = 0; i < mix.Incident; i++) await add({ ...fixtures.incident(), round: i + 1, incidentId: `inc-${i}` } as KnowledgeRecord);
  for (let i = 0; i < mix.ChaosReport; i++) await add({ ...fixtures.chaosReport(), round: i + 1, createdAt: at(i) } as KnowledgeRecord);
  for (let i = 0; i < mix.MapekSnapshot; i++) await add({ ...fixtures.snapshotV2(), round: i + 1, createdAt: at(i) } as KnowledgeRecord);
  return records;
}

const epochNumber = 1;
const records = await epochRecords();
const epoch = await buildEpoch({
  epoch: epochNumber,
  records,
  chainId: await publicClient.getChainId(),
  addresses: { registry: synod.registry.address, policy: synod.policy.address },
  openedAt: Date.UTC(2026, 11, 1),
  closedAt: Date.UTC(2026, 11, 2),
  modelRelease: MODEL_RELEASE.BestHoldoutAccuracy,
  gatewayUrl: "http://127.0.0.1:8787",
});
if (epoch.proposalType !== "routine") throw new Error("the measured epoch should be routine");
const epochArgs = [epoch.actions.map((a) => a.target), epoch.actions.map(() => 0n), epoch.actions.map((a) => a.data), epoch.description] as const;
const proposeEpoch = await gasOf(await synod.governor.write.propose(epochArgs, { account: keeper!.account }));
// routine: no votes cast
await networkHelpers.time.increaseTo((await synod.governor.read.proposalDeadline([epoch.proposalId])) + 1n);
const queueEpoch = await gasOf(await synod.governor.write.queue([epoch.proposalId], { account: keeper!.account }));
await networkHelpers.time.increaseTo((await synod.governor.read.proposalEta([epoch.proposalId])) + 1n);
const executeEpoch = await gasOf(await synod.governor.write.execute([epoch.proposalId], { account: keeper!.account }));
const epochTotal = Number(proposeEpoch + queueEpoch + executeEpoch);

// an incident: promoting a model is only allowed past latestModel (the released one)
const sampleIndex = records.findIndex((record) => record.kind === KNOWLEDGE_KINDS.Incident);
const sample = records[sampleIndex]!;
const sampleLeaf = {
  epoch: BigInt(epochNumber),
  kind: sample.kind,
  schemaVersion: sample.schemaVersion,
  round: sample.round,
  cid: cidToBytes(sample.cid),
  refCid: epoch.manifest.records[sampleIndex]!.refCid ? cidToBytes(epoch.manifest.records[sampleIndex]!.refCid!) : ("0x" as Hex),
};
const sampleProof = epoch.tree.getProof(sampleIndex) as Hex[];
if (!(await synod.registry.read.verifyRecord([sampleLeaf, sampleProof]))) throw new Error("the sample record does not verify");
// a whole transaction calling verifyRecord: 21,000 base + calldata (leaf and proof) + execution
const verifyRecordGas = await publicClient.estimateGas({
  to: synod.registry.address,
  data: encodeFunctionData({ abi: synod.registry.abi, functionName: "verifyRecord", args: [sampleLeaf, sampleProof] }),
  account: voter1!.account.address,
});
const promoteRecord = await gasOf(await synod.registry.write.promoteRecord([sampleLeaf, sampleProof], { account: voter1!.account }));

const report = {
  registry: {
    recordOne: Number(recordOne),
    recordBatch20: Number(recordBatch20),
    recordBatch20PerEntry: Math.round(Number(recordBatch20) / 20),
  },
  governance: {
    proposeWith20Records: Number(propose20),
    castVote: Number(castVote),
    castVoteWithReason: Number(castVoteWithReason),
    queueWith20Records: Number(queue20),
    executeWith20RecordCalls: Number(execute20),
    executeWith20RecordCallsPerEntry: Math.round(Number(execute20) / 20),
  },
  epoch: {
    records: EPOCH_RECORDS,
    endToEndGasPerRecord: Math.round(epochTotal / EPOCH_RECORDS),
    verifyRecordGas: Number(verifyRecordGas),
    endToEndGas: epochTotal,
    propose: Number(proposeEpoch),
    queue: Number(queueEpoch),
    execute: Number(executeEpoch),
    mix,
    actions: epoch.actions.length,
    headlines: epoch.manifest.headlines.length,
    proposalCalldataBytes: epoch.actions.reduce((sum, a) => sum + (a.data.length - 2) / 2, 0),
    descriptionBytes: Buffer.byteLength(epoch.description),
    proofLength: sampleProof.length,
    promoteRecord: Number(promoteRecord),
  },
};
console.log(JSON.stringify(report, null, 2));
