import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getAddress, getContractAddress, keccak256, toHex } from "viem";
import { ProposalState, call, deploySynod, networkHelpers, propose, rawCid, viem } from "../../../fixtures/synod.ts";
import { policyParameterKey } from "../../../../coordinator/policy/parameters.ts";

const model = (content: string) => ({ kind: 0, schemaVersion: 1, ref: 0, round: 1, cid: rawCid(content) });

describe("GovernorCodeStorage", () => {
  it("enumerates proposals with their actions as GovernorStorage does, and cancels by id", async () => {
    const synod = await networkHelpers.loadFixture(deploySynod);
    const actions = [
      call(synod.registry, "record", [model("stored as code")]),
      { ...call(synod.policy, "setParameter", [policyParameterKey("fl.targetParticipants"), 15n]), value: 0n },
    ];
    const nonce = await synod.publicClient.getTransactionCount({ address: synod.governor.address });
    const { proposalId } = await propose(synod, actions, "# stored as code");

    assert.equal(await synod.governor.read.proposalCount(), 1n);
    const [targets, values, calldatas, descriptionHash] = await synod.governor.read.proposalDetails([proposalId]);
    assert.deepEqual(targets, actions.map((a) => getAddress(a.target)));
    assert.deepEqual(values, [0n, 0n]);
    assert.deepEqual(calldatas, actions.map((a) => a.data));
    assert.equal(descriptionHash, keccak256(toHex("# stored as code")));

    // the details live in a data contract the governor created, behind a STOP byte
    const dataContract = getContractAddress({ from: synod.governor.address, nonce: BigInt(nonce) });
    const code = await synod.publicClient.getCode({ address: dataContract });
    assert.ok(code?.startsWith("0x00"), "starts with STOP, so calling it does nothing");

    await synod.governor.write.cancel([proposalId], { account: synod.keeper.account });
    assert.equal(await synod.governor.read.state([proposalId]), ProposalState.Canceled);
  });

  it("reverts for a proposal it does not know, as GovernorStorage does", async () => {
    const synod = await networkHelpers.loadFixture(deploySynod);
    for (const read of [
      synod.governor.read.proposalDetails([42n]),
      synod.governor.simulate.queue([42n]),
      synod.governor.simulate.execute([42n]),
      synod.governor.simulate.cancel([42n]),
    ]) {
      await viem.assertions.revertWithCustomErrorWithArgs(read, synod.governor, "GovernorNonexistentProposal", [42n]);
    }
  });

  it("refuses a proposal whose packed actions exceed one contract's code (EIP-170), and takes one just below", async () => {
    const synod = await networkHelpers.loadFixture(deploySynod);
    // each record call packs to 56 + 292 bytes: 70 fit in 24,576, 71 do not
    const records = (count: number, tag: string) =>
      Array.from({ length: count }, (_, i) => call(synod.registry, "record", [model(`${tag} ${i}`)]));
    const args = (actions: ReturnType<typeof records>, description: string) =>
      [actions.map((a) => a.target), actions.map(() => 0n), actions.map((a) => a.data), description] as const;
    await viem.assertions.revertWithCustomError(
      synod.governor.write.propose(args(records(71, "too many"), "71 records"), { account: synod.keeper.account }),
      synod.governor,
      "GovernorProposalDataNotStored",
    );
    const { proposalId } = await propose(synod, records(70, "just fits"), "70 records");
    assert.equal((await synod.governor.read.proposalDetails([proposalId]))[2].length, 70);
  });
});
