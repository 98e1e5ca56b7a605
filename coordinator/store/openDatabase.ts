/**
 * The coordinator's durable state: one SQLite file under `SYNOD_DATA_DIR`, opened in
 * WAL mode with synchronous=FULL, so a committed transaction survives `kill -9` and
 * a power cut. Each part owns its tables and adds them as numbered migrations here.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

export type Database = DatabaseSync;

/** Schema changes in order; a migration is never edited once released, only appended. */
const MIGRATIONS: readonly string[] = [
  // 1: knowledge outbox and the keeper's proposal batches
  `CREATE TABLE knowledge_records (
     local_id       INTEGER PRIMARY KEY,
     kind           INTEGER NOT NULL,
     schema_version INTEGER NOT NULL,
     round          INTEGER NOT NULL,
     ref_id         INTEGER NOT NULL DEFAULT 0,
     summary        TEXT NOT NULL,
     content        TEXT NOT NULL,
     cid            TEXT NOT NULL UNIQUE,
     status         TEXT NOT NULL CHECK (status IN ('unpublished','pending','proposed','ratified','defeated','revoked')),
     batch_id       INTEGER REFERENCES proposal_batches(id),
     chain_id       INTEGER,
     created_at     INTEGER NOT NULL,
     updated_at     INTEGER NOT NULL
   );
   CREATE INDEX knowledge_records_status ON knowledge_records(status);
   CREATE TABLE proposal_batches (
     id             INTEGER PRIMARY KEY,
     proposal_id    TEXT NOT NULL UNIQUE,
     attempt        INTEGER NOT NULL,
     description    TEXT NOT NULL,
     actions        TEXT NOT NULL,
     status         TEXT NOT NULL CHECK (status IN ('proposing','proposed','queued','executed','defeated','expired','canceled')),
     tx_hash        TEXT,
     created_at     INTEGER NOT NULL,
     updated_at     INTEGER NOT NULL
   );`,
  // 2: the chain index (records, proposals, votes from events) and its cursor
  `CREATE TABLE chain_records (
     id             INTEGER PRIMARY KEY,
     kind           INTEGER NOT NULL,
     cid            TEXT NOT NULL,
     schema_version INTEGER NOT NULL,
     ref_id         INTEGER NOT NULL,
     round          INTEGER NOT NULL,
     proposal_id    TEXT NOT NULL,
     block_number   INTEGER NOT NULL,
     tx_hash        TEXT NOT NULL,
     revoked_block  INTEGER,
     superseded_by  INTEGER
   );
   CREATE INDEX chain_records_kind ON chain_records(kind, id);
   CREATE INDEX chain_records_proposal ON chain_records(proposal_id);
   CREATE TABLE chain_proposals (
     id             TEXT PRIMARY KEY,
     proposer       TEXT NOT NULL,
     description    TEXT NOT NULL,
     targets        TEXT NOT NULL,
     calldatas      TEXT NOT NULL,
     vote_start     INTEGER NOT NULL,
     vote_end       INTEGER NOT NULL,
     created_block  INTEGER NOT NULL,
     queued_eta     INTEGER,
     executed_block INTEGER,
     canceled_block INTEGER
   );
   CREATE TABLE chain_votes (
     proposal_id    TEXT NOT NULL,
     voter          TEXT NOT NULL,
     support        INTEGER NOT NULL,
     weight         TEXT NOT NULL,
     reason         TEXT NOT NULL,
     block_number   INTEGER NOT NULL,
     PRIMARY KEY (proposal_id, voter)
   );
   CREATE TABLE sync_cursors (
     name           TEXT PRIMARY KEY,
     block_number   INTEGER NOT NULL
   );`,
  // 3: FL rounds, so a restart resumes from the last global model and closes the round it interrupted
  `CREATE TABLE fl_rounds (
     round              INTEGER PRIMARY KEY,
     status             TEXT NOT NULL CHECK (status IN ('running','completed','failed')),
     reason             TEXT,
     record             TEXT,
     manifest_cid       TEXT,
     model_record_cid   TEXT,
     started_at         INTEGER NOT NULL,
     finished_at        INTEGER
   );`,
  // 4: Telegram chats' notification subscriptions (one row per chat and topic), with the language to notify in
  `CREATE TABLE telegram_subscriptions (
     chat_id        TEXT NOT NULL,
     topic          TEXT NOT NULL CHECK (topic IN ('rounds','models','incidents','proposals')),
     lang           TEXT NOT NULL CHECK (lang IN ('en','ru')),
     created_at     INTEGER NOT NULL,
     PRIMARY KEY (chat_id, topic)
   );
   CREATE INDEX telegram_subscriptions_topic ON telegram_subscriptions(topic);`,
  // 5: chaos experiment runs and their journals
  `CREATE TABLE chaos_runs (
     run_id         INTEGER PRIMARY KEY,
     experiment     TEXT NOT NULL,
     title          TEXT NOT NULL,
     file           TEXT,
     source         TEXT NOT NULL,
     status         TEXT NOT NULL CHECK (status IN ('running','completed','failed','aborted','interrupted')),
     time_scale     REAL NOT NULL,
     started_at     INTEGER NOT NULL,
     ended_at       INTEGER,
     report_cid     TEXT,
     journal        TEXT
   );`,
  // 6: knowledge epochs (one Merkle root and one proposal per epoch) replace per-record batches
  `CREATE TABLE knowledge_epochs (
     epoch          INTEGER PRIMARY KEY CHECK (epoch >= 1),
     status         TEXT NOT NULL CHECK (status IN ('proposing','proposed','queued','ratified','returned','defeated')),
     outcome        TEXT CHECK (outcome IN ('vetoed','voted-down','no-quorum','tie','expired','canceled','front-run','epoch-taken')),
     proposal_id    TEXT NOT NULL UNIQUE,
     proposal_type  TEXT NOT NULL CHECK (proposal_type IN ('routine','full')),
     root           TEXT NOT NULL,
     manifest_cid   TEXT NOT NULL,
     manifest       TEXT NOT NULL,
     tree           TEXT NOT NULL,
     counts         TEXT NOT NULL,
     description    TEXT NOT NULL,
     actions        TEXT NOT NULL,
     tx_hash        TEXT,
     opened_at      INTEGER NOT NULL,
     closed_at      INTEGER NOT NULL,
     ratified_at    INTEGER,
     updated_at     INTEGER NOT NULL
   );
   CREATE TABLE knowledge_epoch_records (
     epoch          INTEGER NOT NULL REFERENCES knowledge_epochs(epoch),
     local_id       INTEGER NOT NULL REFERENCES knowledge_records(local_id),
     position       INTEGER NOT NULL,
     leaf           TEXT NOT NULL,
     headline       INTEGER NOT NULL,
     PRIMARY KEY (epoch, local_id),
     UNIQUE (epoch, position)
   );
   CREATE INDEX knowledge_epoch_records_local ON knowledge_epoch_records(local_id);
   ALTER TABLE knowledge_records ADD COLUMN epoch INTEGER REFERENCES knowledge_epochs(epoch);
   CREATE INDEX knowledge_records_epoch ON knowledge_records(epoch);
   -- records waiting in a per-record batch proposal go back to pending: the next epoch carries them
   -- (should that old proposal still execute, its RecordAdded events mark them ratified as before)
   UPDATE knowledge_records SET status = 'pending', batch_id = NULL WHERE status = 'proposed';
   CREATE TABLE chain_epochs (
     epoch          INTEGER PRIMARY KEY,
     proposal_id    TEXT NOT NULL,
     root           TEXT NOT NULL,
     manifest_cid   TEXT NOT NULL,
     counts         TEXT NOT NULL,
     block_number   INTEGER NOT NULL,
     tx_hash        TEXT NOT NULL,
     recorded_at    INTEGER NOT NULL
   );`,
  // 7: what started a chaos run (an operator, or the experiment's schedule), so a schedule keeps only its last runs
  `ALTER TABLE chaos_runs ADD COLUMN trigger TEXT NOT NULL DEFAULT 'manual' CHECK (trigger IN ('manual','schedule'));
   CREATE INDEX chaos_runs_experiment_trigger ON chaos_runs(experiment, trigger, run_id);`,
];

/**
 * Opens (creating if needed) the database and applies pending migrations.
 *
 * @param dataDir - `SYNOD_DATA_DIR`; `":memory:"` for a throwaway database.
 * @returns the open database; `close()` it on shutdown.
 */
export function openDatabase(dataDir: string): Database {
  let file = ":memory:";
  if (dataDir !== ":memory:") {
    mkdirSync(dataDir, { recursive: true });
    file = path.join(dataDir, "synod.db");
  }
  const db = new DatabaseSync(file);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
  const { user_version: version } = db.prepare("PRAGMA user_version").get() as { user_version: number };
  for (let index = version; index < MIGRATIONS.length; index++) {
    transaction(db, () => {
      db.exec(MIGRATIONS[index]!);
      db.exec(`PRAGMA user_version = ${index + 1}`);
    });
  }
  return db;
}

/** Runs `work` in one transaction: all of it is stored, or none. */
export function transaction<T>(db: Database, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
