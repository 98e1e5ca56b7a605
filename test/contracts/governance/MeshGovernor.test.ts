import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getAddress, keccak256, parseEventLogs, toHex, zeroAddress } from "viem";
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
  type Synod,
} from "../../fixtures/synod.ts";
import { policyParameterKey } from "../../../coordinator/policy/parameters.ts";

const KIND_MODEL = 0;

function modelRecord(content: string, round = 1) {
  return { kind: KIND_MODEL, schemaVersion: 1, ref: 0, round, cid: rawCid(content) };
}

/** A full-vote action (a MeshPolicy change): quorum rules apply to its proposal. */
function policyChange(synod: Synod, value = 15n) {
  return call(synod.policy, "setParameter", [policyParameterKey("fl.targetParticipants"), value]);
}

describe("MeshGovernor", () => {
  describe("deployment", () => {
    it("wires token, timelock, registry and policy and leaves no admin key", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const { governor, timelock, token, registry, policy, keeper } = synod;

      assert.equal(await governor.read.token(), getAddress(token.address));
      assert.equal(await governor.read.timelock(), getAddress(timelock.address));
      assert.equal(await registry.read.governance(), getAddress(timelock.address));
      assert.equal(await policy.read.governance(), getAddress(timelock.address));
      assert.equal(await governor.read.votingDelay(), LOCAL.votingDelay);
      assert.equal(await governor.read.votingPeriod(), LOCAL.votingPeriod);
      assert.equal(await governor.read.CLOCK_MODE(), "mode=timestamp");
      assert.equal(await token.read.CLOCK_MODE(), "mode=timestamp");

      const role = (name: string) => keccak256(toHex(name));
      assert.equal(await timelock.read.hasRole([role("PROPOSER_ROLE"), governor.address]), true);
      assert.equal(await timelock.read.hasRole([role("CANCELLER_ROLE"), governor.address]), true);
      assert.equal(await timelock.read.hasRole([role("PROPOSER_ROLE"), keeper.account.address]), false);
      assert.equal(await timelock.read.hasRole([role("EXECUTOR_ROLE"), zeroAddress]), true, "anyone may execute");
      const admin = "0x0000000000000000000000000000000000000000000000000000000000000000";
      assert.equal(await timelock.read.hasRole([admin, keeper.account.address]), false, "deployer renounced admin");
    });

    it("gives the demo voters self-delegated voting power", async () => {
      const { token, voters, keeper } = await networkHelpers.loadFixture(deploySynod);
      for (const voter of voters) {
        assert.equal(await token.read.getVotes([voter.account.address]), LOCAL.demoVoterAmount);
      }
      assert.equal(await token.read.getVotes([keeper.account.address]), LOCAL.supply - 4n * LOCAL.demoVoterAmount);
    });
  });

  describe("lifecycle", () => {
    it("propose → vote (for, against, abstain, with reason, by signature) → queue → execute writes the record", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const { governor, registry, policy, voters, publicClient } = synod;
      const record = modelRecord("model round 1");
      const { proposalId } = await propose(
        synod,
        [call(registry, "record", [record]), call(policy, "setParameter", [policyParameterKey("fl.targetParticipants"), 15n])],
        "# Ratify model round 1",
      );
      assert.equal(await governor.read.state([proposalId]), ProposalState.Pending);
      assert.equal(await governor.read.proposalCount(), 1n);

      await startVoting(synod, proposalId);
      assert.equal(await governor.read.state([proposalId]), ProposalState.Active);

      const reasonHash = await governor.write.castVoteWithReason([proposalId, VoteType.For, "accuracy is up"], {
        account: voters[0]!.account,
      });
      await viem.assertions.emitWithArgs(reasonHash, governor, "VoteCast", [
        getAddress(voters[0]!.account.address),
        proposalId,
        VoteType.For,
        LOCAL.demoVoterAmount,
        "accuracy is up",
      ]);
      await governor.write.castVote([proposalId, VoteType.Against], { account: voters[1]!.account });
      await governor.write.castVote([proposalId, VoteType.Abstain], { account: voters[2]!.account });

      // voter 4 signs off-chain; the keeper relays the vote and pays the gas
      const signer = voters[3]!;
      const nonce = await governor.read.nonces([signer.account.address]);
      const signature = await signer.signTypedData({
        account: signer.account,
        domain: { name: "Synod MeshGovernor", version: "1", chainId: await publicClient.getChainId(), verifyingContract: governor.address },
        types: {
          Ballot: [
            { name: "proposalId", type: "uint256" },
            { name: "support", type: "uint8" },
            { name: "voter", type: "address" },
            { name: "nonce", type: "uint256" },
          ],
        },
        primaryType: "Ballot",
        message: { proposalId, support: VoteType.For, voter: signer.account.address, nonce },
      });
      await governor.write.castVoteBySig([proposalId, VoteType.For, signer.account.address, signature], {
        account: synod.keeper.account,
      });
      assert.equal(await governor.read.hasVoted([proposalId, signer.account.address]), true);

      const [against, forVotes, abstain] = await governor.read.proposalVotes([proposalId]);
      assert.deepEqual([against, forVotes, abstain], [LOCAL.demoVoterAmount, 2n * LOCAL.demoVoterAmount, LOCAL.demoVoterAmount]);

      await endVoting(synod, proposalId);
      assert.equal(await governor.read.state([proposalId]), ProposalState.Succeeded);
      const receipt = await queueAndExecute(synod, proposalId);
      assert.equal(await governor.read.state([proposalId]), ProposalState.Executed);

      const [added] = parseEventLogs({ abi: registry.abi, logs: receipt.logs, eventName: "RecordAdded" });
      assert.ok(added, "RecordAdded emitted");
      assert.equal(added.args.proposalId, proposalId);
      const stored = await registry.read.getRecord([added.args.id]);
      assert.equal(stored.cid, record.cid, "CID comes back byte-for-byte");
      assert.equal(stored.proposalId, proposalId, "the ratifying proposal is recorded");
      assert.equal(stored.round, 1);
      assert.equal(stored.revokedAt, 0);
      assert.equal(await policy.read.getParameter([policyParameterKey("fl.targetParticipants")]), 15n);
    });

    it("defeats a proposal with more votes against than for, and it cannot be queued", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const { proposalId } = await propose(synod, [call(synod.registry, "record", [modelRecord("defeated")]), policyChange(synod)], "defeated");
      await startVoting(synod, proposalId);
      await synod.governor.write.castVote([proposalId, VoteType.For], { account: synod.voters[0]!.account });
      await synod.governor.write.castVote([proposalId, VoteType.Against], { account: synod.voters[1]!.account });
      await synod.governor.write.castVote([proposalId, VoteType.Against], { account: synod.voters[2]!.account });
      await endVoting(synod, proposalId);
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Defeated);
      await viem.assertions.revertWithCustomError(
        synod.governor.write.queue([proposalId], { account: synod.keeper.account }),
        synod.governor,
        "GovernorUnexpectedProposalState",
      );
      assert.equal(await synod.registry.read.recordCount([KIND_MODEL]), 0n);
    });

    it("expires a succeeded proposal left unqueued past the grace period", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const { proposalId } = await propose(synod, [call(synod.registry, "record", [modelRecord("late")])], "late");
      await startVoting(synod, proposalId);
      await synod.governor.write.castVote([proposalId, VoteType.For], { account: synod.voters[0]!.account });
      await endVoting(synod, proposalId);
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Succeeded);
      await networkHelpers.time.increase(LOCAL.gracePeriod);
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Expired);
      await viem.assertions.revertWithCustomError(
        synod.governor.write.queue([proposalId], { account: synod.keeper.account }),
        synod.governor,
        "GovernorUnexpectedProposalState",
      );
    });

    it("lets the proposer cancel a pending proposal, after which nobody can vote", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const actions = [call(synod.registry, "record", [modelRecord("cancelled")])];
      const { proposalId, descriptionHash } = await propose(synod, actions, "cancelled");
      await synod.governor.write.cancel(
        [actions.map((a) => a.target), [0n], actions.map((a) => a.data), descriptionHash],
        { account: synod.keeper.account },
      );
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Canceled);
      await startVoting(synod, proposalId);
      await viem.assertions.revertWithCustomError(
        synod.governor.write.castVote([proposalId, VoteType.For], { account: synod.voters[0]!.account }),
        synod.governor,
        "GovernorUnexpectedProposalState",
      );
    });
  });

  describe("quorum", () => {
    async function proposalBackedBy(synod: Synod, votes: bigint) {
      const [holder] = synod.outsiders;
      await synod.token.write.transfer([holder!.account.address, votes], { account: synod.voters[0]!.account });
      await synod.token.write.delegate([holder!.account.address], { account: holder!.account });
      const { proposalId } = await propose(synod, [policyChange(synod)], `quorum ${votes}`);
      await startVoting(synod, proposalId);
      await synod.governor.write.castVote([proposalId, VoteType.For], { account: holder!.account });
      await endVoting(synod, proposalId);
      return proposalId;
    }

    const quorum = (LOCAL.supply * LOCAL.quorumPercent) / 100n;

    it("succeeds when For + Abstain exactly meet the quorum", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const snapshotQuorum = await synod.governor.read.quorum([BigInt(await networkHelpers.time.latest()) - 1n]);
      assert.equal(snapshotQuorum, quorum);
      const proposalId = await proposalBackedBy(synod, quorum);
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Succeeded);
    });

    it("is defeated when the quorum is missed by one wei of votes", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const proposalId = await proposalBackedBy(synod, quorum - 1n);
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Defeated);
    });

    it("extends the vote when the quorum is reached in its last moments", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const { proposalId } = await propose(synod, [policyChange(synod)], "late quorum");
      const deadline = await synod.governor.read.proposalDeadline([proposalId]);
      await networkHelpers.time.increaseTo(deadline - 5n);
      const hash = await synod.governor.write.castVote([proposalId, VoteType.For], { account: synod.voters[0]!.account });
      const receipt = await synod.publicClient.waitForTransactionReceipt({ hash });
      const block = await synod.publicClient.getBlock({ blockNumber: receipt.blockNumber });
      const extended = block.timestamp + LOCAL.lateQuorumExtension;
      await viem.assertions.emitWithArgs(hash, synod.governor, "ProposalExtended", [proposalId, extended]);
      assert.equal(await synod.governor.read.proposalDeadline([proposalId]), extended);
      await networkHelpers.time.increaseTo(deadline + 1n);
      assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Active, "still open after the original deadline");
    });
  });

  describe("governance-only settings", () => {
    it("changes the grace period only through a proposal, and rejects zero", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      await viem.assertions.revertWithCustomError(
        synod.governor.write.setGracePeriod([1200], { account: synod.keeper.account }),
        synod.governor,
        "GovernorOnlyExecutor",
      );
      await pass(synod, [call(synod.governor, "setGracePeriod", [1200])], "longer grace");
      assert.equal(await synod.governor.read.gracePeriod(), 1200);

      const { proposalId } = await propose(synod, [call(synod.governor, "setGracePeriod", [0])], "zero grace");
      await startVoting(synod, proposalId);
      await synod.governor.write.castVote([proposalId, VoteType.For], { account: synod.voters[0]!.account });
      await endVoting(synod, proposalId);
      await synod.governor.write.queue([proposalId], { account: synod.keeper.account });
      await networkHelpers.time.increase(LOCAL.timelockDelay + 1n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        synod.governor.write.execute([proposalId], { account: synod.keeper.account }),
        synod.governor,
        "GovernorInvalidGracePeriod",
        [0],
      );
      assert.equal(await synod.governor.read.gracePeriod(), 1200);
    });
  });
});
