/**
 * The local index of what the chain says: knowledge records and epochs, proposals and votes,
 * built from contract events by the knowledge indexer, with the queries the API, the
 * CLI and the bot need. Writes are idempotent so re-reading a block range is harmless.
 */
import type { Address, Hex } from "viem";
import type { Database } from "./openDatabase.ts";

export type IndexedRecord = {
  id: number;
  kind: number;
  cid: string;
  schemaVersion: number;
  refId: number;
  round: number;
  proposalId: bigint;
  blockNumber: number;
  txHash: Hex;
  revoked: boolean;
  supersededBy: number | null;
};

export type IndexedProposal = {
  id: bigint;
  proposer: Address;
  description: string;
  targets: Address[];
  calldatas: Hex[];
  voteStart: number;
  voteEnd: number;
  createdBlock: number;
  queuedEta: number | null;
  executed: boolean;
  canceled: boolean;
  votes: { for: bigint; against: bigint; abstain: bigint };
};

/** A knowledge epoch the registry ratified (`EpochRecorded`). */
export type IndexedEpoch = {
  epoch: number;
  proposalId: bigint;
  root: Hex;
  manifestCid: string;
  /** Records per kind in `Kind` order. */
  counts: number[];
  blockNumber: number;
  txHash: Hex;
  /** Block time, ms. */
  recordedAt: number;
};

type EpochRow = { epoch: number; proposal_id: string; root: Hex; manifest_cid: string; counts: string; block_number: number; tx_hash: Hex; recorded_at: number };

const toEpoch = (row: EpochRow): IndexedEpoch => ({
  epoch: row.epoch,
  proposalId: BigInt(row.proposal_id),
  root: row.root,
  manifestCid: row.manifest_cid,
  counts: JSON.parse(row.counts) as number[],
  blockNumber: row.block_number,
  txHash: row.tx_hash,
  recordedAt: row.recorded_at,
});

export type IndexedVote = { proposalId: bigint; voter: Address; support: number; weight: bigint; reason: string; blockNumber: number };

type RecordRow = {
  id: number;
  kind: number;
  cid: string;
  schema_version: number;
  ref_id: number;
  round: number;
  proposal_id: string;
  block_number: number;
  tx_hash: Hex;
  revoked_block: number | null;
  superseded_by: number | null;
};

type ProposalRow = {
  id: string;
  proposer: Address;
  description: string;
  targets: string;
  calldatas: string;
  vote_start: number;
  vote_end: number;
  created_block: number;
  queued_eta: number | null;
  executed_block: number | null;
  canceled_block: number | null;
};

const toRecord = (row: RecordRow): IndexedRecord => ({
  id: row.id,
  kind: row.kind,
  cid: row.cid,
  schemaVersion: row.schema_version,
  refId: row.ref_id,
  round: row.round,
  proposalId: BigInt(row.proposal_id),
  blockNumber: row.block_number,
  txHash: row.tx_hash,
  revoked: row.revoked_block !== null,
  supersededBy: row.superseded_by,
});

export type ListIndexedRecordsParameters = {
  kind?: number | undefined;
  round?: number | undefined;
  proposalId?: bigint | undefined;
  /** Only records that are (true) or are not (false) revoked. */
  revoked?: boolean | undefined;
  limit?: number;
  offset?: number;
};

export class ChainIndexRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  cursor(name: string): number | undefined {
    const row = this.#db.prepare("SELECT block_number FROM sync_cursors WHERE name = ?").get(name) as { block_number: number } | undefined;
    return row?.block_number;
  }

  setCursor(name: string, blockNumber: number): void {
    this.#db
      .prepare("INSERT INTO sync_cursors (name, block_number) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET block_number = excluded.block_number")
      .run(name, blockNumber);
  }

  upsertRecord(record: Omit<IndexedRecord, "revoked" | "supersededBy">): void {
    this.#db
      .prepare(
        `INSERT INTO chain_records (id, kind, cid, schema_version, ref_id, round, proposal_id, block_number, tx_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
      )
      .run(record.id, record.kind, record.cid, record.schemaVersion, record.refId, record.round, record.proposalId.toString(), record.blockNumber, record.txHash);
  }

  markRecordRevoked(id: number, blockNumber: number, supersededBy: number): void {
    this.#db
      .prepare("UPDATE chain_records SET revoked_block = ?, superseded_by = ? WHERE id = ?")
      .run(blockNumber, supersededBy === 0 ? null : supersededBy, id);
  }

  getRecord(id: number): IndexedRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM chain_records WHERE id = ?").get(id) as RecordRow | undefined;
    return row && toRecord(row);
  }

  getRecordByCid(cid: string): IndexedRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM chain_records WHERE cid = ? ORDER BY id DESC LIMIT 1").get(cid) as RecordRow | undefined;
    return row && toRecord(row);
  }

  listRecords({ kind, round, proposalId, revoked, limit = 100, offset = 0 }: ListIndexedRecordsParameters = {}): IndexedRecord[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM chain_records
         WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR round = ?2) AND (?3 IS NULL OR proposal_id = ?3)
           AND (?4 IS NULL OR (revoked_block IS NOT NULL) = ?4)
         ORDER BY block_number DESC, id DESC LIMIT ?5 OFFSET ?6`,
      )
      .all(kind ?? null, round ?? null, proposalId?.toString() ?? null, revoked === undefined ? null : revoked ? 1 : 0, limit, offset) as RecordRow[];
    return rows.map(toRecord);
  }

  upsertEpoch(epoch: IndexedEpoch): void {
    this.#db
      .prepare(
        `INSERT INTO chain_epochs (epoch, proposal_id, root, manifest_cid, counts, block_number, tx_hash, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(epoch) DO NOTHING`,
      )
      .run(epoch.epoch, epoch.proposalId.toString(), epoch.root, epoch.manifestCid, JSON.stringify(epoch.counts), epoch.blockNumber, epoch.txHash, epoch.recordedAt);
  }

  getEpoch(epoch: number): IndexedEpoch | undefined {
    const row = this.#db.prepare("SELECT * FROM chain_epochs WHERE epoch = ?").get(epoch) as EpochRow | undefined;
    return row && toEpoch(row);
  }

  /** The highest epoch the registry has recorded (0 before the first). */
  lastEpochNumber(): number {
    return (this.#db.prepare("SELECT COALESCE(MAX(epoch), 0) AS n FROM chain_epochs").get() as { n: number }).n;
  }

  /** Newest first. */
  listEpochs({ limit = 100, offset = 0 } = {}): IndexedEpoch[] {
    const rows = this.#db.prepare("SELECT * FROM chain_epochs ORDER BY epoch DESC LIMIT ? OFFSET ?").all(limit, offset) as EpochRow[];
    return rows.map(toEpoch);
  }

  upsertProposal(proposal: Omit<IndexedProposal, "queuedEta" | "executed" | "canceled" | "votes">): void {
    this.#db
      .prepare(
        `INSERT INTO chain_proposals (id, proposer, description, targets, calldatas, vote_start, vote_end, created_block)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
      )
      .run(
        proposal.id.toString(),
        proposal.proposer,
        proposal.description,
        JSON.stringify(proposal.targets),
        JSON.stringify(proposal.calldatas),
        proposal.voteStart,
        proposal.voteEnd,
        proposal.createdBlock,
      );
  }

  setProposalQueued(id: bigint, eta: number): void {
    this.#db.prepare("UPDATE chain_proposals SET queued_eta = ? WHERE id = ?").run(eta, id.toString());
  }

  setProposalExecuted(id: bigint, blockNumber: number): void {
    this.#db.prepare("UPDATE chain_proposals SET executed_block = ? WHERE id = ?").run(blockNumber, id.toString());
  }

  setProposalCanceled(id: bigint, blockNumber: number): void {
    this.#db.prepare("UPDATE chain_proposals SET canceled_block = ? WHERE id = ?").run(blockNumber, id.toString());
  }

  /** A vote extension moves the deadline (GovernorPreventLateQuorum). */
  setProposalDeadline(id: bigint, voteEnd: number): void {
    this.#db.prepare("UPDATE chain_proposals SET vote_end = ? WHERE id = ?").run(voteEnd, id.toString());
  }

  upsertVote(vote: IndexedVote): void {
    this.#db
      .prepare(
        `INSERT INTO chain_votes (proposal_id, voter, support, weight, reason, block_number) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(proposal_id, voter) DO NOTHING`,
      )
      .run(vote.proposalId.toString(), vote.voter, vote.support, vote.weight.toString(), vote.reason, vote.blockNumber);
  }

  getProposal(id: bigint): IndexedProposal | undefined {
    const row = this.#db.prepare("SELECT * FROM chain_proposals WHERE id = ?").get(id.toString()) as ProposalRow | undefined;
    return row && this.#toProposal(row);
  }

  listProposals({ limit = 100, offset = 0 } = {}): IndexedProposal[] {
    const rows = this.#db.prepare("SELECT * FROM chain_proposals ORDER BY created_block DESC LIMIT ? OFFSET ?").all(limit, offset) as ProposalRow[];
    return rows.map((row) => this.#toProposal(row));
  }

  votesOf(proposalId: bigint): IndexedVote[] {
    const rows = this.#db
      .prepare("SELECT * FROM chain_votes WHERE proposal_id = ? ORDER BY block_number, voter")
      .all(proposalId.toString()) as Array<{ proposal_id: string; voter: Address; support: number; weight: string; reason: string; block_number: number }>;
    return rows.map((row) => ({
      proposalId: BigInt(row.proposal_id),
      voter: row.voter,
      support: row.support,
      weight: BigInt(row.weight),
      reason: row.reason,
      blockNumber: row.block_number,
    }));
  }

  #toProposal(row: ProposalRow): IndexedProposal {
    const votes = { for: 0n, against: 0n, abstain: 0n };
    for (const vote of this.votesOf(BigInt(row.id))) {
      if (vote.support === 0) votes.against += vote.weight;
      else if (vote.support === 1) votes.for += vote.weight;
      else votes.abstain += vote.weight;
    }
    return {
      id: BigInt(row.id),
      proposer: row.proposer,
      description: row.description,
      targets: JSON.parse(row.targets) as Address[],
      calldatas: JSON.parse(row.calldatas) as Hex[],
      voteStart: row.vote_start,
      voteEnd: row.vote_end,
      createdBlock: row.created_block,
      queuedEta: row.queued_eta,
      executed: row.executed_block !== null,
      canceled: row.canceled_block !== null,
      votes,
    };
  }
}
