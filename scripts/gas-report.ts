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
 * `epoch`: one knowledge epoch of 1,000 records ratified by one routine proposal on
 * the real deployment (`recordEpoch` with the StandardMerkleTree root over the 1,000
 * leaves, plus the headline records: one released model, one chaos report), passed
 * with no votes; `endToEndGasPerRecord` is (propose + queue + execute) / 1,000.
 */
import { network } from "hardhat";
import { createHash } from "node:crypto";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { encodeFunctionData, type Hex } from "viem";
import SynodLocalModule from "../ignition/modules/SynodLocal.ts";

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

// Knowledge epochs of 1,000 records each, on the same deployment (which already holds the 20 records above).
const EPOCH_RECORDS = 1000;
const LEAF_ENCODING = ["uint64", "uint8", "uint16", "uint32", "bytes", "bytes"];
type Leaf = [bigint, number, number, number, Hex, Hex];
// per kind (Model, Incident, ChaosReport, MapekSnapshot, Directive): a day of FL rounds and what the mesh went through
const counts = [960, 12, 2, 24, 2] as const;

/** The epoch's leaves (models chained by refCid), its StandardMerkleTree and its headlines. */
function buildEpoch(epoch: bigint) {
  const leaves: Leaf[] = [];
  let previousModel: Hex = "0x";
  for (const [kind, count] of counts.entries()) {
    for (let i = 0; i < count; i++) {
      const leafCid = cid(`epoch ${epoch} kind ${kind} record ${i}`);
      leaves.push([epoch, kind, 1, i + 1, leafCid, kind === 0 ? previousModel : "0x"]);
      if (kind === 0) previousModel = leafCid;
    }
  }
  const tree = StandardMerkleTree.of(leaves, LEAF_ENCODING);
  const released = leaves[counts[0] - 1]!; // the model the epoch releases
  const chaosReport = leaves[counts[0] + counts[1]]!;
  const recordEpoch = encodeFunctionData({
    abi: synod.registry.abi,
    functionName: "recordEpoch",
    args: [epoch, tree.root as Hex, cid(`epoch ${epoch} manifest`), [...counts]],
  });
  // what the keeper's description carries: counts per kind and the headlines, not 1,000 CIDs
  const description = [
    `# Knowledge epoch ${epoch}`,
    "",
    `1,000 records: ${counts[0]} Model, ${counts[1]} Incident, ${counts[2]} ChaosReport, ${counts[3]} MapekSnapshot, ${counts[4]} Directive.`,
    `Root ${tree.root}, manifest ${cid(`epoch ${epoch} manifest`)}.`,
    "",
    `- Model (round ${released[3]}): ${released[4]}`,
    `- ChaosReport: ${chaosReport[4]}`,
  ].join("\n");
  const headlines = [released, chaosReport].map((leaf) => ({ kind: leaf[1], schemaVersion: leaf[2], ref: 0, round: leaf[3], cid: leaf[4] }));
  return { leaves, tree, recordEpoch, headlines, description };
}

/** Proposes `actions` (all to the registry), lets the routine vote pass with no votes, queues and executes. */
async function ratify(actions: Hex[], description: string) {
  const args = [actions.map(() => synod.registry.address), actions.map(() => 0n), actions, description] as const;
  const { result: proposalId } = await synod.governor.simulate.propose(args, { account: keeper!.account.address });
  const propose = await gasOf(await synod.governor.write.propose(args, { account: keeper!.account }));
  await networkHelpers.time.increaseTo((await synod.governor.read.proposalDeadline([proposalId])) + 1n);
  const queue = await gasOf(await synod.governor.write.queue([proposalId], { account: keeper!.account }));
  await networkHelpers.time.increaseTo((await synod.governor.read.proposalEta([proposalId])) + 1n);
  const execute = await gasOf(await synod.governor.write.execute([proposalId], { account: keeper!.account }));
  const calldataBytes = actions.reduce((sum, data) => sum + (data.length - 2) / 2, 0);
  return { propose: Number(propose), queue: Number(queue), execute: Number(execute), total: Number(propose + queue + execute), calldataBytes };
}

// Steady state: the registry has ratified epochs before. Epoch 1 with no headline is the floor,
// epoch 2 names its headlines in two `record` calls, epoch 3 (the figure) in one `recordBatch`.
const epochOnly = buildEpoch(1n);
const floor = await ratify([epochOnly.recordEpoch], epochOnly.description);
const twoCalls = buildEpoch(2n);
const separate = await ratify(
  [twoCalls.recordEpoch, ...twoCalls.headlines.map((input) => encodeFunctionData({ abi: synod.registry.abi, functionName: "record", args: [input] }))],
  twoCalls.description,
);
const epoch = buildEpoch(3n);
const epochActions = [
  epoch.recordEpoch,
  encodeFunctionData({ abi: synod.registry.abi, functionName: "recordBatch", args: [epoch.headlines] }),
];
const batched = await ratify(epochActions, epoch.description);

const sampleIndex = 500;
const [epochN, kindN, schemaN, roundN, cidN, refN] = epoch.leaves[sampleIndex]!;
const sampleLeaf = { epoch: epochN, kind: kindN, schemaVersion: schemaN, round: roundN, cid: cidN, refCid: refN };
const sampleProof = epoch.tree.getProof(sampleIndex) as Hex[];
if (!(await synod.registry.read.verifyRecord([sampleLeaf, sampleProof]))) throw new Error("the sample record does not verify");
// a whole transaction calling verifyRecord: 21,000 base + calldata (leaf and 10-hash proof) + execution
const verifyRecordGas = await publicClient.estimateContractGas({
  address: synod.registry.address,
  abi: synod.registry.abi,
  functionName: "verifyRecord",
  args: [sampleLeaf, sampleProof],
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
    endToEndGasPerRecord: Math.round(batched.total / EPOCH_RECORDS),
    verifyRecordGas: Number(verifyRecordGas),
    endToEndGas: batched.total,
    propose: batched.propose,
    queue: batched.queue,
    execute: batched.execute,
    headlines: "recordEpoch + recordBatch([released model, chaos report])",
    proposalCalldataBytes: batched.calldataBytes,
    descriptionBytes: Buffer.byteLength(epoch.description),
    proofLength: sampleProof.length,
    promoteRecord: Number(promoteRecord),
    headlinesAsTwoRecordCalls: { endToEndGasPerRecord: Math.round(separate.total / EPOCH_RECORDS), ...separate },
    recordEpochAlone: { endToEndGasPerRecord: Math.round(floor.total / EPOCH_RECORDS), ...floor },
  },
};
console.log(JSON.stringify(report, null, 2));
