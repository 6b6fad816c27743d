/**
 * Writes a new database file. It turns feed records into rows with prepared statements inside one
 * transaction, which commits only when every feed was read.
 *
 * @module
 */

import Database from 'better-sqlite3';
import type { Advisory, VulnerabilityDetail } from '../types.js';
import { SCHEMA_DDL, SCHEMA_INDEXES, SCHEMA_VERSION } from './schema.js';

/** A `sources` row. */
export interface SourceRow {
  readonly name: string;
  readonly kind: string;
  readonly path: string;
  readonly feedDate: string;
  readonly builtAt: string;
  readonly recordCount: number;
}

// Rows of the feed being read carry this feed_date until finishSource stores the real one,
// because some feeds know their date only after the last record (NVD uses the newest lastModified).
const PENDING_DATE = '';

const INSERT_ADVISORY = `
INSERT INTO advisories (source, namespace, package, vulnerability_id, fixed_version, status, vendor_severity, feed_date)
VALUES (@source, @namespace, @package, @vulnerabilityId, @fixedVersion, @status, @vendorSeverity, '${PENDING_DATE}')`;

const DETAIL_COLUMNS = `
INSERT INTO vulnerabilities (id, title, description, severity, cvss_json, references_json, published, last_modified, source, feed_date)
VALUES (@id, @title, @description, @severity, @cvss, @references, @published, @lastModified, @source, '${PENDING_DATE}')`;

// NVD details replace any other feed's details for the same ID, and a newer NVD record replaces an
// older one. Other feeds only fill IDs that have no details yet.
const UPSERT_NVD_DETAIL = `${DETAIL_COLUMNS}
ON CONFLICT (id) DO UPDATE SET
  title = excluded.title, description = excluded.description, severity = excluded.severity,
  cvss_json = excluded.cvss_json, references_json = excluded.references_json,
  published = excluded.published, last_modified = excluded.last_modified,
  source = excluded.source, feed_date = excluded.feed_date
WHERE vulnerabilities.source <> 'nvd'
   OR coalesce(excluded.last_modified, '') >= coalesce(vulnerabilities.last_modified, '')`;

const INSERT_OTHER_DETAIL = `${DETAIL_COLUMNS}
ON CONFLICT (id) DO NOTHING`;

export class DatabaseWriter {
  readonly #db: Database.Database;
  readonly #insertAdvisory: Database.Statement;
  readonly #upsertNvdDetail: Database.Statement;
  readonly #insertOtherDetail: Database.Statement;

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#insertAdvisory = db.prepare(INSERT_ADVISORY);
    this.#upsertNvdDetail = db.prepare(UPSERT_NVD_DETAIL);
    this.#insertOtherDetail = db.prepare(INSERT_OTHER_DETAIL);
  }

  /**
   * Creates the schema in a new file and opens the transaction. The journal is off and writes are
   * not synced, because the file is private until the builder syncs and renames it.
   */
  static create(path: string): DatabaseWriter {
    const db = new Database(path);
    try {
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
      db.exec(SCHEMA_DDL);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      db.exec('BEGIN');
      return new DatabaseWriter(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Writes one advisory and returns the number of rows written. */
  writeAdvisory(advisory: Advisory): number {
    return this.#insertAdvisory.run({
      source: advisory.source,
      namespace: advisory.namespace,
      package: advisory.packageName,
      vulnerabilityId: advisory.vulnerabilityID,
      fixedVersion: advisory.fixedVersion ?? null,
      status: advisory.status,
      vendorSeverity: advisory.vendorSeverity ?? null,
    }).changes;
  }

  /** Writes one detail and returns the number of rows written: 0 when a preferred feed's details are stored. */
  writeDetail(detail: VulnerabilityDetail, source: string): number {
    const statement = source === 'nvd' ? this.#upsertNvdDetail : this.#insertOtherDetail;
    return statement.run({
      id: detail.id,
      title: detail.title ?? null,
      description: detail.description ?? null,
      severity: detail.severity ?? null,
      cvss: JSON.stringify(detail.cvss),
      references: JSON.stringify(detail.references),
      published: detail.publishedDate ?? null,
      lastModified: detail.lastModifiedDate ?? null,
      source,
    }).changes;
  }

  /** Stamps the feed's rows with its date and records the source. */
  finishSource(source: SourceRow): void {
    this.#db.prepare('UPDATE advisories SET feed_date = ? WHERE feed_date = ?').run(source.feedDate, PENDING_DATE);
    this.#db.prepare('UPDATE vulnerabilities SET feed_date = ? WHERE feed_date = ?').run(source.feedDate, PENDING_DATE);
    this.#db
      .prepare('INSERT INTO sources (name, kind, path, feed_date, built_at, record_count) VALUES (?, ?, ?, ?, ?, ?)')
      .run(source.name, source.kind, source.path, source.feedDate, source.builtAt, source.recordCount);
  }

  /** Writes the meta rows and indexes, commits and closes the file. */
  commit(meta: { builtAt: string; scannerVersion: string }): void {
    this.#db.exec(SCHEMA_INDEXES);
    const insert = this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    insert.run('schema_version', String(SCHEMA_VERSION));
    insert.run('built_at', meta.builtAt);
    insert.run('scanner_version', meta.scannerVersion);
    this.#db.exec('COMMIT');
    this.#db.exec('ANALYZE');
    this.#db.close();
  }

  /** Closes the file without committing. The caller deletes it. */
  abort(): void {
    if (this.#db.open) this.#db.close();
  }
}
