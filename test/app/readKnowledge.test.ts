/**
 * The knowledge browser's reads against the real registry on an in-process chain
 * without Multicall3, through a client configured like the dApp's. A kind with more
 * records than one deployless multicall can return (24 KiB, about 55 records) must
 * still list them all, newest first.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createPublicClient, custom, type PublicClient } from "viem";
import { hardhat } from "viem/chains";
import { deployedContracts } from "../../app/contracts/deployedContracts.ts";
import type { SynodContracts } from "../../app/lib/contracts.ts";
import { readRecordsOfKind } from "../../app/lib/readKnowledge.ts";
import { call, connection, deploySynod, networkHelpers, pass, rawCid, type Synod } from "../fixtures/synod.ts";

const KIND_INCIDENT = 1;
const RECORDS = 80;

/** A client like the dApp's (app/lib/wagmiConfig.ts): reads batched into deployless multicalls. */
function dappClient(): PublicClient {
  return createPublicClient({ chain: hardhat, transport: custom(connection.provider), batch: { multicall: { deployless: true, wait: 16 } } }) as PublicClient;
}

function contractsOf(synod: Synod): SynodContracts {
  const known = deployedContracts[31337];
  return { ...known, KnowledgeRegistry: { ...known.KnowledgeRegistry, address: synod.registry.address } } as unknown as SynodContracts;
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
});
