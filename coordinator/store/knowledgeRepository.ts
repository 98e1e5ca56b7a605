/**
 * The knowledge outbox and the keeper's epochs, in SQLite. A record moves
 * unpublished → pending → proposed (in an epoch) → ratified (or defeated / revoked), and
 * back to pending when its epoch's proposal fails without a verdict; see the README's
 * knowledge model. Every state change is one transaction.
 */
import type { Address, Hex } from "viem";
import type { Database } from "./openDatabase.ts";
import { transaction } from "./openDatabase.ts";

export type RecordStatus = "unpublished" | "pending" | "proposed" | "ratified" | "defeated" | "revoked";
export const RECORD_STATUSES = ["unpublished", "pending", "proposed", "ratified", "defeated", "revoked"] as const satisfies readonly RecordStatus[];

/**
 * An epoch's lifecycle: stored (`proposing`) before its proposal is sent, then
 * `proposed`, `queued`, and `ratified` once `EpochRecorded` is indexed; `returned` (no
 * verdict: no quorum, a tie, expired, canceled; its records went back to pending) or
 * `defeated` (voted down or vetoed; its records are defeated).
 */
export type EpochStatus = "proposing" | "proposed" | "queued" | "ratified" | "returned" | "defeated";
export const EPOCH_STATUSES = ["proposing", "proposed", "queued", "ratified", "returned", "defeated"] as const satisfies readonly EpochStatus[];

/** Why an epoch was returned or defeated. */
/**
 * Why an epoch was returned or defeated. `front-run`: its proposal id exists but someone
 * else proposed it (the keeper never adopts it). `epoch-taken`: another proposal recorded
 * its number first, so it can never execute.
 */
export type EpochOutcome = "vetoed" | "voted-down" | "no-quorum" | "tie" | "expired" | "canceled" | "front-run" | "epoch-taken";

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
  /** The epoch the record is in (proposed, ratified, defeated), or null while unpublished or pending. */
  epoch: number | null;
  /** Stored registry record id (`kind << 40 | sequence`) once a `RecordAdded` names it (headline or promoted records). */
  chainId: number | null;
  createdAt: number;
  updatedAt: number;
};

export type ProposalAction = { target: Address; data: Hex };

export type KnowledgeEpoch = {
  epoch: number;
  status: EpochStatus;
  outcome: EpochOutcome | null;
  proposalId: bigint;
  proposalType: "routine" | "full";
  root: Hex;
  manifestCid: string;
  /** The manifest's canonical JSON (the bytes published under `manifestCid`). */
  manifest: string;
  /** `StandardMerkleTree.dump()` as JSON. */
  tree: string;
  /** Records per kind in `Kind` order. */
  counts: number[];
  description: string;
  actions: ProposalAction[];
  txHash: Hex | null;
  openedAt: number;
  closedAt: number;
  ratifiedAt: number | null;
};

/** A record as a member of an epoch: its place in the tree. */
export type EpochMember = { epoch: number; position: number; leaf: Hex; headline: boolean };

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
  epoch: number | null;
  chain_id: number | null;
  created_at: number;
  updated_at: number;
};

type EpochRow = {
  epoch: number;
  status: EpochStatus;
  outcome: EpochOutcome | null;
  proposal_id: string;
  proposal_type: "routine" | "full";
  root: Hex;
  manifest_cid: string;
  manifest: string;
  tree: string;
  counts: string;
  description: string;
  actions: string;
  tx_hash: Hex | null;
  opened_at: number;
  closed_at: number;
  ratified_at: number | null;
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
  epoch: row.epoch,
  chainId: row.chain_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toEpoch = (row: EpochRow): KnowledgeEpoch => ({
  epoch: row.epoch,
  status: row.status,
  outcome: row.outcome,
  proposalId: BigInt(row.proposal_id),
  proposalType: row.proposal_type,
  root: row.root,
  manifestCid: row.manifest_cid,
  manifest: row.manifest,
  tree: row.tree,
  counts: JSON.parse(row.counts) as number[],
  description: row.description,
  actions: JSON.parse(row.actions) as ProposalAction[],
  txHash: row.tx_hash,
  openedAt: row.opened_at,
  closedAt: row.closed_at,
  ratifiedAt: row.ratified_at,
});

export type InsertRecordParameters = Pick<OutboxRecord, "kind" | "schemaVersion" | "round" | "refId" | "summary" | "content" | "cid">;

export type ListRecordsParameters = { status?: RecordStatus | undefined; kind?: number | undefined; limit?: number; offset?: number };

export type CreateEpochParameters = Omit<KnowledgeEpoch, "status" | "outcome" | "txHash" | "ratifiedAt"> & {
  /** Every record of the epoch with its place in the tree; each must be pending. */
  members: Array<{ localId: number; position: number; leaf: Hex; headline: boolean; refId: number }>;
};

export type ListEpochRecordsParameters = { kind?: number | undefined; status?: RecordStatus | undefined; offset?: number; limit?: number };

/** A record of an audit: in a state that no epoch explains. */
export type AuditFinding = { cid: string; kind: number; status: RecordStatus; epoch: number | null; epochStatus: EpochStatus | null; problem: string };

/** One row of the knowledge catalog: an outbox record, or a chain record this outbox does not hold. */
export type CatalogRow = {
  cid: string;
  kind: number;
  round: number;
  schemaVersion: number;
  status: RecordStatus;
  summary: string | null;
  recordId: number | null;
  epoch: number | null;
  /** The proposal that stored it, or that its epoch is in (decimal). */
  proposalId: string | null;
  refId: number;
  /**
   * The CID of the record this one builds on as its content names it (a Model's
   * `parentModelCid`, what its epoch leaf commits to), else null. For a chain record this
   * outbox does not hold (no content here): the CID of the stored record its `refId` names.
   */
  refCid: string | null;
};

export type ListCatalogParameters = {
  kind?: number | undefined;
  status?: RecordStatus | undefined;
  round?: number | undefined;
  epoch?: number | undefined;
  /** Decimal proposal id. */
  proposal?: string | undefined;
  offset?: number;
  limit?: number;
};

/** SQLite access for the knowledge outbox and the keeper's epochs. */
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

  /** Oldest first. */
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
    const counts = Object.fromEntries(RECORD_STATUSES.map((status) => [status, 0])) as Record<RecordStatus, number>;
    const rows = this.#db.prepare("SELECT status, COUNT(*) AS n FROM knowledge_records GROUP BY status").all() as Array<{ status: RecordStatus; n: number }>;
    for (const { status, n } of rows) counts[status] = n;
    return counts;
  }

  /** The content is stored on IPFS under its CID: ready for the next epoch. */
  markPublished(localId: number): void {
    this.#db
      .prepare("UPDATE knowledge_records SET status = 'pending', updated_at = ? WHERE local_id = ? AND status = 'unpublished'")
      .run(this.#now(), localId);
  }

  /** When the open epoch began: the last epoch's close, or the oldest pending record if later (an idle spell opens no epoch). */
  openEpochSince(): number | undefined {
    const row = this.#db
      .prepare(
        `SELECT (SELECT MAX(closed_at) FROM knowledge_epochs) AS closed,
                (SELECT MIN(created_at) FROM knowledge_records WHERE status = 'pending') AS oldest`,
      )
      .get() as { closed: number | null; oldest: number | null };
    if (row.oldest === null) return undefined;
    return Math.max(row.closed ?? row.oldest, row.oldest);
  }

  /** The highest epoch number ever built (0 before the first). */
  lastEpochNumber(): number {
    return (this.#db.prepare("SELECT COALESCE(MAX(epoch), 0) AS n FROM knowledge_epochs").get() as { n: number }).n;
  }

  /**
   * Stores an epoch as `proposing` and moves its records from pending to `proposed` in
   * it, atomically, before the manifest is published and the proposal sent: after a
   * crash the keeper finds the epoch and asks the governor instead of proposing again.
   * @throws when a record is no longer pending (nothing is stored).
   */
  createEpoch(input: CreateEpochParameters): KnowledgeEpoch {
    return transaction(this.#db, () => {
      const now = this.#now();
      this.#db
        .prepare(
          `INSERT INTO knowledge_epochs (epoch, status, proposal_id, proposal_type, root, manifest_cid, manifest, tree, counts, description, actions, opened_at, closed_at, updated_at)
           VALUES (?, 'proposing', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.epoch,
          input.proposalId.toString(),
          input.proposalType,
          input.root,
          input.manifestCid,
          input.manifest,
          input.tree,
          JSON.stringify(input.counts),
          input.description,
          JSON.stringify(input.actions),
          input.openedAt,
          input.closedAt,
          now,
        );
      const member = this.#db.prepare("INSERT INTO knowledge_epoch_records (epoch, local_id, position, leaf, headline) VALUES (?, ?, ?, ?, ?)");
      const update = this.#db.prepare(
        "UPDATE knowledge_records SET status = 'proposed', epoch = ?, ref_id = ?, updated_at = ? WHERE local_id = ? AND status = 'pending'",
      );
      for (const record of input.members) {
        member.run(input.epoch, record.localId, record.position, record.leaf, record.headline ? 1 : 0);
        if (update.run(input.epoch, record.refId, now, record.localId).changes !== 1) throw new Error(`record ${record.localId} is no longer pending`);
      }
      return this.getEpoch(input.epoch)!;
    });
  }

  getEpoch(epoch: number): KnowledgeEpoch | undefined {
    const row = this.#db.prepare("SELECT * FROM knowledge_epochs WHERE epoch = ?").get(epoch) as EpochRow | undefined;
    return row && toEpoch(row);
  }

  getEpochByProposal(proposalId: bigint): KnowledgeEpoch | undefined {
    const row = this.#db.prepare("SELECT * FROM knowledge_epochs WHERE proposal_id = ?").get(proposalId.toString()) as EpochRow | undefined;
    return row && toEpoch(row);
  }

  epochsWithStatus(...statuses: EpochStatus[]): KnowledgeEpoch[] {
    const rows = this.#db
      .prepare(`SELECT * FROM knowledge_epochs WHERE status IN (${statuses.map(() => "?").join(",")}) ORDER BY epoch`)
      .all(...statuses) as EpochRow[];
    return rows.map(toEpoch);
  }

  /** Newest first. */
  listEpochs({ limit = 100, offset = 0 } = {}): KnowledgeEpoch[] {
    const rows = this.#db.prepare("SELECT * FROM knowledge_epochs ORDER BY epoch DESC LIMIT ? OFFSET ?").all(limit, offset) as EpochRow[];
    return rows.map(toEpoch);
  }

  countEpochs(): number {
    return (this.#db.prepare("SELECT COUNT(*) AS n FROM knowledge_epochs").get() as { n: number }).n;
  }

  countEpochsByStatus(): Record<EpochStatus, number> {
    const counts = Object.fromEntries(EPOCH_STATUSES.map((status) => [status, 0])) as Record<EpochStatus, number>;
    const rows = this.#db.prepare("SELECT status, COUNT(*) AS n FROM knowledge_epochs GROUP BY status").all() as Array<{ status: EpochStatus; n: number }>;
    for (const { status, n } of rows) counts[status] = n;
    return counts;
  }

  setEpochStatus(epoch: number, status: "proposed" | "queued", txHash?: Hex): void {
    this.#db
      .prepare("UPDATE knowledge_epochs SET status = ?, tx_hash = COALESCE(?, tx_hash), updated_at = ? WHERE epoch = ? AND status IN ('proposing','proposed','queued')")
      .run(status, txHash ?? null, this.#now(), epoch);
  }

  /**
   * Closes an epoch whose proposal will not execute. `defeated` (voted down or vetoed):
   * its records are `defeated`. `returned` (no quorum, a tie, expired, canceled: no
   * verdict; front-run; epoch-taken): its records go back to `pending`, for the next epoch.
   */
  settleEpoch(epoch: number, status: "returned" | "defeated", outcome: EpochOutcome): void {
    transaction(this.#db, () => {
      const now = this.#now();
      this.#db.prepare("UPDATE knowledge_epochs SET status = ?, outcome = ?, updated_at = ? WHERE epoch = ?").run(status, outcome, now, epoch);
      if (status === "defeated") {
        this.#db.prepare("UPDATE knowledge_records SET status = 'defeated', updated_at = ? WHERE epoch = ? AND status = 'proposed'").run(now, epoch);
      } else {
        this.#db.prepare("UPDATE knowledge_records SET status = 'pending', epoch = NULL, updated_at = ? WHERE epoch = ? AND status = 'proposed'").run(now, epoch);
      }
    });
  }

  /**
   * An `EpochRecorded` event ratified this epoch: it and its proposed records are ratified.
   * @returns how many records changed (0 when already done).
   */
  markEpochRatified(epoch: number, ratifiedAt: number): number {
    return transaction(this.#db, () => {
      const now = this.#now();
      this.#db
        .prepare("UPDATE knowledge_epochs SET status = 'ratified', ratified_at = COALESCE(ratified_at, ?), updated_at = ? WHERE epoch = ?")
        .run(ratifiedAt, now, epoch);
      return Number(this.#db.prepare("UPDATE knowledge_records SET status = 'ratified', updated_at = ? WHERE epoch = ? AND status = 'proposed'").run(now, epoch).changes);
    });
  }

  /** The records of an epoch with their place in its tree, in tree order; and how many match. */
  epochRecords(epoch: number, { kind, status, offset = 0, limit = 100 }: ListEpochRecordsParameters = {}): { records: Array<OutboxRecord & EpochMember>; total: number } {
    const where = "m.epoch = ?1 AND (?2 IS NULL OR r.kind = ?2) AND (?3 IS NULL OR r.status = ?3)";
    const rows = this.#db
      .prepare(
        `SELECT r.*, m.epoch AS member_epoch, m.position, m.leaf, m.headline FROM knowledge_epoch_records m
         JOIN knowledge_records r ON r.local_id = m.local_id WHERE ${where} ORDER BY m.position LIMIT ?4 OFFSET ?5`,
      )
      .all(epoch, kind ?? null, status ?? null, limit, offset) as Array<RecordRow & { member_epoch: number; position: number; leaf: Hex; headline: number }>;
    const { n } = this.#db
      .prepare(`SELECT COUNT(*) AS n FROM knowledge_epoch_records m JOIN knowledge_records r ON r.local_id = m.local_id WHERE ${where}`)
      .get(epoch, kind ?? null, status ?? null) as { n: number };
    return {
      records: rows.map((row) => ({ ...toRecord(row), epoch: row.member_epoch, position: row.position, leaf: row.leaf, headline: row.headline === 1 })),
      total: n,
    };
  }

  /** The record's place in the epoch it is in now, if any. */
  membershipOf(localId: number): EpochMember | undefined {
    const row = this.#db
      .prepare(
        `SELECT m.epoch, m.position, m.leaf, m.headline FROM knowledge_records r
         JOIN knowledge_epoch_records m ON m.epoch = r.epoch AND m.local_id = r.local_id WHERE r.local_id = ?`,
      )
      .get(localId) as { epoch: number; position: number; leaf: Hex; headline: number } | undefined;
    return row && { epoch: row.epoch, position: row.position, leaf: row.leaf, headline: row.headline === 1 };
  }

  /**
   * Records in a state their epoch does not explain: published records must be pending
   * or in an epoch whose state matches theirs (or, ratified before epochs existed, be a
   * stored registry record). Expected: none.
   */
  audit(): AuditFinding[] {
    const rows = this.#db
      .prepare(
        `SELECT r.cid, r.kind, r.status, r.epoch, e.status AS epoch_status FROM knowledge_records r
         LEFT JOIN knowledge_epochs e ON e.epoch = r.epoch
         WHERE NOT (
              (r.status IN ('unpublished','pending') AND r.epoch IS NULL)
           OR (r.status = 'proposed' AND e.status IN ('proposing','proposed','queued'))
           OR (r.status IN ('ratified','revoked') AND e.status = 'ratified')
           -- a stored record ratified on its own (a per-record proposal from before epochs)
           OR (r.status IN ('ratified','revoked') AND r.epoch IS NULL AND r.chain_id IS NOT NULL)
           OR (r.status = 'defeated' AND e.status = 'defeated'))
         ORDER BY r.local_id`,
      )
      .all() as Array<{ cid: string; kind: number; status: RecordStatus; epoch: number | null; epoch_status: EpochStatus | null }>;
    return rows.map((row) => ({
      cid: row.cid,
      kind: row.kind,
      status: row.status,
      epoch: row.epoch,
      epochStatus: row.epoch_status,
      problem:
        row.epoch === null
          ? `${row.status} but in no epoch`
          : row.epoch_status === null
            ? `in epoch ${row.epoch}, which does not exist`
            : `${row.status} in epoch ${row.epoch}, which is ${row.epoch_status}`,
    }));
  }

  /**
   * A `RecordAdded` event names this CID (a headline of a ratified epoch, or a promoted
   * record): it is a stored registry record with `chainId`.
   * @returns whether this call linked the record to its id.
   */
  markRatified(cid: string, chainId: number): boolean {
    const result = this.#db
      .prepare(
        `UPDATE knowledge_records SET chain_id = ?, updated_at = ?,
           status = CASE WHEN status IN ('proposed', 'pending', 'defeated') THEN 'ratified' ELSE status END
         WHERE cid = ? AND chain_id IS NULL AND status <> 'unpublished'`,
      )
      .run(chainId, this.#now(), cid);
    return result.changes === 1;
  }

  /**
   * Everything Synod knows, one page at a time: the outbox's records (newest first),
   * then the chain index's records that are not in the outbox (another coordinator's).
   * @returns the page and how many rows match in all.
   */
  listCatalog({ kind, status, round, epoch, proposal, offset = 0, limit = 100 }: ListCatalogParameters = {}): { rows: CatalogRow[]; total: number } {
    const from = `FROM (
        SELECT 0 AS src, r.local_id AS seq, r.cid, r.kind, r.round, r.schema_version, r.status, r.summary, r.chain_id AS record_id, r.epoch,
               COALESCE(c.proposal_id, e.proposal_id) AS proposal_id, COALESCE(c.ref_id, r.ref_id) AS ref_id,
               CASE WHEN r.kind = 0 THEN json_extract(r.content, '$.parentModelCid') END AS ref_cid
        FROM knowledge_records r LEFT JOIN knowledge_epochs e ON e.epoch = r.epoch LEFT JOIN chain_records c ON c.id = r.chain_id
        UNION ALL
        SELECT 1, c.id, c.cid, c.kind, c.round, c.schema_version, CASE WHEN c.revoked_block IS NULL THEN 'ratified' ELSE 'revoked' END,
               NULL, c.id, NULL, c.proposal_id, c.ref_id, CASE WHEN c.kind = 0 THEN p.cid END
        FROM chain_records c LEFT JOIN chain_records p ON c.ref_id <> 0 AND p.id = c.ref_id
        WHERE NOT EXISTS (SELECT 1 FROM knowledge_records k WHERE k.cid = c.cid)
      ) WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR round = ?3) AND (?4 IS NULL OR epoch = ?4) AND (?5 IS NULL OR proposal_id = ?5)`;
    const filters = [kind ?? null, status ?? null, round ?? null, epoch ?? null, proposal ?? null];
    const rows = this.#db.prepare(`SELECT * ${from} ORDER BY src, seq DESC LIMIT ?6 OFFSET ?7`).all(...filters, limit, offset) as Array<{
      cid: string;
      kind: number;
      round: number;
      schema_version: number;
      status: RecordStatus;
      summary: string | null;
      record_id: number | null;
      epoch: number | null;
      proposal_id: string | null;
      ref_id: number;
      ref_cid: unknown;
    }>;
    const { n } = this.#db.prepare(`SELECT COUNT(*) AS n ${from}`).get(...filters) as { n: number };
    return {
      rows: rows.map((row) => ({
        cid: row.cid,
        kind: row.kind,
        round: row.round,
        schemaVersion: row.schema_version,
        status: row.status,
        summary: row.summary,
        recordId: row.record_id,
        epoch: row.epoch,
        proposalId: row.proposal_id,
        refId: row.ref_id,
        refCid: typeof row.ref_cid === "string" ? row.ref_cid : null,
      })),
      total: n,
    };
  }

  markRevoked(chainId: number): void {
    this.#db.prepare("UPDATE knowledge_records SET status = 'revoked', updated_at = ? WHERE chain_id = ?").run(this.#now(), chainId);
  }
}
