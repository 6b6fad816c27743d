/**
 * Table report: one table per target with a severity count, and for each vulnerable package the
 * layer (short diffID and the Dockerfile step from the image history) that brought it.
 *
 * @module
 */

import { createRequire } from 'node:module';

import type TableConstructor from 'cli-table3';

import { SEVERITIES, type Finding, type LayerDescriptor, type Severity } from '../types.js';
import { escapeControlCharacters } from '../util/text.js';
import { osTarget, type ScanResult } from './result.js';

export interface TableOptions {
  /** Colours severities with ANSI codes; the CLI sets it only when stdout is a terminal. */
  readonly color: boolean;
  /** Severities shown in the count line; all when undefined. */
  readonly severities?: readonly Severity[];
}

const COLORS: Readonly<Record<Severity, string>> = {
  CRITICAL: '\u001b[31;1m',
  HIGH: '\u001b[31m',
  MEDIUM: '\u001b[33m',
  LOW: '\u001b[34m',
  UNKNOWN: '\u001b[37m',
};
const RESET = '\u001b[0m';

/** Longest `created_by` text shown; longer steps are cut with an ellipsis. */
const MAX_STEP_LENGTH = 60;

/** Renders the filtered findings of a scan result as text. */
export function renderTable(result: ScanResult, findings: readonly Finding[], options: TableOptions): string {
  const lines: string[] = [];
  // Counts follow severity order, whatever order --severity named them in.
  const shown = SEVERITIES.filter((severity) => options.severities === undefined || options.severities.includes(severity));

  const target = escapeControlCharacters(osTarget(result));
  lines.push('', target, '='.repeat(target.length));
  const counts = shown.map((severity) => `${severity}: ${findings.filter((finding) => finding.severity === severity).length}`);
  lines.push(`Total: ${findings.length} (${counts.join(', ')})`, '');

  if (findings.length > 0) {
    // Loaded only when there is a table to draw: cli-table3 and its dependencies take tens of
    // milliseconds to load, a large share of a small image's scan.
    const Table = createRequire(import.meta.url)('cli-table3') as typeof TableConstructor;
    const table = new Table({
      head: ['Library', 'Vulnerability', 'Severity', 'Status', 'Installed Version', 'Fixed Version', 'Layer', 'Title'],
      style: { head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : [] },
      wordWrap: true,
      colWidths: [null, null, null, null, null, null, 36, 40],
    });
    for (const finding of findings) {
      const cells = [
        finding.package.name,
        finding.advisory.vulnerabilityID,
        finding.severity,
        finding.advisory.status,
        finding.package.version,
        finding.advisory.fixedVersion ?? '',
        describeLayerStep(finding.package.layer),
        finding.detail?.title ?? firstSentence(finding.detail?.description) ?? '',
      ].map(escapeControlCharacters);
      cells[2] = paint(finding.severity, options.color);
      table.push(cells);
    }
    lines.push(table.toString());
  }

  if (result.gaps.length > 0 || result.unknowns.length > 0) {
    lines.push('', 'Not checked:');
    for (const gap of result.gaps) lines.push(`  - ${escapeControlCharacters(gap.message)}`);
    for (const unknown of result.unknowns) lines.push(`  - layer ${unknown.layer.index} ${escapeControlCharacters(`${unknown.path}: ${unknown.reason}`)}`);
  }

  return `${lines.join('\n')}\n`;
}

/** Returns e.g. `e83aeba65fbc RUN apt-get install -y curl…`: the short diffID and the history step. */
export function describeLayerStep(layer: LayerDescriptor): string {
  const short = layer.diffID.replace(/^sha256:/, '').slice(0, 12);
  const step = layer.createdBy?.replace(/^\/bin\/sh -c (#\(nop\) )?/, '').trim();
  if (step === undefined || step === '') return short;
  return `${short} ${step.length > MAX_STEP_LENGTH ? `${step.slice(0, MAX_STEP_LENGTH - 1)}…` : step}`;
}

function paint(severity: Severity, color: boolean): string {
  return color ? `${COLORS[severity]}${severity}${RESET}` : severity;
}

function firstSentence(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const end = text.search(/\.\s/);
  const sentence = end === -1 ? text : text.slice(0, end + 1);
  return sentence.length > 120 ? `${sentence.slice(0, 119)}…` : sentence;
}
