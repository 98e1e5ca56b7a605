/**
 * The dApp's proposal reads against the real contracts on an in-process chain without
 * Multicall3, through a client configured like the dApp's (deployless multicall,
 * batched). Many proposals of many record actions return far more than the 24 KiB one
 * deployless multicall can carry; every one of them must still be listed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createPublicClient, custom, getAddress, keccak256, toHex, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { deployedContracts } from "../../app/contracts/deployedContracts.ts";
import {
  DYNAMIC_RETURN_GUESS,
  RETURN_DATA_BUDGET,
  chunkedMulticall,
  planChunks,
  staticAbiSize,
  staticReturnSize,
} from "../../app/lib/chunkedMulticall.ts";
import type { SynodContracts } from "../../app/lib/contracts.ts";
import { readProposal, readProposals } from "../../app/lib/readProposals.ts";
import {
  ProposalState,
  VoteType,
  call,
  connection,
  deploySynod,
  endVoting,
  networkHelpers,
  propose,
  rawCid,
  startVoting,
  type Action,
  type Synod,
} from "../fixtures/synod.ts";

const KIND_MODEL = 0;
const PROPOSALS = 12;
const ACTIONS = 10;

/** JSON-RPC requests by method, of every client below. */
const requests = new Map<string, number>();
const countingProvider = {
  request: (args: { method: string; params?: unknown }) => {
    requests.set(args.method, (requests.get(args.method) ?? 0) + 1);
    return connection.provider.request(args as never);
  },
};

/** A client like the dApp's (app/lib/wagmiConfig.ts): reads batched into deployless multicalls. */
function dappClient(): PublicClient {
  return createPublicClient({
    chain: hardhat,
    transport: custom(countingProvider),
    batch: { multicall: { deployless: true, wait: 16 } },
  }) as PublicClient;
}

/** A client without multicall batching (multicalls only where asked for). */
function plainClient(): PublicClient {
  return createPublicClient({ chain: hardhat, transport: custom(countingProvider) }) as PublicClient;
}

function contractsOf(synod: Synod): SynodContracts {
  const known = deployedContracts[31337];
  return {
    ...known,
    MeshToken: { ...known.MeshToken, address: synod.token.address },
    MeshGovernor: { ...known.MeshGovernor, address: synod.governor.address },
    KnowledgeRegistry: { ...known.KnowledgeRegistry, address: synod.registry.address },
    MeshPolicy: { ...known.MeshPolicy, address: synod.policy.address },
  } as unknown as SynodContracts;
}

function recordActions(synod: Synod, proposal: number, count: number): Action[] {
  return Array.from({ length: count }, (_, i) =>
    call(synod.registry, "record", [{ kind: KIND_MODEL, schemaVersion: 1, ref: 0, round: proposal * 100 + i, cid: rawCid(`proposal ${proposal} record ${i}`) }]),
  );
}

/** `PROPOSALS` proposals of `ACTIONS` record actions; the voters back the even ones and reject the odd ones; voting then ends. */
async function manyProposals() {
  const synod = await deploySynod();
  const proposals: Array<{ id: bigint; actions: Action[]; description: string }> = [];
  for (let p = 0; p < PROPOSALS; p++) {
    const actions = recordActions(synod, p, ACTIONS);
    const description = `# Batch ${p}\n\n${ACTIONS} model records`;
    const { proposalId } = await propose(synod, actions, description);
    proposals.push({ id: proposalId, actions, description });
  }
  await startVoting(synod, proposals.at(-1)!.id);
  for (const [p, { id }] of proposals.entries()) {
    const support = p % 2 === 0 ? VoteType.For : VoteType.Against;
    for (const voter of synod.voters) {
      await synod.publicClient.waitForTransactionReceipt({ hash: await synod.governor.write.castVote([id, support], { account: voter.account }) });
    }
  }
  await endVoting(synod, proposals.at(-1)!.id);
  return { synod, proposals };
}

describe("readProposals on a chain without Multicall3", () => {
  it("the setting reproduces the cap: one deployless multicall of every proposal's details fails", async () => {
    const { synod } = await networkHelpers.loadFixture(manyProposals);
    const governor = contractsOf(synod).MeshGovernor;
    await assert.rejects(
      dappClient().multicall({
        allowFailure: false,
        batchSize: 0,
        contracts: Array.from({ length: PROPOSALS }, (_, i) => ({ ...governor, functionName: "proposalDetailsAt", args: [BigInt(i)] }) as const),
      }),
    );
  });

  for (const [name, client] of [
    ["the dApp's batched client", dappClient],
    ["a client without multicall batching", plainClient],
  ] as const) {
    it(`lists all ${PROPOSALS} proposals of ${ACTIONS} record actions with their states, tallies and actions (${name})`, async () => {
      const { synod, proposals } = await networkHelpers.loadFixture(manyProposals);
      const voter = synod.voters[0]!.account.address;
      requests.clear();
      const list = await readProposals({ client: client(), contracts: contractsOf(synod), account: voter });
      // Still batched: 12 proposals × 8 reads each take a few multicalls, not a request per read.
      const calls = requests.get("eth_call") ?? 0;
      assert.ok(calls <= PROPOSALS, `${calls} eth_calls for ${PROPOSALS} proposals`);

      assert.equal(list.length, PROPOSALS);
      const votes = 4n * 225_000n * 10n ** 18n;
      for (const [i, summary] of list.entries()) {
        const p = PROPOSALS - 1 - i; // newest first
        const expected = proposals[p]!;
        assert.equal(summary.index, p);
        assert.equal(summary.id, expected.id);
        assert.equal(summary.targets.length, ACTIONS);
        assert.deepEqual(summary.targets, expected.actions.map((a) => getAddress(a.target)));
        assert.deepEqual(summary.values, expected.actions.map(() => 0n));
        assert.deepEqual(summary.calldatas, expected.actions.map((a) => a.data));
        assert.equal(summary.descriptionHash, keccak256(toHex(expected.description)));
        const passed = p % 2 === 0;
        assert.equal(summary.chainState, passed ? "Succeeded" : "Defeated", `proposal ${p}`);
        assert.equal(summary.state, summary.chainState);
        assert.deepEqual(summary.votes, passed ? { against: 0n, for: votes, abstain: 0n } : { against: votes, for: 0n, abstain: 0n });
        assert.equal(summary.hasVoted, true);
        assert.equal(summary.proposer, getAddress(synod.keeper.account.address));
        assert.ok(summary.quorum > 0n);
        assert.equal(await synod.governor.read.state([summary.id]), passed ? ProposalState.Succeeded : ProposalState.Defeated);
      }

      const limited = await readProposals({ client: client(), contracts: contractsOf(synod), limit: 3 });
      assert.deepEqual(limited.map((s) => s.index), [PROPOSALS - 1, PROPOSALS - 2, PROPOSALS - 3]);
      assert.equal(limited[0]!.hasVoted, undefined);
    });
  }

  it("reads a proposal whose details alone pass 24 KiB (list and single read)", async () => {
    const { synod } = await networkHelpers.loadFixture(manyProposals);
    const actions = recordActions(synod, 99, 70);
    const { proposalId } = await propose(synod, actions, "one big batch");
    const contracts = contractsOf(synod);
    const client = dappClient();
    const [newest] = await readProposals({ client, contracts, limit: 2 });
    assert.equal(newest!.id, proposalId);
    assert.deepEqual(newest!.calldatas, actions.map((a) => a.data));
    const one = await readProposal({ client, contracts, id: proposalId });
    assert.equal(one.targets.length, 70);
    assert.deepEqual(one.calldatas, actions.map((a) => a.data));
    assert.equal(one.chainState, "Pending");
  });
});

describe("chunkedMulticall", () => {
  it("sizes static returns exactly from the ABI and leaves dynamic ones to the estimate", () => {
    const governor = deployedContracts[31337].MeshGovernor;
    assert.equal(staticAbiSize({ type: "uint256" }), 32);
    assert.equal(staticAbiSize({ type: "address[3]" }), 96);
    assert.equal(staticAbiSize({ type: "bytes" }), undefined);
    assert.equal(staticAbiSize({ type: "uint256[]" }), undefined);
    assert.equal(staticAbiSize({ type: "tuple", components: [{ type: "uint8" }, { type: "bytes32" }] } as never), 64);
    assert.equal(staticAbiSize({ type: "tuple", components: [{ type: "uint8" }, { type: "bytes" }] } as never), undefined);
    assert.equal(staticReturnSize({ ...governor, functionName: "proposalVotes", args: [1n] }), 96);
    assert.equal(staticReturnSize({ ...governor, functionName: "state", args: [1n] }), 32);
    assert.equal(staticReturnSize({ ...governor, functionName: "proposalDetailsAt", args: [0n] }), undefined);
    assert.ok(DYNAMIC_RETURN_GUESS < RETURN_DATA_BUDGET);
  });

  it("cuts calls into consecutive chunks within the return-data budget", () => {
    assert.deepEqual(planChunks([]), []);
    assert.deepEqual(planChunks([100, 100, 100], 1000), [[0, 3]]);
    // 64 bytes of header, then 400 + 400 fit in 1000, a third does not
    assert.deepEqual(planChunks([400, 400, 400, 400, 400], 1000), [[0, 2], [2, 4], [4, 5]]);
    // a call over the budget alone gets its own chunk
    assert.deepEqual(planChunks([100, 5000, 100], 1000), [[0, 1], [1, 2], [2, 3]]);
    assert.deepEqual(planChunks([5000], 1000), [[0, 1]]);
  });

  it("returns results in the calls' order across chunks", async () => {
    const { synod } = await networkHelpers.loadFixture(manyProposals);
    const governor = contractsOf(synod).MeshGovernor;
    const calls = Array.from({ length: 300 }, (_, i) => ({ ...governor, functionName: "proposalDetailsAt", args: [BigInt(i % PROPOSALS)] }));
    const results = (await chunkedMulticall(dappClient(), calls)) as Array<readonly [bigint, ...unknown[]]>;
    const ids = await Promise.all(Array.from({ length: PROPOSALS }, (_, i) => synod.governor.read.proposalDetailsAt([BigInt(i)]).then((d) => d[0])));
    assert.deepEqual(results.map((r) => r[0]), calls.map((_, i) => ids[i % PROPOSALS]));
  });
});
