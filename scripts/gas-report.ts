/**
 * Gas figures for the operations people pay for, on the in-process chain:
 * recording one knowledge entry, a batch of 20, proposing, voting, queueing and
 * executing. Prints one JSON object.
 *
 *   npm run gas
 *
 * Registry writes are measured in steady state (the registry already holds
 * records, each write belongs to a new proposal), as the call the timelock makes.
 */
import { network } from "hardhat";
import { createHash } from "node:crypto";
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
};
console.log(JSON.stringify(report, null, 2));
