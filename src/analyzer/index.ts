/**
 * The analyzers: each reads the files of a layer that it requests and reports OS release files
 * or package databases. `detectOS` runs later, on the merged image.
 *
 * @module
 */

import type { Analyzer } from './analyzer.js';
import { apkAnalyzer } from './apk.js';
import { dpkgAnalyzer } from './dpkg.js';
import { osReleaseAnalyzer } from './os-release.js';

export type { Analyzer, AnalysisResult, AnalyzerInput, EntryInfo } from './analyzer.js';
export { apkAnalyzer } from './apk.js';
export { dpkgAnalyzer } from './dpkg.js';
export { osReleaseAnalyzer, OS_RELEASE_FILES } from './os-release.js';
export { detectOS } from './os/detect.js';

/** The analyzers that a scan runs unless the caller passes its own list. */
export const defaultAnalyzers: readonly Analyzer[] = [osReleaseAnalyzer, dpkgAnalyzer, apkAnalyzer];
