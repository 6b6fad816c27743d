/**
 * Read access to a built vulnerability database, shaped for the matcher: advisories by release and
 * package name, details by vulnerability ID.
 *
 * @module
 */

import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DatabaseError, errorMessage } from '../errors.js';
import type { Advisory, CvssScore, Severity, VulnerabilityDetail, VulnerabilityStatus } from '../types.js';
import { databasePath } from './paths.js';
import { SCHEMA_VERSION } from './schema.js';

/** One feed of the build, as the `sources` table records it. */
export interface SourceInfo {
  /** Feed name that advisories and details carry as their `source`, e.g. `alpine-secdb`. */
  readonly name: string;
  readonly kind: string;
  /** Absolute path the feed was read from. */
  readonly path: string;
  /** ISO 8601 production date the feed gives, else the newest modification time of its files. */
  readonly feedDate: string;
  readonly builtAt: string;
  readonly recordCount: number;
}

export interface DatabaseInfo {
  readonly path: string;
  readonly schemaVersion: number;
  readonly builtAt: string;
  readonly scannerVersion: string;
  readonly sources: readonly SourceInfo[];
}

/** How to build a database, for the messages of DB_MISSING and DB_INVALID. */
const BUILD_HINT =
  'run "strata db build --source alpine-secdb=DIR --source nvd=DIR" to build it (add --source debian-tracker=FILE for Debian images)';

/** Maximum names or IDs bound to one `IN (...)` list. SQLite's default limit is 32,766 variables. */
const CHUNK_SIZE = 500;

interface AdvisoryRow {
  source: string;
  namespace: string;
  package: string;
  vulnerability_id: string;
  fixed_version: string | null;
  status: string;
  vendor_severity: string | null;
}

interface DetailRow {
  id: string;
  title: string | null;
  description: string | null;
  severity: string | null;
  cvss_json: string;
  references_json: string;
  published: string | null;
  last_modified: string | null;
  source: string;
}

interface SourceRow {
  name: string;
  kind: string;
  path: string;
  feed_date: string;
  built_at: string;
  record_count: number;
}

export class VulnerabilityStore {
  readonly path: string;
  readonly #db: Database.Database;
  /** Prepared statements by SQL text, so each chunk size is prepared once. */
  readonly #statements = new Map<string, Database.Statement>();

  private constructor(db: Database.Database, path: string) {
    this.#db = db;
    this.path = path;
  }

  /** Opens the database of a cache directory read-only and checks its schema version. */
  static open(cacheDir: string): VulnerabilityStore {
    const path = databasePath(cacheDir);
    if (!existsSync(path)) {
      throw new DatabaseError('DB_MISSING', `vulnerability database not found at ${path}; ${BUILD_HINT}`, path);
    }

    let db: Database.Database | undefined;
    let version: string | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
      version = row?.value;
    } catch (error) {
      db?.close();
      throw new DatabaseError('DB_INVALID', `cannot read the vulnerability database at ${path} (${errorMessage(error)}); delete it and ${BUILD_HINT}`, path, {
        cause: error,
      });
    }

    if (version !== String(SCHEMA_VERSION)) {
      db.close();
      throw new DatabaseError(
        'DB_INVALID',
        `vulnerability database at ${path} has schema version ${version ?? 'none'}, but this version of strata reads version ${SCHEMA_VERSION}; ${BUILD_HINT}`,
        path,
      );
    }
    return new VulnerabilityStore(db, path);
  }

  /** Returns the advisories of `namespace` (e.g. `alpine:3.10`) for the named packages, sorted by package and ID. */
  advisoriesFor(namespace: string, packageNames: readonly string[]): Advisory[] {
    const advisories: Advisory[] = [];
    for (const chunk of chunks(packageNames)) {
      const sql =
        'SELECT source, namespace, package, vulnerability_id, fixed_version, status, vendor_severity FROM advisories ' +
        `WHERE namespace = ? AND package IN (${placeholders(chunk.length)}) ORDER BY package, vulnerability_id, source, rowid`;
      const rows = this.#statement(sql).all(namespace, ...chunk) as AdvisoryRow[];
      for (const row of rows) advisories.push(toAdvisory(row));
    }
    return advisories;
  }

  /** Returns how many advisories the database contains for `namespace`; 0 means it cannot judge that release. */
  countAdvisories(namespace: string): number {
    const row = this.#statement('SELECT count(*) AS count FROM advisories WHERE namespace = ?').get(namespace) as { count: number };
    return row.count;
  }

  /** Returns the details of each ID that has some. IDs without details are absent from the map. */
  details(ids: readonly string[]): Map<string, VulnerabilityDetail> {
    const details = new Map<string, VulnerabilityDetail>();
    for (const chunk of chunks(ids)) {
      const sql =
        'SELECT id, title, description, severity, cvss_json, references_json, published, last_modified, source ' +
        `FROM vulnerabilities WHERE id IN (${placeholders(chunk.length)})`;
      for (const row of this.#statement(sql).all(...chunk) as DetailRow[]) details.set(row.id, toDetail(row));
    }
    return details;
  }

  info(): DatabaseInfo {
    const meta = new Map(
      (this.#statement('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((row) => [row.key, row.value]),
    );
    const sources = this.#statement('SELECT name, kind, path, feed_date, built_at, record_count FROM sources ORDER BY rowid').all() as SourceRow[];
    return {
      path: this.path,
      schemaVersion: Number(meta.get('schema_version')),
      builtAt: meta.get('built_at') ?? '',
      scannerVersion: meta.get('scanner_version') ?? '',
      sources: sources.map((row) => ({
        name: row.name,
        kind: row.kind,
        path: row.path,
        feedDate: row.feed_date,
        builtAt: row.built_at,
        recordCount: row.record_count,
      })),
    };
  }

  close(): void {
    this.#db.close();
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

/** Splits deduplicated, sorted values into IN-list chunks. */
function chunks(values: readonly string[]): string[][] {
  const unique = [...new Set(values)].sort();
  const result: string[][] = [];
  for (let start = 0; start < unique.length; start += CHUNK_SIZE) result.push(unique.slice(start, start + CHUNK_SIZE));
  return result;
}

function placeholders(count: number): string {
  return new Array<string>(count).fill('?').join(', ');
}

function toAdvisory(row: AdvisoryRow): Advisory {
  return {
    vulnerabilityID: row.vulnerability_id,
    source: row.source,
    namespace: row.namespace,
    packageName: row.package,
    ...(row.fixed_version === null ? {} : { fixedVersion: row.fixed_version }),
    // The writer stores only values of these unions, from the feed readers' typed records.
    status: row.status as VulnerabilityStatus,
    ...(row.vendor_severity === null ? {} : { vendorSeverity: row.vendor_severity as Severity }),
  };
}

function toDetail(row: DetailRow): VulnerabilityDetail {
  return {
    id: row.id,
    ...(row.title === null ? {} : { title: row.title }),
    ...(row.description === null ? {} : { description: row.description }),
    ...(row.severity === null ? {} : { severity: row.severity as Severity }),
    cvss: JSON.parse(row.cvss_json) as Record<string, CvssScore>,
    references: JSON.parse(row.references_json) as string[],
    ...(row.published === null ? {} : { publishedDate: row.published }),
    ...(row.last_modified === null ? {} : { lastModifiedDate: row.last_modified }),
    source: row.source,
  };
}
