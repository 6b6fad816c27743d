/**
 * Command-line options, declared as tables and registered in a loop, with the parsers that turn
 * their text into typed values.
 *
 * @module
 */

import { InvalidArgumentError, type Command } from 'commander';

import { SEVERITIES, type Severity } from '../types.js';

export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: string | boolean | string[];
  readonly parse?: (value: string, previous: unknown) => unknown;
}

const CACHE_BACKEND_OPTION: OptionSpec = {
  flags: '--cache-backend <backend>',
  description: 'scan cache: fs (under --cache-dir), memory (none kept), or redis://[user:pass@]host:port[/db] (rediss:// for TLS)',
  defaultValue: 'fs',
};

/** Options every command accepts. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  {
    flags: '--cache-dir <dir>',
    description: 'cache directory: database under DIR/db, layer cache under DIR/scan (default: ~/.cache/strata); "" turns the layer cache off',
  },
  { flags: '-d, --debug', description: 'log every layer, analyzer and match decision to stderr, and print stack traces' },
  { flags: '-q, --quiet', description: 'print only the report and errors' },
];

export const IMAGE_OPTIONS: readonly OptionSpec[] = [
  { flags: '-i, --input <path>', description: 'image archive (docker save, OCI archive, .tar.gz) or OCI layout directory; the path may also be given as the argument' },
  { flags: '--platform <os/arch[/variant]>', description: 'platform to pick from a multi-platform image (default: the host platform, or the only image)' },
  { flags: '-f, --format <format>', description: 'report format: table or json', defaultValue: 'table', parse: parseFormat },
  { flags: '-o, --output <file>', description: 'write the report to FILE instead of stdout' },
  {
    flags: '-s, --severity <list>',
    description: `comma-separated severities to report (${SEVERITIES.join(',')})`,
    parse: parseSeverities,
  },
  { flags: '--ignore-unfixed', description: 'report only vulnerabilities that have a fixed version' },
  { flags: '--exit-code <code>', description: 'exit with CODE when vulnerabilities remain after the filters', defaultValue: '0', parse: parseExitCode },
  { flags: '--list-all-pkgs', description: 'list every package in the JSON report, vulnerable or not (the table lists vulnerable ones only)' },
  CACHE_BACKEND_OPTION,
  { flags: '--cache-ttl <duration>', description: 'expiry of Redis cache entries, e.g. 24h, 30m, 7d (default: none)' },
  { flags: '--cache-fallback', description: 'scan without a cache, with a warning, when the Redis cache cannot be used' },
];

/** Options of `strata cache ls` and `strata cache clean`. */
export const CACHE_OPTIONS: readonly OptionSpec[] = [CACHE_BACKEND_OPTION];

export const DB_BUILD_OPTIONS: readonly OptionSpec[] = [
  {
    flags: '--source <kind=path>',
    description: 'feed to import, repeatable: alpine-secdb=DIR, debian-tracker=FILE, nvd=DIR|FILE',
    parse: collect,
  },
];

/** Registers a table of options on a command. */
export function addOptions(command: Command, specs: readonly OptionSpec[]): Command {
  for (const spec of specs) {
    if (spec.parse === undefined) command.option(spec.flags, spec.description, spec.defaultValue as string | boolean | undefined);
    else command.option(spec.flags, spec.description, spec.parse, spec.defaultValue);
  }
  return command;
}

export type ReportFormat = 'table' | 'json';

export function parseFormat(value: string): ReportFormat {
  if (value === 'table' || value === 'json') return value;
  throw new InvalidArgumentError(`"${value}" is not a report format; use table or json.`);
}

export function parseSeverities(value: string): Severity[] {
  const severities: Severity[] = [];
  for (const part of value.split(',')) {
    const name = part.trim().toUpperCase();
    if (name === '') continue;
    if (!(SEVERITIES as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`"${part.trim()}" is not a severity; use a comma-separated list of ${SEVERITIES.join(', ')}.`);
    }
    severities.push(name as Severity);
  }
  if (severities.length === 0) throw new InvalidArgumentError(`no severity given; use ${SEVERITIES.join(', ')}.`);
  return severities;
}

export function parseExitCode(value: string): number {
  const code = Number(value);
  if (!/^\d+$/.test(value) || code > 255) throw new InvalidArgumentError(`"${value}" is not an exit code; use an integer from 0 to 255.`);
  return code;
}

function collect(value: string, previous: unknown): string[] {
  return [...(Array.isArray(previous) ? (previous as string[]) : []), value];
}
