/**
 * The database schema. Every advisory and vulnerability row keeps the feed it came from and that
 * feed's date, so a report can show how old its data is.
 *
 * @module
 */

/** Raise whenever the tables or the meaning of a column change; older databases must be rebuilt. */
export const SCHEMA_VERSION = 1;

/**
 * DDL of a new database. Dates are ISO 8601 strings in UTC. Tables are STRICT, so a value of the
 * wrong type fails the insert instead of being stored.
 */
export const SCHEMA_DDL = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- One row per --source of the build. record_count counts the advisory and vulnerability rows the
-- feed wrote; a detail that lost to an NVD detail for the same ID is not counted.
CREATE TABLE sources (
  name         TEXT NOT NULL,
  kind         TEXT NOT NULL,
  path         TEXT NOT NULL,
  feed_date    TEXT NOT NULL,
  built_at     TEXT NOT NULL,
  record_count INTEGER NOT NULL
) STRICT;

-- A package of a distro release that a vulnerability affects or affected. fixed_version is NULL
-- while no fix exists. Feeds write no row where a package was never affected.
CREATE TABLE advisories (
  source           TEXT NOT NULL,
  namespace        TEXT NOT NULL,
  package          TEXT NOT NULL,
  vulnerability_id TEXT NOT NULL,
  fixed_version    TEXT,
  status           TEXT NOT NULL,
  vendor_severity  TEXT,
  feed_date        TEXT NOT NULL
) STRICT;

-- Package-independent details. cvss_json is an object of source name to CvssScore;
-- references_json is a list of URLs.
CREATE TABLE vulnerabilities (
  id              TEXT PRIMARY KEY,
  title           TEXT,
  description     TEXT,
  severity        TEXT,
  cvss_json       TEXT NOT NULL,
  references_json TEXT NOT NULL,
  published       TEXT,
  last_modified   TEXT,
  source          TEXT NOT NULL,
  feed_date       TEXT NOT NULL
) STRICT;
`;

/** Indexes, created after the rows are written because one bulk index build is faster than updating it per insert. */
export const SCHEMA_INDEXES = `
CREATE INDEX advisories_by_package ON advisories (namespace, package);
`;
