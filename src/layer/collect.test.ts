import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { Analyzer } from '../analyzer/analyzer.js';
import { defaultAnalyzers } from '../analyzer/index.js';
import { LayerError } from '../errors.js';
import { memoryLogger } from '../log.js';
import type { LayerAnalysis } from '../types.js';
import { readLayer, type LayerLimits } from './index.js';
import { MAX_ENTRY_NAME_BYTES } from './limits.js';
import { buildTar, descriptorFor, streamOf, type EntrySpec } from './testdata/fixtures.js';

const OS_RELEASE = 'ID=debian\nVERSION_ID="12"\n';

async function readTar(entries: readonly EntrySpec[], options: { analyzers?: readonly Analyzer[]; limits?: Partial<LayerLimits> } = {}) {
  const tar = await buildTar(entries);
  const { logger, records } = memoryLogger();
  const analysis = await readLayer({
    layer: descriptorFor(tar, tar),
    open: async () => streamOf(tar),
    analyzers: options.analyzers ?? defaultAnalyzers,
    logger,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  return { analysis, records };
}

async function readError(entries: readonly EntrySpec[], limits: Partial<LayerLimits>, analyzers?: readonly Analyzer[]): Promise<Error> {
  try {
    await readTar(entries, { limits, ...(analyzers === undefined ? {} : { analyzers }) });
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('the layer was read without an error');
}

/** Returns an analyzer of the files under `dir/` that records each as an OS file, and the paths it read. */
function osFileSpy(dir: string): { analyzer: Analyzer; reads: string[] } {
  const reads: string[] = [];
  const analyzer: Analyzer = {
    type: 'spy',
    version: 1,
    reads: [`${dir}/*`],
    required: (path) => path.startsWith(`${dir}/`),
    analyze: ({ path, content }) => {
      reads.push(path);
      return { osFiles: { [path]: content.toString() } };
    },
  };
  return { analyzer, reads };
}

function packageCount(analysis: LayerAnalysis): number {
  return analysis.packageDatabases.reduce((sum, database) => sum + database.packages.length, 0);
}

describe('LayerCollector hard links', () => {
  test('links to a status parsed once', async () => {
    let status = '';
    for (let i = 0; i < 200; i++) status += `Package: p${i}\nStatus: install ok installed\nVersion: 1.${i}\n\n`;
    const links: EntrySpec[] = Array.from({ length: 50 }, (_, i) => ({ name: `var/lib/dpkg/status.d/link${i}`, type: 'link', linkname: 'var/lib/dpkg/status' }));
    const { analysis, records } = await readTar([{ name: 'var/lib/dpkg/status', content: status }, ...links]);

    assert.equal(analysis.packageDatabases.length, 1);
    assert.equal(analysis.packageDatabases[0]?.path, 'var/lib/dpkg/status');
    assert.equal(packageCount(analysis), 200);
    assert.deepEqual(analysis.unknowns, []);
    assert.equal(records.filter((record) => record.message === 'hard link not analyzed again').length, 50);
  });

  test('OS files read under every link', async () => {
    const { analysis } = await readTar([
      { name: 'usr/lib/os-release', content: OS_RELEASE },
      { name: 'etc/os-release', type: 'link', linkname: 'usr/lib/os-release' },
      // A link to a link, as some tar writers store it.
      { name: 'etc/lsb-release', type: 'link', linkname: 'etc/os-release' },
    ]);

    assert.deepEqual(Object.keys(analysis.osFiles).sort(), ['etc/lsb-release', 'etc/os-release', 'usr/lib/os-release']);
    assert.equal(analysis.osFiles['etc/lsb-release'], OS_RELEASE);
  });

  test('links over maxHardLinks', async () => {
    const { analyzer, reads } = osFileSpy('links');
    const links: EntrySpec[] = Array.from({ length: 5 }, (_, i) => ({ name: `links/${i + 1}`, type: 'link', linkname: 'links/0' }));
    const { analysis, records } = await readTar([{ name: 'links/0', content: 'x' }, ...links], { analyzers: [analyzer], limits: { maxHardLinks: 2 } });

    assert.deepEqual(reads, ['links/0', 'links/1', 'links/2']);
    assert.equal(analysis.unknowns.length, 1);
    assert.equal(analysis.unknowns[0]?.path, 'links/3');
    assert.match(analysis.unknowns[0]?.reason ?? '', /more than 2 hard links to analyzer input; raise limits\.maxHardLinks/);
    assert.match(analysis.unknowns[0]?.reason ?? '', /2 more entries were skipped for the same reason$/);
    assert.ok(records.some((record) => record.level === 'warn' && record.message === 'hard links skipped' && record.fields.count === 3));
  });

  test('target over maxLinkTargetBytes', async () => {
    const { analyzer } = osFileSpy('a');
    const { analysis } = await readTar(
      [
        { name: 'a/small', content: 'x'.repeat(100) },
        { name: 'a/big', content: 'y'.repeat(600) },
        { name: 'a/to-small', type: 'link', linkname: 'a/small' },
        { name: 'a/to-big', type: 'link', linkname: 'a/big' },
      ],
      { analyzers: [analyzer], limits: { maxLinkTargetBytes: 650 } },
    );

    assert.equal(analysis.osFiles['a/big'], 'y'.repeat(600));
    assert.equal(analysis.osFiles['a/to-small'], 'x'.repeat(100));
    assert.equal(analysis.osFiles['a/to-big'], undefined);
    assert.equal(analysis.unknowns.length, 1);
    assert.equal(analysis.unknowns[0]?.path, 'a/to-big');
    assert.match(analysis.unknowns[0]?.reason ?? '', /not kept because the 650-byte limit .* \(limits\.maxLinkTargetBytes\)/);
  });
});

describe('LayerCollector names and records', () => {
  test('long names skipped and counted', async () => {
    const long = 'x'.repeat(5000);
    const { analysis } = await readTar([
      { name: `a/.wh.${long}` },
      { name: `etc/${long}`, content: 'data' },
      { name: 'etc/os-release', type: 'link', linkname: `usr/${long}` },
      { name: 'usr/lib/os-release', content: OS_RELEASE },
    ]);

    assert.deepEqual(analysis.whiteouts, []);
    assert.deepEqual(Object.keys(analysis.osFiles), ['usr/lib/os-release']);
    assert.equal(analysis.unknowns.length, 1);
    assert.equal(analysis.unknowns[0]?.path, `a/.wh.${'x'.repeat(194)}...`);
    assert.match(analysis.unknowns[0]?.reason ?? '', /is 5006 bytes, over the 4096-byte limit; the entry was skipped; 2 more entries were skipped/);
  });

  test('name at the limit is read', async () => {
    const name = `a/.wh.${'x'.repeat(MAX_ENTRY_NAME_BYTES - 6)}`;
    const { analysis } = await readTar([{ name }]);

    assert.deepEqual(analysis.whiteouts, [name.replace('.wh.', '')]);
    assert.deepEqual(analysis.unknowns, []);
  });

  test('whiteouts over maxRecordedBytes', async () => {
    const whiteouts: EntrySpec[] = Array.from({ length: 20 }, (_, i) => ({ name: `dir/.wh.${String(i).padStart(96, '0')}` }));
    const error = await readError(whiteouts, { maxRecordedBytes: 1000 });

    assert.ok(error instanceof LayerError, `expected LayerError, got ${error.name}: ${error.message}`);
    assert.match(error.message, /records more than 1000 bytes of whiteout paths, opaque directories and unknowns; raise limits\.maxRecordedBytes/);
    assert.doesNotMatch(error.message, /corrupt/);
  });

  test('analyzer unknowns over maxRecordedBytes', async () => {
    const noisy: Analyzer = {
      type: 'noisy',
      version: 1,
      reads: ['noise'],
      required: (path) => path === 'noise',
      analyze: ({ path }) => ({ unknowns: Array.from({ length: 10 }, () => ({ path, reason: 'r'.repeat(200) })) }),
    };
    const error = await readError([{ name: 'noise', content: 'x' }], { maxRecordedBytes: 1000 }, [noisy]);

    assert.ok(error instanceof LayerError);
    assert.match(error.message, /limits\.maxRecordedBytes/);
  });
});
