/**
 * The per-entry decisions of the layer reader: which entries are whiteouts, which files the
 * analyzers want, what is buffered and what is skipped, and how the analyzer results add up to
 * one LayerAnalysis.
 *
 * @module
 */

import type { Analyzer, AnalysisResult, EntryInfo } from '../analyzer/analyzer.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { LayerAnalysis, PackageDatabase, Unknown } from '../types.js';
import type { LayerLimits } from './limits.js';
import { normalizeEntryPath, parseWhiteout } from './path.js';
import type { TarEntry } from './walk.js';

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
  readonly #whiteouts: string[] = [];
  readonly #opaqueDirs: string[] = [];
  readonly #unknowns: Unknown[] = [];
  /** Content of the files handed to analyzers, by path, kept until the layer ends to resolve hard links. */
  readonly #contents = new Map<string, Buffer>();
  readonly stats = new Map<string, AnalyzerStats>();

  constructor(analyzers: readonly Analyzer[], limits: LayerLimits, logger: Logger) {
    this.#analyzers = analyzers;
    this.#limits = limits;
    this.#logger = logger;
    for (const analyzer of analyzers) this.stats.set(analyzer.type, { files: 0, ms: 0 });
  }

  /** Records a whiteout, or hands a file to the analyzers that want it; other entries are ignored. */
  async handle(entry: TarEntry): Promise<void> {
    const path = normalizeEntryPath(entry.name);
    if (path === null) {
      this.#skip(entry.name, 'the path climbs above the layer root with ".." segments; the entry was skipped');
      return;
    }
    if (path === '') return;

    const whiteout = parseWhiteout(path);
    if (whiteout !== null) {
      if (whiteout.kind === 'file') this.#whiteouts.push(whiteout.path);
      if (whiteout.kind === 'opaque') this.#opaqueDirs.push(whiteout.dir);
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
          this.#logger.debug('symlink not followed', { path, target: entry.linkname });
        }
        return;
      default:
        return;
    }
  }

  result(diffID: string): LayerAnalysis {
    return {
      diffID,
      osFiles: { ...this.#osFiles },
      packageDatabases: [...this.#databases.values()],
      whiteouts: [...this.#whiteouts],
      opaqueDirs: [...this.#opaqueDirs],
      unknowns: [...this.#unknowns],
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
      this.#unknowns.push({ path, reason });
      this.#logger.warn('file skipped', { path, reason });
      return;
    }

    const content = await entry.read();
    this.#contents.set(path, content);
    await this.#analyze(path, content, analyzers);
  }

  /** A hard link is resolved only to a file of this layer that was already read for an analyzer. */
  async #handleHardLink(path: string, entry: TarEntry): Promise<void> {
    const target = normalizeEntryPath(entry.linkname ?? '');
    const content = target === null ? undefined : this.#contents.get(target);
    const analyzers = this.#wantedBy(path, { size: content?.length ?? entry.size, mode: entry.mode });
    if (analyzers.length === 0) return;

    if (content === undefined) {
      // NOTE: a hard link to a file that no analyzer wanted, or to one in a lower layer, is not read.
      this.#skip(path, `hard link to ${JSON.stringify(entry.linkname)} not resolved: the target was not read from this layer`);
      return;
    }
    this.#logger.debug('hard link resolved', { path, target });
    await this.#analyze(path, content, analyzers);
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

  async #analyze(path: string, content: Buffer, analyzers: readonly Analyzer[]): Promise<void> {
    this.#logger.debug('file handed to analyzers', { path, bytes: content.length, analyzers: analyzers.map((a) => a.type).join(',') });
    for (const analyzer of analyzers) {
      const stats = this.stats.get(analyzer.type);
      const started = performance.now();
      try {
        const result = await analyzer.analyze({ path, content });
        if (result !== null) this.#merge(result);
      } catch (error) {
        this.#fail(analyzer, path, error);
      } finally {
        if (stats !== undefined) {
          stats.files += 1;
          stats.ms += performance.now() - started;
        }
      }
    }
  }

  #merge(result: AnalysisResult): void {
    Object.assign(this.#osFiles, result.osFiles);
    for (const database of result.packageDatabases ?? []) {
      this.#databases.set(`${database.type}\u0000${database.path}`, database);
    }
    this.#unknowns.push(...(result.unknowns ?? []));
  }

  /** An analyzer that throws is skipped for this file, as Trivy does, and the file becomes an unknown. */
  #fail(analyzer: Analyzer, path: string, error: unknown): void {
    const reason = `${analyzer.type} analyzer failed: ${errorMessage(error)}`;
    this.#unknowns.push({ path, reason });
    this.#logger.warn('analyzer failed', { analyzer: analyzer.type, path, error: errorMessage(error) });
  }

  #skip(path: string, reason: string): void {
    this.#unknowns.push({ path, reason });
    this.#logger.debug('entry skipped', { path, reason });
  }
}
