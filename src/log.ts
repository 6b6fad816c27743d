/**
 * The one structured logger. Records are a message plus flat fields; the sink renders them as
 * `LEVEL message key=value ...` lines on stderr, so report output on stdout stays clean.
 *
 * @module
 */

import { escapeControlCharacters } from './util/text.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
  readonly time: Date;
}

export type LogSink = (record: LogRecord) => void;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export class Logger {
  readonly #level: LogLevel;
  readonly #sink: LogSink;
  readonly #fields: LogFields;

  constructor(options: { level?: LogLevel; sink?: LogSink; fields?: LogFields } = {}) {
    this.#level = options.level ?? 'info';
    this.#sink = options.sink ?? stderrSink;
    this.#fields = options.fields ?? {};
  }

  /** Returns a logger that adds `fields` to every record, e.g. the layer being read. */
  child(fields: LogFields): Logger {
    return new Logger({ level: this.#level, sink: this.#sink, fields: { ...this.#fields, ...fields } });
  }

  enabled(level: LogLevel): boolean {
    return ORDER[level] >= ORDER[this.#level];
  }

  debug(message: string, fields: LogFields = {}): void {
    this.#emit('debug', message, fields);
  }

  info(message: string, fields: LogFields = {}): void {
    this.#emit('info', message, fields);
  }

  warn(message: string, fields: LogFields = {}): void {
    this.#emit('warn', message, fields);
  }

  error(message: string, fields: LogFields = {}): void {
    this.#emit('error', message, fields);
  }

  #emit(level: LogLevel, message: string, fields: LogFields): void {
    if (!this.enabled(level)) return;
    this.#sink({ level, message, fields: { ...this.#fields, ...fields }, time: new Date() });
  }
}

/** Renders one record as a line: `2026-12-04T20:17:05.123Z DEBUG message key=value`. */
export function formatRecord(record: LogRecord): string {
  // Messages and values can carry names from an image, so control characters are escaped.
  const parts = [record.time.toISOString(), record.level.toUpperCase(), escapeControlCharacters(record.message)];
  for (const [key, value] of Object.entries(record.fields)) {
    if (value === undefined) continue;
    const text = String(value);
    parts.push(`${key}=${/[\s"=\u0000-\u001f\u007f-\u009f]/.test(text) ? JSON.stringify(text) : text}`);
  }
  return parts.join(' ');
}

function stderrSink(record: LogRecord): void {
  process.stderr.write(`${formatRecord(record)}\n`);
}

/** A logger that drops everything, the default for library calls that pass none. */
export const silentLogger = new Logger({ level: 'error', sink: () => {} });

/** Collects records in memory; tests assert on what the scan logged. */
export function memoryLogger(level: LogLevel = 'debug'): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  return { logger: new Logger({ level, sink: (record) => records.push(record) }), records };
}
