#!/usr/bin/env node
/**
 * Entry point of the `strata` command: runs the program and turns any error into one line on
 * stderr and exit code 1 (with the stack trace under --debug).
 *
 * @module
 */

import { CommanderError } from 'commander';

import { escapeControlCharacters } from '../util/text.js';
import { createProgram } from './program.js';

const debug = process.argv.includes('--debug') || process.argv.includes('-d');
const program = createProgram({
  stdout: process.stdout,
  stderr: process.stderr,
  setExitCode: (code) => {
    process.exitCode = code;
  },
});
program.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help text for --help).
    process.exitCode = error.exitCode;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    // One line, whatever the message carries: names from an image may hold newlines or escapes.
    process.stderr.write(`strata: error: ${escapeControlCharacters(message)}\n`);
    if (debug && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  }
}
