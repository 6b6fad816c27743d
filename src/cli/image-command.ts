/**
 * `strata image`: scan, filter, render, write.
 *
 * @module
 */

import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { defaultCacheDir } from '../db/paths.js';
import { StrataError } from '../errors.js';
import type { Logger } from '../log.js';
import { filterFindings } from '../report/result.js';
import { scanImage } from '../scan.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { ImageCommandOptions, ProgramIO } from './program.js';

export async function runImageCommand(options: ImageCommandOptions, io: ProgramIO, logger: Logger): Promise<void> {
  if (options.input === undefined || options.input === '') {
    throw new StrataError('INVALID_ARGUMENT', 'no image given; pass an image archive or OCI layout with --input PATH');
  }

  // Checked before the scan, so a typo in --output does not cost a whole scan.
  if (options.output !== undefined) await checkOutputDirectory(options.output);

  const result = await scanImage({
    input: options.input,
    ...(options.platform === undefined ? {} : { platform: options.platform }),
    // An empty --cache-dir turns the scan cache off; the database then comes from the default place.
    databaseDir: options.cacheDir === undefined || options.cacheDir === '' ? defaultCacheDir() : resolve(options.cacheDir),
    cache: {
      cacheDir: options.cacheDir === '' ? '' : resolve(options.cacheDir ?? defaultCacheDir()),
      ...(options.cacheBackend === undefined ? {} : { backend: options.cacheBackend }),
      ...(options.cacheTtl === undefined ? {} : { ttl: options.cacheTtl }),
      fallback: options.cacheFallback === true,
    },
    logger,
  });

  const findings = filterFindings(result.findings, {
    ...(options.severity === undefined ? {} : { severities: options.severity }),
    ignoreUnfixed: options.ignoreUnfixed === true,
  });

  for (const gap of result.gaps) logger.warn(gap.message, { kind: gap.kind });
  if (result.unknowns.length > 0) {
    const [first] = result.unknowns;
    logger.warn('some files could not be read; the report lists them under "Not checked" (table) or Strata.Unknowns (JSON)', {
      count: result.unknowns.length,
      first: first === undefined ? undefined : `layer ${first.layer.index} ${first.path}: ${first.reason}`,
    });
  }

  // Each format is loaded only when used; cli-table3 alone costs tens of milliseconds to load.
  let text: string;
  if (options.format === 'json') {
    const { buildJSONReport } = await import('../report/json.js');
    text = `${JSON.stringify(buildJSONReport(result, findings, { listAllPackages: options.listAllPkgs === true }), null, 2)}\n`;
  } else {
    const { renderTable } = await import('../report/table.js');
    text = renderTable(result, findings, {
      color: options.output === undefined && io.stdout.isTTY === true,
      ...(options.severity === undefined ? {} : { severities: options.severity }),
    });
  }

  if (options.output === undefined) io.stdout.write(text);
  else await writeReport(options.output, text);

  if (findings.length > 0 && options.exitCode !== 0) io.setExitCode(options.exitCode);
}

async function checkOutputDirectory(output: string): Promise<void> {
  const directory = dirname(resolve(output));
  const info = await stat(directory).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new StrataError('INVALID_ARGUMENT', `cannot write the report to ${output}: directory ${directory} does not exist; create it or pass another --output`);
  }
}

async function writeReport(output: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(output, text);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new StrataError('INVALID_ARGUMENT', `cannot write the report to ${output} (${reason}); check that the directory is writable or pass another --output`, { cause: error });
  }
}
