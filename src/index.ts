/**
 * Strata's library API. The CLI is a thin layer over these functions.
 *
 * @module
 */

export { scanImage, type ScanOptions } from './scan.js';
export { openImage, parsePlatform, type ImageSource } from './image/index.js';
export { readLayer } from './layer/index.js';
export { defaultAnalyzers, detectOS } from './analyzer/index.js';
export type { Analyzer, AnalysisResult, AnalyzerInput, EntryInfo } from './analyzer/analyzer.js';
export { applyLayers, type AnalyzedLayer, type ImageView } from './applier/apply.js';
export { matchImage, type AdvisorySource, type CoverageGap, type MatchResult } from './matcher/match.js';
export { compareVersions, type VersionScheme } from './matcher/version/index.js';
export { buildDatabase, parseSourceArgument } from './db/build.js';
export { VulnerabilityStore, type DatabaseInfo } from './db/store.js';
export { defaultCacheDir, databasePath } from './db/paths.js';
export { buildJSONReport } from './report/json.js';
export { renderTable } from './report/table.js';
export { filterFindings, type ReportFilter, type ScanResult } from './report/result.js';
export { Logger, memoryLogger, silentLogger, type LogRecord } from './log.js';
export * from './errors.js';
export type * from './types.js';
export { SCANNER_VERSION } from './version.js';
