/**
 * The knowledge outbox and the keeper's proposal batches, in SQLite. A record moves
 * unpublished → pending → proposed → ratified (or defeated / revoked); see the README's
 * knowledge model. Every state change is one transaction.
 */
import type { Address, Hex } from "viem";
import type { Database } from "./openDatabase.ts";
import { transaction } from "./openDatabase.ts";

export type RecordStatus = "unpublished" | "pending" | "proposed" | "ratified" | "defeated" | "revoked";
export type BatchStatus = "proposing" | "proposed" | "queued" | "executed" | "defeated" | "expired" | "canceled";

export type OutboxRecord = {
  localId: number;
  /** On-chain kind number (`IKnowledgeRegistry.Kind`). */
  kind: number;
  schemaVersion: number;
  round: number;
  /** On-chain id of the record this one refers to, or 0. */
  refId: number;
  /** One line for the proposal description. */
  summary: string;
  /** The record as canonical JSON: exactly the bytes published under `cid`. */
  content: string;
  cid: string;
  status: RecordStatus;
  batchId: number | null;
  /** On-chain record id once ratified. */
  chainId: number | null;
  createdAt: number;
  updatedAt: number;
};

export type ProposalAction = { target: Address; data: Hex };

export type ProposalBatch = {
  id: number;
  proposalId: bigint;
  attempt: number;
  description: string;
  actions: ProposalAction[];
  status: BatchStatus;
  txHash: Hex | null;
  createdAt: number;
};

type RecordRow = {
  local_id: number;
  kind: number;
  schema_version: number;
  round: number;
  ref_id: number;
  summary: string;
  content: string;
  cid: string;
  status: RecordStatus;
  batch_id: number | null;
  chain_id: number | null;
  created_at: number;
  updated_at: number;
};

type BatchRow = {
  id: number;
  proposal_id: string;
  attempt: number;
  description: string;
  actions: string;
  status: BatchStatus;
  tx_hash: Hex | null;
  created_at: number;
};

const toRecord = (row: RecordRow): OutboxRecord => ({
  localId: row.local_id,
  kind: row.kind,
  schemaVersion: row.schema_version,
  round: row.round,
  refId: row.ref_id,
  summary: row.summary,
  content: row.content,
  cid: row.cid,
  status: row.status,
  batchId: row.batch_id,
  chainId: row.chain_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toBatch = (row: BatchRow): ProposalBatch => ({
  id: row.id,
  proposalId: BigInt(row.proposal_id),
  attempt: row.attempt,
  description: row.description,
  actions: JSON.parse(row.actions) as ProposalAction[],
  status: row.status,
  txHash: row.tx_hash,
  createdAt: row.created_at,
});

export type InsertRecordParameters = Pick<OutboxRecord, "kind" | "schemaVersion" | "round" | "refId" | "summary" | "content" | "cid">;

export type ListRecordsParameters = { status?: RecordStatus | undefined; kind?: number | undefined; limit?: number; offset?: number };

/** SQLite access for the knowledge outbox and proposal batches. */
export class KnowledgeRepository {
  readonly #db: Database;
  readonly #now: () => number;

  constructor(db: Database, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  /**
   * Queues a record (status `unpublished`). The same content (same CID) is queued once.
   * @returns the stored record and whether this call created it.
   */
  insertRecord(input: InsertRecordParameters): { record: OutboxRecord; created: boolean } {
    const now = this.#now();
    const result = this.#db
      .prepare(
        `INSERT INTO knowledge_records (kind, schema_version, round, ref_id, summary, content, cid, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'unpublished', ?, ?) ON CONFLICT(cid) DO NOTHING`,
      )
      .run(input.kind, input.schemaVersion, input.round, input.refId, input.summary, input.content, input.cid, now, now);
    return { record: this.getRecordByCid(input.cid)!, created: result.changes === 1 };
  }

  getRecord(localId: number): OutboxRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM knowledge_records WHERE local_id = ?").get(localId) as RecordRow | undefined;
    return row && toRecord(row);
  }

  getRecordByCid(cid: string): OutboxRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM knowledge_records WHERE cid = ?").get(cid) as RecordRow | undefined;
    return row && toRecord(row);
  }

  listRecords({ status, kind, limit = 100, offset = 0 }: ListRecordsParameters = {}): OutboxRecord[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM knowledge_records WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR kind = ?2)
         ORDER BY local_id LIMIT ?3 OFFSET ?4`,
      )
      .all(status ?? null, kind ?? null, limit, offset) as RecordRow[];
    return rows.map(toRecord);
  }

  countByStatus(): Record<RecordStatus, number> {
    const counts: Record<RecordStatus, number> = { unpublished: 0, pending: 0, proposed: 0, ratified: 0, defeated: 0, revoked: 0 };
    const rows = this.#db.prepare("SELECT status, COUNT(*) AS n FROM knowledge_records GROUP BY status").all() as Array<{ status: RecordStatus; n: number }>;
    for (const { status, n } of rows) counts[status] = n;
    return counts;
  }

  /** The content is stored on IPFS under its CID: ready to be proposed. */
  markPublished(localId: number): void {
    this.#db
      .prepare("UPDATE knowledge_records SET status = 'pending', updated_at = ? WHERE local_id = ? AND status = 'unpublished'")
      .run(this.#now(), localId);
  }

  /**
   * Stores a batch as `proposing` and moves its records to `proposed`, atomically, before
   * the proposal transaction is sent: after a crash the keeper finds the batch and checks
   * the chain instead of proposing again.
   */
  createBatch(input: { proposalId: bigint; attempt: number; description: string; actions: ProposalAction[]; records: Array<{ localId: number; refId: number }> }): ProposalBatch {
    return transaction(this.#db, () => {
      const now = this.#now();
      const { lastInsertRowid } = this.#db
        .prepare(
          `INSERT INTO proposal_batches (proposal_id, attempt, description, actions, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'proposing', ?, ?)`,
        )
        .run(input.proposalId.toString(), input.attempt, input.description, JSON.stringify(input.actions), now, now);
      const update = this.#db.prepare(
        "UPDATE knowledge_records SET status = 'proposed', batch_id = ?, ref_id = ?, updated_at = ? WHERE local_id = ? AND status = 'pending'",
      );
      for (const record of input.records) {
        if (update.run(lastInsertRowid, record.refId, now, record.localId).changes !== 1) {
          throw new Error(`record ${record.localId} is no longer pending`);
        }
      }
      return this.getBatch(Number(lastInsertRowid))!;
    });
  }

  getBatch(id: number): ProposalBatch | undefined {
    const row = this.#db.prepare("SELECT * FROM proposal_batches WHERE id = ?").get(id) as BatchRow | undefined;
    return row && toBatch(row);
  }

  getBatchByProposal(proposalId: bigint): ProposalBatch | undefined {
    const row = this.#db.prepare("SELECT * FROM proposal_batches WHERE proposal_id = ?").get(proposalId.toString()) as BatchRow | undefined;
    return row && toBatch(row);
  }

  batchesWithStatus(...statuses: BatchStatus[]): ProposalBatch[] {
    const rows = this.#db
      .prepare(`SELECT * FROM proposal_batches WHERE status IN (${statuses.map(() => "?").join(",")}) ORDER BY id`)
      .all(...statuses) as BatchRow[];
    return rows.map(toBatch);
  }

  listBatches({ limit = 100, offset = 0 } = {}): ProposalBatch[] {
    const rows = this.#db.prepare("SELECT * FROM proposal_batches ORDER BY id DESC LIMIT ? OFFSET ?").all(limit, offset) as BatchRow[];
    return rows.map(toBatch);
  }

  /** Number of batches ever formed: the next batch's attempt number is this plus one. */
  batchCount(): number {
    return (this.#db.prepare("SELECT COUNT(*) AS n FROM proposal_batches").get() as { n: number }).n;
  }

  recordsOfBatch(batchId: number): OutboxRecord[] {
    const rows = this.#db.prepare("SELECT * FROM knowledge_records WHERE batch_id = ? ORDER BY local_id").all(batchId) as RecordRow[];
    return rows.map(toRecord);
  }

  setBatchStatus(id: number, status: BatchStatus, txHash?: Hex): void {
    this.#db
      .prepare("UPDATE proposal_batches SET status = ?, tx_hash = COALESCE(?, tx_hash), updated_at = ? WHERE id = ?")
      .run(status, txHash ?? null, this.#now(), id);
  }

  /**
   * Closes a batch that will not execute. Defeated: the DAO said no, its records are
   * `defeated`. Expired or canceled: no verdict, the records go back to `pending` and
   * are proposed again in a new batch.
   */
  settleBatch(id: number, status: "defeated" | "expired" | "canceled"): void {
    transaction(this.#db, () => {
      const now = this.#now();
      this.setBatchStatus(id, status);
      if (status === "defeated") {
        this.#db.prepare("UPDATE knowledge_records SET status = 'defeated', updated_at = ? WHERE batch_id = ? AND status = 'proposed'").run(now, id);
      } else {
        this.#db
          .prepare("UPDATE knowledge_records SET status = 'pending', batch_id = NULL, updated_at = ? WHERE batch_id = ? AND status = 'proposed'")
          .run(now, id);
      }
    });
  }

  /** A `RecordAdded` event names this CID: the record is on chain with `chainId`. */
  markRatified(cid: string, chainId: number): boolean {
    const result = this.#db
      .prepare("UPDATE knowledge_records SET status = 'ratified', chain_id = ?, updated_at = ? WHERE cid = ? AND status IN ('proposed', 'pending', 'defeated')")
      .run(chainId, this.#now(), cid);
    return result.changes === 1;
  }

  markRevoked(chainId: number): void {
    this.#db.prepare("UPDATE knowledge_records SET status = 'revoked', updated_at = ? WHERE chain_id = ?").run(this.#now(), chainId);
  }
}
