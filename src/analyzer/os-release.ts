/**
 * Collects the OS release files of a layer verbatim. Which OS the image runs can only be decided
 * on the merged filesystem, because an upper layer may replace or delete these files, so the
 * applier calls `detectOS` on the final set.
 *
 * @module
 */

import type { Analyzer } from './analyzer.js';

/** Release files, in the order in which `detectOS` prefers them. */
export const OS_RELEASE_FILES = [
  'etc/os-release',
  'usr/lib/os-release',
  'etc/lsb-release',
  'etc/alpine-release',
  'etc/debian_version',
] as const;

/** Release files are a few hundred bytes; anything much larger is not one. */
const MAX_RELEASE_FILE_SIZE = 64 * 1024;

const wanted: ReadonlySet<string> = new Set(OS_RELEASE_FILES);

export const osReleaseAnalyzer: Analyzer = {
  type: 'os',
  version: 1,
  reads: OS_RELEASE_FILES,

  required(path, info) {
    return wanted.has(path) && info.size <= MAX_RELEASE_FILE_SIZE;
  },

  analyze(input) {
    return { osFiles: { [input.path]: input.content.toString('utf8') } };
  },
};
