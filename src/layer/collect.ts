/**
 * The per-entry decisions of the layer reader: which entries are whiteouts, which files the
 * analyzers want, what is buffered and what is skipped, and how the analyzer results add up to
 * one LayerAnalysis.
 *
 * Hard links are bounded in two ways. An analyzer reads a content again under a link's path only
 * when its result for that content held nothing but OS release files, which are recorded by path
 * (so `etc/os-release` linked to `usr/lib/os-release` is read under both). A package database is
 * recorded once, under the first path of its content in the tar. And at most
 * `limits.maxHardLinks` links per layer are handed to analyzers at all.
 *
 * @module
 */

import type { Analyzer, AnalysisResult, EntryInfo } from '../analyzer/analyzer.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { LayerAnalysis, PackageDatabase } from '../types.js';
import { MAX_ENTRY_NAME_BYTES, type LayerLimits } from './limits.js';
import { LinkTargets } from './link-targets.js';
import { normalizeEntryPath, parseWhiteout } from './path.js';
import { LayerRecords } from './records.js';
import type { TarEntry } from './walk.js';

/** Length of the part of an over-long entry name that its unknown shows. */
const SHOWN_NAME_LENGTH = 200;

/** Work done by one analyzer in one layer, for the debug log. */
export interface AnalyzerStats {
  files: number;
  ms: number;
}

export class LayerCollector {
  readonly #analyzers: readonly Analyzer[];
  readonly #limits: LayerLimits;
  readonly #logger: Logger;
  readonly #osFiles: Record<string, string> = {};
  /** Keyed by analyzer type and path, so a file written twice in one layer counts once. */
  readonly #databases = new Map<string, PackageDatabase>();
  readonly #records: LayerRecords;
  readonly #linkTargets: LinkTargets;
  #hardLinks = 0;
  readonly stats = new Map<string, AnalyzerStats>();

  constructor(analyzers: readonly Analyzer[], limits: LayerLimits, logger: Logger) {
    this.#analyzers = analyzers;
    this.#limits = limits;
    this.#logger = logger;
    this.#records = new LayerRecords(limits.maxRecordedBytes);
    this.#linkTargets = new LinkTargets(limits.maxLinkTargetBytes);
    for (const analyzer of analyzers) this.stats.set(analyzer.type, { files: 0, ms: 0 });
  }

  /**
   * Records a whiteout, or hands a file to the analyzers that want it; other entries are ignored.
   * Throws LayerLimitError when the layer records more than `limits.maxRecordedBytes`.
   */
  async handle(entry: TarEntry): Promise<void> {
    if (this.#skipLongName(entry)) return;
    const path = normalizeEntryPath(entry.name);
    if (path === null) {
      this.#skip(entry.name, 'the path climbs above the layer root with ".." segments; the entry was skipped');
      return;
    }
    if (path === '') return;

    const whiteout = parseWhiteout(path);
    if (whiteout !== null) {
      if (whiteout.kind === 'file') this.#records.addWhiteout(whiteout.path);
      if (whiteout.kind === 'opaque') this.#records.addOpaqueDir(whiteout.dir);
      this.#logger.debug('whiteout entry', { path, kind: whiteout.kind });
      return;
    }

    switch (entry.type) {
      case 'file':
      case 'contiguous-file':
        await this.#handleFile(path, entry);
        return;
      case 'link':
        await this.#handleHardLink(path, entry);
        return;
      case 'symlink':
        if (this.#wantedBy(path, entry).length > 0) {
          // The link replaces whatever a lower layer had at this path, so a lower package database
          // there must not stay visible. It is recorded like a whiteout of the lower file.
          this.#records.addWhiteout(path);
          this.#logger.debug('symlink not followed; it hides the lower layers\' file at its path', { path, target: entry.linkname });
        }
        return;
      default:
        return;
    }
  }

  result(diffID: string): LayerAnalysis {
    const skippedLinks = this.#records.repeatedCount('hard-links');
    if (skippedLinks > 0) this.#logger.warn('hard links skipped', { count: skippedLinks, limit: this.#limits.maxHardLinks });
    return {
      diffID,
      osFiles: { ...this.#osFiles },
      packageDatabases: [...this.#databases.values()],
      whiteouts: [...this.#records.whiteouts],
      opaqueDirs: [...this.#records.opaqueDirs],
      unknowns: this.#records.unknowns(),
      // Only analyzers that read a file here: the layer cache keys on these, so raising the version
      // of an analyzer that read nothing in this layer keeps its cached analysis.
      analyzers: Object.fromEntries(
        this.#analyzers.filter((analyzer) => (this.stats.get(analyzer.type)?.files ?? 0) > 0).map((analyzer) => [analyzer.type, analyzer.version]),
      ),
    };
  }

  async #handleFile(path: string, entry: TarEntry): Promise<void> {
    const analyzers = this.#wantedBy(path, entry);
    if (analyzers.length === 0) return;

    if (entry.size > this.#limits.maxFileSize) {
      const reason = `the file is ${entry.size} bytes, over the ${this.#limits.maxFileSize}-byte limit for analyzer input; raise limits.maxFileSize to read it`;
      this.#records.addUnknown({ path, reason });
      this.#logger.warn('file skipped', { path, reason });
      return;
    }

    const content = await entry.read();
    const target = this.#linkTargets.keep(path, content);
    if (target === undefined) this.#logger.debug('content not kept for hard links', { path, bytes: content.length, limit: this.#limits.maxLinkTargetBytes });
    const finished = await this.#analyze(path, content, analyzers);
    for (const type of finished) target?.finished.add(type);
  }

  /**
   * Resolves a hard link to a file of this layer that was read for an analyzer and kept, and hands
   * it to the analyzers that want the link's path, under the rules in the module comment.
   */
  async #handleHardLink(path: string, entry: TarEntry): Promise<void> {
    const targetPath = normalizeEntryPath(entry.linkname ?? '');
    const target = targetPath === null ? undefined : this.#linkTargets.find(targetPath);
    const analyzers = this.#wantedBy(path, { size: target?.content.length ?? entry.size, mode: entry.mode });
    if (analyzers.length === 0) return;

    if (target === undefined) {
      // NOTE: a hard link to a file that no analyzer wanted, or to one in a lower layer, is not read.
      const dropped = this.#linkTargets.dropped
        ? `, or its content was not kept because the ${this.#limits.maxLinkTargetBytes}-byte limit for hard-link targets was reached (limits.maxLinkTargetBytes)`
        : '';
      this.#skip(path, `hard link to ${JSON.stringify(entry.linkname)} not resolved: the target was not read from this layer${dropped}`);
      return;
    }
    this.#linkTargets.alias(path, target);

    const pending = analyzers.filter((analyzer) => !target.finished.has(analyzer.type));
    if (pending.length < analyzers.length) {
      const done = analyzers.filter((analyzer) => target.finished.has(analyzer.type)).map((analyzer) => analyzer.type);
      this.#logger.debug('hard link not analyzed again', { path, target: targetPath, analyzers: done.join(',') });
    }
    if (pending.length === 0) return;

    this.#hardLinks += 1;
    if (this.#hardLinks > this.#limits.maxHardLinks) {
      const reason = `hard link not resolved: the layer has more than ${this.#limits.maxHardLinks} hard links to analyzer input; raise limits.maxHardLinks to read them`;
      this.#records.addRepeated('hard-links', { path, reason });
      return;
    }
    this.#logger.debug('hard link resolved', { path, target: targetPath });
    const finished = await this.#analyze(path, target.content, pending);
    for (const type of finished) target.finished.add(type);
  }

  /**
   * Skips an entry whose name or link target is longer than MAX_ENTRY_NAME_BYTES. The first one
   * becomes an unknown that shows the start of the name, and the others are counted.
   */
  #skipLongName(entry: TarEntry): boolean {
    const bytes = Math.max(Buffer.byteLength(entry.name), Buffer.byteLength(entry.linkname ?? ''));
    if (bytes <= MAX_ENTRY_NAME_BYTES) return false;

    const shownName = entry.name.length > SHOWN_NAME_LENGTH ? `${entry.name.slice(0, SHOWN_NAME_LENGTH)}...` : entry.name;
    const reason = `the entry name or link target is ${bytes} bytes, over the ${MAX_ENTRY_NAME_BYTES}-byte limit; the entry was skipped`;
    this.#records.addRepeated('long-name', { path: shownName, reason });
    this.#logger.debug('entry skipped', { path: shownName, reason });
    return true;
  }

  #wantedBy(path: string, info: EntryInfo): Analyzer[] {
    // A copy, so analyzers see only the documented fields and not the tar entry itself.
    const facts: EntryInfo = { size: info.size, mode: info.mode };
    return this.#analyzers.filter((analyzer) => {
      try {
        return analyzer.required(path, facts);
      } catch (error) {
        this.#fail(analyzer, path, error);
        return false;
      }
    });
  }

  /**
   * Hands `content` to each analyzer in turn and merges the results. Returns the types of the
   * analyzers whose result must not be repeated under another path: all but those that found only
   * OS release files.
   */
  async #analyze(path: string, content: Buffer, analyzers: readonly Analyzer[]): Promise<string[]> {
    this.#logger.debug('file handed to analyzers', { path, bytes: content.length, analyzers: analyzers.map((a) => a.type).join(',') });
    const finished: string[] = [];
    for (const analyzer of analyzers) {
      const result = await this.#run(analyzer, path, content);
      // Merged outside #run, so that a LayerLimitError from the records is not taken for an analyzer failure.
      if (result !== null) this.#merge(result);
      if (!holdsOnlyOsFiles(result)) finished.push(analyzer.type);
    }
    return finished;
  }

  /** Runs one analyzer and returns its result, or null when it found nothing or failed. */
  async #run(analyzer: Analyzer, path: string, content: Buffer): Promise<AnalysisResult | null> {
    const stats = this.stats.get(analyzer.type);
    const started = performance.now();
    try {
      return await analyzer.analyze({ path, content });
    } catch (error) {
      this.#fail(analyzer, path, error);
      return null;
    } finally {
      if (stats !== undefined) {
        stats.files += 1;
        stats.ms += performance.now() - started;
      }
    }
  }

  #merge(result: AnalysisResult): void {
    Object.assign(this.#osFiles, result.osFiles);
    for (const database of result.packageDatabases ?? []) {
      this.#databases.set(`${database.type}\u0000${database.path}`, database);
    }
    for (const unknown of result.unknowns ?? []) this.#records.addUnknown(unknown);
  }

  /** An analyzer that throws is skipped for this file, as Trivy does, and the file becomes an unknown. */
  #fail(analyzer: Analyzer, path: string, error: unknown): void {
    const reason = `${analyzer.type} analyzer failed: ${errorMessage(error)}`;
    this.#records.addUnknown({ path, reason });
    this.#logger.warn('analyzer failed', { analyzer: analyzer.type, path, error: errorMessage(error) });
  }

  #skip(path: string, reason: string): void {
    this.#records.addUnknown({ path, reason });
    this.#logger.debug('entry skipped', { path, reason });
  }
}

function holdsOnlyOsFiles(result: AnalysisResult | null): boolean {
  if (result === null) return false;
  const hasOsFiles = Object.keys(result.osFiles ?? {}).length > 0;
  return hasOsFiles && (result.packageDatabases?.length ?? 0) === 0 && (result.unknowns?.length ?? 0) === 0;
}
