/**
 * `synod knowledge …` and `synod proposals …` against a real coordinator API (routes
 * over a local chain, the outbox and the index), through HTTP as an operator runs them.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { buildApp, type SynodApp } from "../../../coordinator/app.ts";
import { knowledgeRoutes } from "../../../coordinator/api/knowledge.ts";
import { createMetrics } from "../../../coordinator/api/metrics.ts";
import { proposalsRoutes } from "../../../coordinator/api/proposals.ts";
import { createChainClient, type ChainClient } from "../../../coordinator/chain/createChainClient.ts";
import { main } from "../../../coordinator/cli/main.ts";
import { loadConfig } from "../../../coordinator/config.ts";
import { createEventBus } from "../../../coordinator/events.ts";
import { kuboContentStore } from "../../../coordinator/ipfs/kuboContentStore.ts";
import { KnowledgeIndexer } from "../../../coordinator/knowledge/knowledgeIndexer.ts";
import { ProposalKeeper } from "../../../coordinator/knowledge/proposalKeeper.ts";
import { createLogger } from "../../../coordinator/logger.ts";
import { ChainIndexRepository } from "../../../coordinator/store/chainIndexRepository.ts";
import { KnowledgeRepository } from "../../../coordinator/store/knowledgeRepository.ts";
import { openDatabase, type Database } from "../../../coordinator/store/openDatabase.ts";
import type { JsonRpcServer } from "../../fixtures/jsonRpcServer.ts";
import { incident, snapshot } from "../../fixtures/knowledgeRecords.ts";
import { startKuboRpcServer, type KuboRpcServer } from "../../fixtures/kuboRpcServer.ts";
import { VoteType, networkHelpers, serveSynod, type Synod } from "../../fixtures/synod.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const ADMIN_TOKEN = "cli-test-admin-token-0123456789abcdef";

describe("synod CLI: knowledge and proposals", () => {
  let synod: Synod;
  let rpc: JsonRpcServer;
  let kubo: KuboRpcServer;
  let chain: ChainClient;
  let db: Database;
  let app: SynodApp;
  let keeper: ProposalKeeper;
  let dir: string;
  let env: Record<string, string>;

  async function synodCli(...argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { env, write: (t) => (stdout += t), error: (t) => (stderr += t) });
    return { code, stdout, stderr };
  }

  before(async () => {
    let addresses;
    ({ synod, rpc, addresses } = await serveSynod());
    kubo = await startKuboRpcServer();
    dir = await mkdtemp(path.join(os.tmpdir(), "synod-cli-"));
    chain = await createChainClient({ rpcUrl: rpc.url, root, retryCount: 0, addresses });
    db = openDatabase(":memory:");
    const outbox = new KnowledgeRepository(db);
    const index = new ChainIndexRepository(db);
    const logger = createLogger({ level: "silent" });
    const content = kuboContentStore({ url: kubo.url });
    keeper = new ProposalKeeper({ chain, outbox, index, indexer: new KnowledgeIndexer({ chain, index, outbox, logger }), content, logger });
    const { config } = loadConfig({ SYNOD_DATA_DIR: dir, SYNOD_ADMIN_TOKEN: ADMIN_TOKEN });
    app = await buildApp({
      config,
      adminToken: ADMIN_TOKEN,
      logger,
      events: createEventBus(),
      metrics: createMetrics(),
      healthChecks: [],
      version: "test",
      routes: [knowledgeRoutes({ outbox, index, content, closeEpoch: () => keeper.closeEpoch() }), proposalsRoutes(() => ({ outbox, index, chain }))],
    });
    const address = await app.listen({ host: "127.0.0.1", port: 0 });
    env = { SYNOD_API_URL: address, SYNOD_ADMIN_TOKEN: ADMIN_TOKEN };
  });

  after(async () => {
    await app.close();
    db.close();
    await rpc.close();
    await kubo.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("publishes a record file, lists it, shows the proposal, and reads it back verified once ratified", async () => {
    const file = path.join(dir, "incident.json");
    await writeFile(file, JSON.stringify(incident()));
    const published = await synodCli("knowledge", "publish", file, "--json");
    assert.equal(published.code, 0, published.stderr);
    const { record } = JSON.parse(published.stdout) as { created: boolean; record: { cid: string; status: string } };
    assert.equal(record.status, "unpublished");

    const again = await synodCli("knowledge", "publish", file);
    assert.match(again.stdout, /Already queued/);

    await keeper.tick(); // published
    await keeper.closeEpoch();
    const listed = await synodCli("knowledge", "ls", "--status", "proposed");
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`Incident\\s+\\d+\\s+proposed\\s+\\d+\\s+—\\s+${record.cid}`), "in an epoch, not a stored record");
    const [entry] = JSON.parse((await synodCli("knowledge", "ls", "--status", "proposed", "--json")).stdout) as Array<{ cid: string; epoch: number; proposalId: string }>;
    assert.equal(entry?.cid, record.cid);

    const proposals = JSON.parse((await synodCli("proposals", "ls", "--json")).stdout) as Array<{ id: string; state: string; proposalType: string; epoch: { epoch: number } | null }>;
    const mine = proposals.find((p) => p.id === entry.proposalId);
    assert.ok(mine, "the keeper's proposal is listed");
    assert.equal(mine.state, "Pending");
    assert.equal(mine.proposalType, "routine");
    assert.equal(mine.epoch?.epoch, entry.epoch);

    await networkHelpers.time.increaseTo((await synod.governor.read.proposalSnapshot([BigInt(mine.id)])) + 1n);
    await synod.governor.write.castVoteWithReason([BigInt(mine.id), VoteType.For, "looks right"], { account: synod.voters[0]!.account });
    await keeper.tick(); // indexes the vote
    const shown = await synodCli("proposals", "show", mine.id);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /state Active/);
    assert.match(shown.stdout, /type routine/);
    assert.match(shown.stdout, new RegExp(`knowledge epoch ${entry.epoch} \\(proposed\\): 1 records`));
    assert.match(shown.stdout, /for\s+225,000 MESH/);
    assert.match(shown.stdout, /looks right/);

    await networkHelpers.time.increaseTo((await synod.governor.read.proposalDeadline([BigInt(mine.id)])) + 1n);
    await keeper.tick(); // queue
    await networkHelpers.time.increaseTo((await synod.governor.read.proposalEta([BigInt(mine.id)])) + 1n);
    await keeper.tick(); // execute, index
    const got = JSON.parse((await synodCli("knowledge", "get", record.cid, "--json")).stdout) as { status: string; epoch: { epoch: number; ratified: boolean; proof: string[] }; content: { incidentId: string } };
    assert.equal(got.status, "ratified");
    assert.equal(got.epoch.epoch, entry.epoch);
    assert.equal(got.epoch.ratified, true);
    assert.equal(got.content.incidentId, incident().incidentId);
    assert.match((await synodCli("knowledge", "get", record.cid)).stdout, new RegExp(`epoch ${entry.epoch} · root 0x[0-9a-f]{64} · ratified`));

    const ofProposal = await synodCli("knowledge", "ls", "--proposal", mine.id);
    assert.equal(ofProposal.code, 0, ofProposal.stderr);
    assert.match(ofProposal.stdout, new RegExp(`Incident\\s+\\d+\\s+ratified\\s+${entry.epoch}\\s+—\\s+${record.cid}`));
    const epochs = await synodCli("knowledge", "epochs");
    assert.match(epochs.stdout, new RegExp(`${entry.epoch}\\s+ratified\\s+routine\\s+1`));
    const epochShown = await synodCli("knowledge", "epochs", String(entry.epoch));
    assert.match(epochShown.stdout, new RegExp(`0\\s+Incident\\s+\\d+\\s+ratified\\s+${record.cid}`));
    const audit = await synodCli("knowledge", "audit");
    assert.equal(audit.code, 0, audit.stdout);
    assert.match(audit.stdout, /Every published record is pending or in an epoch/);
    const elsewhere = JSON.parse((await synodCli("knowledge", "ls", "--proposal", "12345", "--json")).stdout) as unknown[];
    assert.deepEqual(elsewhere, [], "no record of another proposal");
    const bad = await synodCli("knowledge", "ls", "--proposal", "0xabc");
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /proposal id in decimal/);
  });

  it("explains bad input: an invalid record lists its problems, an unknown proposal or CID is not found", async () => {
    const file = path.join(dir, "bad.json");
    await writeFile(file, JSON.stringify({ ...snapshot(), phi: -1, state: "ECSTATIC" }));
    const bad = await synodCli("knowledge", "publish", file);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /state/);
    assert.match(bad.stderr, /phi/);

    const unknown = await synodCli("proposals", "show", "12345");
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown proposal 12345/);

    const missing = await synodCli("knowledge", "get", "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
    assert.match(missing.stderr, /No knowledge record has CID/);

    assert.equal((await synodCli("knowledge")).code, 2, "usage error");
    const noToken = await main(["knowledge", "publish", path.join(dir, "incident.json")], { env: { SYNOD_API_URL: env.SYNOD_API_URL!, SYNOD_DATA_DIR: dir }, write: () => {}, error: () => {} });
    assert.equal(noToken, 1, "publishing without the admin token is refused");
  });
});
