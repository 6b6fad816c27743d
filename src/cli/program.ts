/**
 * The `strata` command tree. Actions only turn options into library calls and print the result;
 * the library is loaded lazily so `--help` stays fast.
 *
 * @module
 */

import { Command } from 'commander';

import { formatRecord, Logger, type LogLevel } from '../log.js';
import type { Severity } from '../types.js';
import { SCANNER_VERSION } from '../version.js';
import type { CacheCommandOptions } from './cache-command.js';
import { addOptions, CACHE_OPTIONS, DB_BUILD_OPTIONS, GLOBAL_OPTIONS, IMAGE_OPTIONS, type ReportFormat } from './options.js';

/** Global options after parsing. */
export interface GlobalOptions {
  readonly cacheDir?: string;
  readonly debug?: boolean;
  readonly quiet?: boolean;
}

export interface ImageCommandOptions extends GlobalOptions {
  readonly input?: string;
  readonly platform?: string;
  readonly format: ReportFormat;
  readonly output?: string;
  readonly severity?: Severity[];
  readonly ignoreUnfixed?: boolean;
  readonly exitCode: number;
  readonly listAllPkgs?: boolean;
  readonly cacheBackend?: string;
  readonly cacheTtl?: string;
  readonly cacheFallback?: boolean;
}

/** Output streams and exit code of the program; tests pass buffers. */
export interface ProgramIO {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  /** Sets the process exit code for findings that remain after filters. */
  setExitCode(code: number): void;
}

export function createProgram(io: ProgramIO): Command {
  const program = new Command('strata')
    .description(`Scan container images for known vulnerabilities, layer by layer (version ${SCANNER_VERSION})`)
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true })
    .helpCommand(true)
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  addOptions(program, GLOBAL_OPTIONS);

  // --version also reports the database, so it is a plain option instead of commander's own.
  program.option('-v, --version', 'print the scanner version and the database schema, build date and records');
  // A root action makes commander pass unknown command names here as arguments, so they are
  // reported here as unknown commands.
  program.allowExcessArguments(true);
  program.action(async (options: GlobalOptions & { version?: boolean }) => {
    const [unknown] = program.args;
    if (unknown !== undefined) {
      program.error(`error: unknown command '${unknown}'; commands: ${program.commands.map((command) => command.name()).join(', ')}`);
    }
    if (options.version !== true) {
      program.help();
      return;
    }
    const { describeVersions } = await import('./db-command.js');
    io.stdout.write(describeVersions(options));
  });

  const image = new Command('image').description('scan an image archive or OCI layout').alias('i').argument('[path]', 'same as --input');
  addOptions(image, IMAGE_OPTIONS).action(async (path: string | undefined, _options: unknown, command: Command) => {
    const { runImageCommand } = await import('./image-command.js');
    const options = command.optsWithGlobals<ImageCommandOptions>();
    if (path !== undefined && options.input !== undefined && path !== options.input) {
      command.error(`error: two images given: ${path} and --input ${options.input}; pass one`);
    }
    await runImageCommand({ ...options, ...(path === undefined ? {} : { input: path }) }, io, createLogger(options, io));
  });
  program.addCommand(image);

  const db = new Command('db').description('build and inspect the vulnerability database');
  const build = new Command('build').description('build the database from upstream feed files');
  addOptions(build, DB_BUILD_OPTIONS).action(async (_options: unknown, command: Command) => {
    const { runDatabaseBuild } = await import('./db-command.js');
    const options = command.optsWithGlobals<GlobalOptions & { source?: string[] }>();
    await runDatabaseBuild(options, io, createLogger(options, io));
  });
  const info = new Command('info').description('print the database schema version, build date and records per source');
  info.action(async (_options: unknown, command: Command) => {
    const { runDatabaseInfo } = await import('./db-command.js');
    await runDatabaseInfo(command.optsWithGlobals<GlobalOptions>(), io);
  });
  db.addCommand(build).addCommand(info);
  program.addCommand(db);

  const cache = new Command('cache').description('inspect and clean the scan cache');
  const list = new Command('ls').description('list cached layers: diffID, size, age, packages and analyzer versions');
  addOptions(list, CACHE_OPTIONS).action(async (_options: unknown, command: Command) => {
    const { runCacheList } = await import('./cache-command.js');
    const options = command.optsWithGlobals<CacheCommandOptions>();
    await runCacheList(options, io, createLogger(options, io));
  });
  const clean = new Command('clean').description('remove the scan cache (with --db or --all, the vulnerability database too)');
  addOptions(clean, [
    ...CACHE_OPTIONS,
    { flags: '--db', description: 'also remove the vulnerability database' },
    { flags: '--all', description: 'remove the scan cache and the vulnerability database' },
  ]).action(async (_options: unknown, command: Command) => {
    const { runCacheClean } = await import('./cache-command.js');
    const options = command.optsWithGlobals<CacheCommandOptions>();
    await runCacheClean(options, io, createLogger(options, io));
  });
  cache.addCommand(list).addCommand(clean);
  program.addCommand(cache);

  return program;
}

/** Returns the logger the options ask for: debug with --debug, errors only with --quiet. */
export function createLogger(options: GlobalOptions, io: ProgramIO): Logger {
  let level: LogLevel = 'warn';
  if (options.quiet === true) level = 'error';
  if (options.debug === true) level = 'debug';
  return new Logger({
    level,
    sink: (record) => io.stderr.write(`${formatRecord(record)}\n`),
  });
}
