import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getAddress, parseEventLogs, type Hex } from "viem";
import {
  LOCAL,
  ProposalState,
  VoteType,
  call,
  deploySynod,
  endVoting,
  networkHelpers,
  pass,
  propose,
  queueAndExecute,
  rawCid,
  startVoting,
  viem,
  type Action,
  type Synod,
} from "../../../fixtures/synod.ts";
import { policyParameterKey } from "../../../../coordinator/policy/parameters.ts";

const ProposalType = { FullVote: 0, Routine: 1 } as const;
const vetoThreshold = (LOCAL.supply * LOCAL.vetoThresholdBps) / 10_000n;

const model = (content: string) => ({ kind: 0, schemaVersion: 1, ref: 0, round: 1, cid: rawCid(content) });

/** What a keeper's epoch proposal holds: the root, a released model and a chaos report (headlines). */
function epochActions(synod: Synod, epoch = 1n): Action[] {
  const root = `0x${epoch.toString(16).padStart(64, "a")}` as Hex;
  return [
    call(synod.registry, "recordEpoch", [epoch, root, rawCid(`manifest ${epoch}`), [30, 1, 1, 1, 0]]),
    call(synod.registry, "record", [model(`released model of epoch ${epoch}`)]),
    call(synod.registry, "recordBatch", [[{ ...model(`chaos report of epoch ${epoch}`), kind: 2 }]]),
  ];
}

const policyChange = (synod: Synod) => call(synod.policy, "setParameter", [policyParameterKey("fl.targetParticipants"), 15n]);

/** Gives `votes` to a fresh holder (self-delegated) before the proposal is made, so they count at its snapshot. */
async function holderWith(synod: Synod, votes: bigint, index = 0) {
  const holder = synod.outsiders[index]!;
  await synod.token.write.transfer([holder.account.address, votes], { account: synod.voters[index]!.account });
  await synod.token.write.delegate([holder.account.address], { account: holder.account });
  return holder;
}

const typeOf = (synod: Synod, actions: Action[]) =>
  synod.governor.read.actionsType([actions.map((a) => a.target), actions.map((a) => a.value ?? 0n), actions.map((a) => a.data)]);

describe("GovernorProposalTypes", () => {
  describe("deployment", () => {
    it("binds the registry once, with the local veto threshold", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      assert.equal(await synod.governor.read.knowledgeRegistry(), getAddress(synod.registry.address));
      assert.equal(await synod.governor.read.vetoThresholdBps(), LOCAL.vetoThresholdBps);
      const snapshot = BigInt(await networkHelpers.time.latest()) - 1n;
      assert.equal(await synod.governor.read.vetoThreshold([snapshot]), vetoThreshold);

      await viem.assertions.revertWithCustomErrorWithArgs(
        synod.governor.write.bindKnowledgeRegistry([synod.policy.address], { account: synod.keeper.account }),
        synod.governor,
        "GovernorKnowledgeRegistryBound",
        [getAddress(synod.registry.address)],
      );
      const [outsider] = synod.outsiders;
      await viem.assertions.revertWithCustomErrorWithArgs(
        synod.governor.write.bindKnowledgeRegistry([synod.registry.address], { account: outsider!.account }),
        synod.governor,
        "GovernorUnauthorizedBinder",
        [getAddress(outsider!.account.address)],
      );
    });

    it("treats everything as a full vote until a registry written by its timelock is bound", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const governor = await viem.deployContract("MeshGovernor", [
        synod.token.address,
        synod.timelock.address,
        1,
        120,
        0n,
        10n,
        30,
        600,
        1000n,
      ]);
      const actions = epochActions(synod);
      const args = [actions.map((a) => a.target), actions.map(() => 0n), actions.map((a) => a.data)] as const;
      assert.equal(await governor.read.knowledgeRegistry(), "0x0000000000000000000000000000000000000000");
      assert.equal(await governor.read.actionsType(args), ProposalType.FullVote);

      // a registry whose writer is not this governor's timelock
      const foreign = await viem.deployContract("KnowledgeRegistry", [synod.keeper.account.address, governor.address]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        governor.write.bindKnowledgeRegistry([foreign.address]),
        governor,
        "GovernorInvalidKnowledgeRegistry",
        [getAddress(foreign.address)],
      );
      const hash = await governor.write.bindKnowledgeRegistry([synod.registry.address]);
      await viem.assertions.emitWithArgs(hash, governor, "KnowledgeRegistryBound", [getAddress(synod.registry.address)]);
      assert.equal(await governor.read.actionsType(args), ProposalType.Routine);
    });

    it("refuses a veto threshold of 0 or above 100 %", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      for (const bps of [0n, 10_001n]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          viem.deployContract("MeshGovernor", [synod.token.address, synod.timelock.address, 1, 120, 0n, 10n, 30, 600, bps]),
          synod.governor,
          "GovernorInvalidVetoThreshold",
          [bps],
        );
      }
    });
  });

  describe("a routine proposal", () => {
    it("(recordEpoch + record calls) passes with no votes at all and executes", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const actions = epochActions(synod);
      assert.equal(await typeOf(synod, actions), ProposalType.Routine);
      const { proposalId } = await propose(synod, actions, "# Knowledge epoch 1");
      assert.equal(await synod.governor.read.proposalType([proposalId]), ProposalType.Routine);
      await startVoting(synod, proposalId);
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Active);
      await endVoting(synod, proposalId);
      assert.deepEqual(await synod.governor.read.proposalVotes([proposalId]), [0n, 0n, 0n]);
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Succeeded);
      assert.equal(await synod.governor.read.proposalVetoed([proposalId]), false);

      const receipt = await queueAndExecute(synod, proposalId);
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Executed);
      assert.equal((await synod.registry.read.getEpoch([1n])).proposalId, proposalId);
      const added = parseEventLogs({ abi: synod.registry.abi, logs: receipt.logs, eventName: "RecordAdded" });
      assert.equal(added.length, 2, "the two headline records");

      // GovernorStorage enumeration still describes it
      assert.equal(await synod.governor.read.proposalCount(), 1n);
      const [id, targets, values, calldatas] = await synod.governor.read.proposalDetailsAt([0n]);
      assert.equal(id, proposalId);
      assert.deepEqual(targets, actions.map((a) => getAddress(a.target)));
      assert.deepEqual(values, [0n, 0n, 0n]);
      assert.deepEqual(calldatas, actions.map((a) => a.data));
    });

    it("is Defeated when Against reaches the veto threshold, and vetoed", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const vetoer = await holderWith(synod, vetoThreshold);
      const { proposalId } = await propose(synod, epochActions(synod), "vetoed epoch");
      await startVoting(synod, proposalId);
      // For votes do not outweigh a veto
      await synod.governor.write.castVote([proposalId, VoteType.For], { account: synod.voters[1]!.account });
      await synod.governor.write.castVote([proposalId, VoteType.Against], { account: vetoer.account });
      assert.equal(await synod.governor.read.proposalVetoed([proposalId]), true);
      await endVoting(synod, proposalId);
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Defeated);
      await viem.assertions.revertWithCustomError(
        synod.governor.write.queue([proposalId], { account: synod.keeper.account }),
        synod.governor,
        "GovernorUnexpectedProposalState",
      );
    });

    it("still passes with Against one wei below the threshold", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const opponent = await holderWith(synod, vetoThreshold - 1n);
      const { proposalId } = await propose(synod, epochActions(synod), "nearly vetoed epoch");
      await startVoting(synod, proposalId);
      await synod.governor.write.castVote([proposalId, VoteType.Against], { account: opponent.account });
      await endVoting(synod, proposalId);
      const [against, forVotes] = await synod.governor.read.proposalVotes([proposalId]);
      assert.deepEqual([against, forVotes], [vetoThreshold - 1n, 0n], "against outweighs for, and it does not matter");
      assert.equal(await synod.governor.read.proposalVetoed([proposalId]), false);
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Succeeded);
      await queueAndExecute(synod, proposalId);
      assert.equal(await synod.registry.read.epochCount(), 1n);
    });

    it("gets no late-quorum extension from a vote in its last moments", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const { proposalId } = await propose(synod, epochActions(synod), "late vote");
      const deadline = await synod.governor.read.proposalDeadline([proposalId]);
      await networkHelpers.time.increaseTo(deadline - 5n);
      const hash = await synod.governor.write.castVote([proposalId, VoteType.For], { account: synod.voters[0]!.account });
      const receipt = await synod.publicClient.waitForTransactionReceipt({ hash });
      assert.equal(parseEventLogs({ abi: synod.governor.abi, logs: receipt.logs, eventName: "ProposalExtended" }).length, 0);
      assert.equal(await synod.governor.read.proposalDeadline([proposalId]), deadline);
    });

    it("uses the veto threshold in force at its snapshot", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const opponent = await holderWith(synod, vetoThreshold);
      const { proposalId: before } = await propose(synod, epochActions(synod), "before the change");
      await startVoting(synod, before);
      await synod.governor.write.castVote([before, VoteType.Against], { account: opponent.account });

      // governance raises the threshold to 20 % while that routine proposal is open
      const { receipt } = await pass(synod, [call(synod.governor, "setVetoThreshold", [2000n])], "raise the veto threshold");
      const [set] = parseEventLogs({ abi: synod.governor.abi, logs: receipt.logs, eventName: "VetoThresholdSet" });
      assert.deepEqual(set?.args, { oldBps: 1000n, newBps: 2000n });
      assert.equal(await synod.governor.read.vetoThresholdBps(), 2000n);
      assert.equal(await synod.governor.read.state([before]), ProposalState.Defeated, "10 % vetoed it at its snapshot");
      assert.equal(await synod.governor.read.proposalVetoed([before]), true);

      const { proposalId: after } = await propose(synod, epochActions(synod, 2n), "after the change");
      await startVoting(synod, after);
      await synod.governor.write.castVote([after, VoteType.Against], { account: opponent.account });
      await endVoting(synod, after);
      assert.equal(await synod.governor.read.state([after]), ProposalState.Succeeded, "10 % no longer vetoes");
      await viem.assertions.revertWithCustomError(
        synod.governor.write.setVetoThreshold([3000n], { account: synod.keeper.account }),
        synod.governor,
        "GovernorOnlyExecutor",
      );
    });
  });

  describe("a full-vote proposal", () => {
    it("carries a MeshPolicy change beside recordEpoch, and is Defeated without quorum (For only, one wei short)", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const supporter = await holderWith(synod, (LOCAL.supply * LOCAL.quorumPercent) / 100n - 1n);
      const actions = [...epochActions(synod), policyChange(synod)];
      const { proposalId } = await propose(synod, actions, "epoch with a directive");
      assert.equal(await synod.governor.read.proposalType([proposalId]), ProposalType.FullVote);
      await startVoting(synod, proposalId);
      await synod.governor.write.castVote([proposalId, VoteType.For], { account: supporter.account });
      await endVoting(synod, proposalId);
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Defeated);
      assert.equal(await synod.governor.read.proposalVetoed([proposalId]), false, "a full vote is never vetoed, it is voted down");
    });

    it("passes with the quorum like any OpenZeppelin proposal", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const { proposalId } = await pass(synod, [...epochActions(synod), policyChange(synod)], "epoch with a directive");
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Executed);
      assert.equal(await synod.policy.read.getParameter([policyParameterKey("fl.targetParticipants")]), 15n);
    });

    describe("whenever any action is not a knowledge write to the registry", () => {
      const cases: Array<[string, (synod: Synod) => Action]> = [
        ["MeshPolicy setParameter", policyChange],
        ["MeshPolicy banNode", (synod) => call(synod.policy, "banNode", [synod.outsiders[0]!.account.address])],
        ["registry revoke", (synod) => call(synod.registry, "revoke", [1])],
        ["registry supersede", (synod) => call(synod.registry, "supersede", [1, model("replacement")])],
        ["another target with a record call", (synod) => ({ ...call(synod.registry, "record", [model("elsewhere")]), target: synod.policy.address })],
        ["a record call with value", (synod) => ({ ...call(synod.registry, "record", [model("paid")]), value: 1n })],
        ["empty calldata to the registry", (synod) => ({ target: synod.registry.address, data: "0x" })],
        ["a truncated selector", (synod) => ({ target: synod.registry.address, data: call(synod.registry, "record", [model("x")]).data.slice(0, 8) as Hex })],
        ["the governor itself", (synod) => call(synod.governor, "setVetoThreshold", [5000n])],
      ];
      for (const [name, action] of cases) {
        it(name, async () => {
          const synod = await networkHelpers.loadFixture(deploySynod);
          assert.equal(await typeOf(synod, [action(synod)]), ProposalType.FullVote, "alone");
          const mixed = [...epochActions(synod), action(synod)];
          assert.equal(await typeOf(synod, mixed), ProposalType.FullVote, "with recordEpoch");
          const { proposalId } = await propose(synod, mixed, `mixed: ${name}`);
          assert.equal(await synod.governor.read.proposalType([proposalId]), ProposalType.FullVote);
        });
      }
    });
  });
});
