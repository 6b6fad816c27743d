import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';

import type { Analyzer } from '../analyzer/analyzer.js';
import { defaultAnalyzers } from '../analyzer/index.js';
import { DigestMismatchError, LayerError, StrataError } from '../errors.js';
import { memoryLogger } from '../log.js';
import { sharedPath, skipUnlessShared } from '../test-support/shared.js';
import type { LayerAnalysis, LayerDescriptor } from '../types.js';
import { readLayer, type LayerLimits } from './index.js';
import {
  buildTar,
  descriptorFor,
  dockerSaveLayers,
  ociArchiveLayers,
  openArchiveMember,
  streamOf,
  zstdRawFrame,
  type EntrySpec,
} from './testdata/fixtures.js';

const OS_RELEASE = 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';
const STATUS = 'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.15-1~deb12u1\nSource: openssl\n\n';

interface ReadCase {
  readonly blob: Buffer;
  readonly tar: Buffer;
  readonly layer?: Partial<LayerDescriptor>;
  readonly analyzers?: readonly Analyzer[];
  readonly limits?: Partial<LayerLimits>;
  readonly chunkSize?: number;
}

async function read(options: ReadCase) {
  const { logger, records } = memoryLogger();
  const analysis = await readLayer({
    layer: descriptorFor(options.blob, options.tar, options.layer),
    open: async () => streamOf(options.blob, options.chunkSize),
    analyzers: options.analyzers ?? defaultAnalyzers,
    logger,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  return { analysis, records };
}

async function readTar(entries: readonly EntrySpec[], options: Omit<ReadCase, 'blob' | 'tar'> = {}) {
  const tar = await buildTar(entries);
  return read({ blob: tar, tar, ...options });
}

/** Reads a blob that must fail and returns the error. */
async function readError(options: ReadCase): Promise<Error> {
  try {
    await read(options);
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('readLayer resolved, expected a rejection');
}

function packageNames(analysis: LayerAnalysis): string[] {
  return analysis.packageDatabases.flatMap((database) => database.packages.map((pkg) => pkg.name));
}

describe('readLayer compression', () => {
  const compressions: readonly { name: string; encode: (tar: Buffer) => Buffer; mediaType: string }[] = [
    { name: 'none', encode: (tar) => tar, mediaType: 'application/vnd.oci.image.layer.v1.tar' },
    { name: 'gzip', encode: (tar) => gzipSync(tar), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
    { name: 'zstd', encode: (tar) => zstdRawFrame(tar), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' },
  ];

  for (const { name, encode, mediaType } of compressions) {
    for (const chunkSize of [1, 3, 64 * 1024]) {
      test(`${name} blob in ${chunkSize}-byte chunks`, async () => {
        const tar = await buildTar([
          { name: 'etc/os-release', content: OS_RELEASE },
          { name: 'var/lib/dpkg/status', content: STATUS },
        ]);
        const { analysis, records } = await read({ blob: encode(tar), tar, chunkSize, layer: { mediaType } });

        assert.equal(analysis.osFiles['etc/os-release'], OS_RELEASE);
        assert.deepEqual(packageNames(analysis), ['libssl3']);
        const summary = records.find((record) => record.message === 'layer read');
        assert.equal(summary?.fields.compression, name);
        assert.equal(summary?.fields.entries, 2);
        assert.equal(summary?.fields.uncompressedSize, tar.length);
      });
    }
  }

  test('zstd blob of several frames and blocks', async () => {
    const big = Buffer.alloc(300 * 1024, 'a');
    const tar = await buildTar([{ name: 'big.bin', content: big }, { name: 'etc/os-release', content: OS_RELEASE }]);
    const half = Math.floor(tar.length / 2);
    const blob = Buffer.concat([zstdRawFrame(tar.subarray(0, half)), zstdRawFrame(tar.subarray(half))]);
    const { analysis } = await read({ blob, tar });

    assert.equal(analysis.osFiles['etc/os-release'], OS_RELEASE);
  });

  test('media type disagreeing with the bytes', async () => {
    const tar = await buildTar([{ name: 'etc/os-release', content: OS_RELEASE }]);
    const { analysis, records } = await read({ blob: tar, tar, layer: { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' } });

    assert.equal(analysis.osFiles['etc/os-release'], OS_RELEASE);
    assert.ok(records.some((record) => record.message.startsWith('compression differs from the media type')));
  });
});

describe('readLayer entries', () => {
  test('whiteouts and opaque directories', async () => {
    const { analysis } = await readTar([
      { name: 'etc/.wh.motd' },
      { name: './usr/share/.wh.zsh' },
      { name: '.wh.rootfile' },
      { name: 'opt/app/.wh..wh..opq' },
      { name: '.wh..wh.plnk/12.34' },
      { name: 'var/lib/apt/lists/.wh.partial' },
    ]);

    assert.deepEqual(analysis.whiteouts, ['etc/motd', 'usr/share/zsh', 'rootfile', 'var/lib/apt/lists/partial']);
    assert.deepEqual(analysis.opaqueDirs, ['opt/app']);
    assert.deepEqual(analysis.unknowns, []);
  });

  test('paths escaping the root', async () => {
    const { analysis, records } = await readTar([
      { name: '../etc/os-release', content: 'ID=evil\nVERSION_ID=1\n' },
      { name: 'a/../../etc/os-release', content: 'ID=evil\nVERSION_ID=2\n' },
      { name: 'usr/../etc/os-release', content: OS_RELEASE },
    ]);

    assert.deepEqual(analysis.osFiles, { 'etc/os-release': OS_RELEASE });
    assert.deepEqual(
      analysis.unknowns.map((unknown) => unknown.path),
      ['../etc/os-release', 'a/../../etc/os-release'],
    );
    assert.ok(analysis.unknowns.every((unknown) => unknown.reason.includes('climbs above the layer root')));
    assert.equal(records.filter((record) => record.message === 'entry skipped').length, 2);
  });

  test('absolute and dot-slash paths', async () => {
    const { analysis } = await readTar([
      { name: '/etc/os-release', content: OS_RELEASE },
      { name: './var/lib/dpkg/status', content: STATUS },
      { name: './', type: 'directory' },
    ]);

    assert.deepEqual(Object.keys(analysis.osFiles), ['etc/os-release']);
    assert.deepEqual(analysis.packageDatabases.map((database) => database.path), ['var/lib/dpkg/status']);
  });

  test('symlink to a status file', async () => {
    const { analysis, records } = await readTar([
      { name: 'var/lib/dpkg/status', type: 'symlink', linkname: '/opt/status' },
      { name: 'opt/status', content: STATUS },
    ]);

    assert.deepEqual(analysis.packageDatabases, []);
    assert.ok(records.some((record) => record.message.startsWith('symlink not followed') && record.fields.path === 'var/lib/dpkg/status'));
    // The link hides a lower layer's status file, as a whiteout would.
    assert.deepEqual(analysis.whiteouts, ['var/lib/dpkg/status']);
  });

  test('hard link to a file read earlier', async () => {
    const { analysis } = await readTar([
      { name: 'usr/lib/os-release', content: OS_RELEASE },
      { name: 'etc/os-release', type: 'link', linkname: './usr/lib/os-release' },
    ]);

    assert.equal(analysis.osFiles['etc/os-release'], OS_RELEASE);
    assert.equal(analysis.osFiles['usr/lib/os-release'], OS_RELEASE);
  });

  test('hard link to a file not read', async () => {
    const { analysis } = await readTar([
      { name: 'opt/status', content: STATUS },
      { name: 'var/lib/dpkg/status', type: 'link', linkname: 'opt/status' },
    ]);

    assert.deepEqual(analysis.packageDatabases, []);
    assert.equal(analysis.unknowns.length, 1);
    assert.equal(analysis.unknowns[0]?.path, 'var/lib/dpkg/status');
    assert.match(analysis.unknowns[0]?.reason ?? '', /hard link .* not resolved/);
  });

  test('file over maxFileSize', async () => {
    const { analysis, records } = await readTar(
      [
        { name: 'var/lib/dpkg/status', content: STATUS },
        { name: 'etc/os-release', content: OS_RELEASE },
      ],
      { limits: { maxFileSize: STATUS.length - 1 } },
    );

    assert.deepEqual(analysis.packageDatabases, []);
    assert.equal(analysis.osFiles['etc/os-release'], OS_RELEASE);
    assert.equal(analysis.unknowns[0]?.path, 'var/lib/dpkg/status');
    assert.match(analysis.unknowns[0]?.reason ?? '', /maxFileSize/);
    assert.ok(records.some((record) => record.level === 'warn' && record.message === 'file skipped'));
  });

  test('analyzer versions recorded', async () => {
    const { analysis } = await readTar([
      { name: 'etc/hostname', content: 'box\n' },
      { name: 'etc/os-release', content: OS_RELEASE },
    ]);

    // Only the analyzers handed a file of this layer are recorded.
    const os = defaultAnalyzers.find((analyzer) => analyzer.type === 'os');
    assert.deepEqual(analysis.analyzers, { os: os?.version });
    assert.equal(analysis.diffID.startsWith('sha256:'), true);
  });

  test('no analyzer recorded without wanted files', async () => {
    const { analysis } = await readTar([{ name: 'etc/hostname', content: 'box\n' }]);

    assert.deepEqual(analysis.analyzers, {});
  });

  test('unwanted files not handed over', async () => {
    const seen: string[] = [];
    const spy: Analyzer = {
      type: 'spy',
      version: 1,
      reads: ['wanted'],
      required: (path) => path === 'wanted',
      analyze: ({ path }) => {
        seen.push(path);
        return null;
      },
    };
    await readTar([{ name: 'other', content: 'x' }, { name: 'wanted', content: 'y' }, { name: 'dir', type: 'directory' }], { analyzers: [spy] });

    assert.deepEqual(seen, ['wanted']);
  });
});

describe('readLayer analyzer failures', () => {
  const throwing: Analyzer = {
    type: 'broken',
    version: 1,
    reads: ['etc/os-release'],
    required: (path) => path === 'etc/os-release',
    analyze: () => Promise.reject(new Error('parser exploded')),
  };
  const throwingRequired: Analyzer = {
    type: 'picky',
    version: 1,
    reads: ['*'],
    required: () => {
      throw new Error('cannot decide');
    },
    analyze: () => null,
  };

  test('analyze rejection becomes an unknown', async () => {
    const { analysis, records } = await readTar([{ name: 'etc/os-release', content: OS_RELEASE }], { analyzers: [throwing, ...defaultAnalyzers] });

    assert.equal(analysis.osFiles['etc/os-release'], OS_RELEASE);
    assert.deepEqual(analysis.unknowns, [{ path: 'etc/os-release', reason: 'broken analyzer failed: parser exploded' }]);
    assert.ok(records.some((record) => record.level === 'warn' && record.fields.analyzer === 'broken'));
  });

  test('required exception becomes an unknown', async () => {
    const { analysis } = await readTar([{ name: 'etc/os-release', content: OS_RELEASE }], { analyzers: [throwingRequired] });

    assert.equal(analysis.unknowns.length, 1);
    assert.match(analysis.unknowns[0]?.reason ?? '', /picky analyzer failed: cannot decide/);
  });
});

describe('readLayer broken blobs', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  before(() => process.on('unhandledRejection', onUnhandled));
  after(async () => {
    await nextTurn();
    process.off('unhandledRejection', onUnhandled);
    assert.deepEqual(unhandled, [], 'a failed read left a promise rejection unhandled');
  });

  async function sample(): Promise<Buffer> {
    return buildTar([
      { name: 'etc/os-release', content: OS_RELEASE },
      { name: 'usr/share/doc/big.txt', content: 'x'.repeat(20_000) },
      { name: 'var/lib/dpkg/status', content: STATUS },
    ]);
  }

  const cases: readonly { name: string; make: (tar: Buffer) => ReadCase; error: new (...args: never[]) => Error; message: RegExp }[] = [
    { name: 'truncated gzip', make: (tar) => ({ blob: gzipSync(tar).subarray(0, 200), tar }), error: LayerError, message: /truncated: unexpected end of gzip data/ },
    { name: 'corrupt gzip', make: (tar) => ({ blob: Buffer.from([0x1f, 0x8b, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]), tar }), error: LayerError, message: /corrupt gzip data/ },
    { name: 'truncated zstd', make: (tar) => ({ blob: zstdRawFrame(tar).subarray(0, 5000), tar }), error: LayerError, message: /truncated: unexpected end of zstd data/ },
    { name: 'truncated tar', make: (tar) => ({ blob: tar.subarray(0, 5000), tar }), error: LayerError, message: /truncated: unexpected end of tar data after 2 entries/ },
    { name: 'not a tar', make: (tar) => ({ blob: Buffer.from('{"schemaVersion":2}'), tar }), error: LayerError, message: /not a tar archive/ },
    { name: 'garbage of tar size', make: (tar) => ({ blob: Buffer.alloc(2048, 0x41), tar }), error: LayerError, message: /not a tar archive: Invalid tar header/ },
    { name: 'empty blob', make: () => ({ blob: Buffer.alloc(0), tar: Buffer.alloc(0) }), error: LayerError, message: /not a tar archive: the layer is empty/ },
    {
      name: 'digest mismatch',
      make: (tar) => ({ blob: tar, tar, layer: { digest: `sha256:${'0'.repeat(64)}` } }),
      error: DigestMismatchError,
      message: /blob digest mismatch: expected sha256:0{64}/,
    },
    {
      name: 'diffID mismatch',
      make: (tar) => ({ blob: gzipSync(tar), tar, layer: { diffID: `sha256:${'1'.repeat(64)}` } }),
      error: DigestMismatchError,
      message: /uncompressed diffID mismatch: expected sha256:1{64}/,
    },
    { name: 'blob larger than size', make: (tar) => ({ blob: tar, tar, layer: { size: 1024 } }), error: DigestMismatchError, message: /blob size mismatch: expected 1024 bytes, got more than 1024 bytes/ },
    { name: 'blob smaller than size', make: (tar) => ({ blob: tar, tar, layer: { size: tar.length + 1 } }), error: DigestMismatchError, message: /blob size mismatch/ },
    { name: 'unsupported digest', make: (tar) => ({ blob: tar, tar, layer: { digest: 'md5:abc' } }), error: LayerError, message: /unsupported layer digest "md5:abc"/ },
    { name: 'too many entries', make: (tar) => ({ blob: tar, tar, limits: { maxEntries: 2 } }), error: LayerError, message: /more than 2 tar entries/ },
    { name: 'layer over maxLayerSize', make: (tar) => ({ blob: gzipSync(tar), tar, limits: { maxLayerSize: 4096 } }), error: LayerError, message: /larger than 4096 bytes; raise limits.maxLayerSize/ },
  ];

  for (const { name, make, error: errorClass, message } of cases) {
    test(name, async () => {
      const error = await readError(make(await sample()));

      assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${error.name}: ${error.message}`);
      assert.match(error.message, message);
      assert.match(error.message, /^layer 0 \(/);
    });
  }

  test('truncation is no digest mismatch', async () => {
    const tar = await sample();
    const error = await readError({ blob: gzipSync(tar).subarray(0, 300), tar });

    assert.ok(error instanceof LayerError);
    assert.equal(error instanceof DigestMismatchError, false);
    assert.equal(error.code, 'LAYER_INVALID');
  });

  test('open rejection', async () => {
    const tar = await sample();
    const rejection = readLayer({ layer: descriptorFor(tar, tar), open: () => Promise.reject(new Error('ENOENT: no such blob')), analyzers: defaultAnalyzers });

    await assert.rejects(rejection, (error: unknown) => error instanceof LayerError && /opening the blob failed: ENOENT/.test(error.message));
  });

  test('stream error midway', async () => {
    const tar = await sample();
    async function* failing(): AsyncGenerator<Buffer> {
      yield tar.subarray(0, 1024);
      throw new Error('EIO: read failed');
    }
    const rejection = readLayer({ layer: descriptorFor(tar, tar), open: async () => Readable.from(failing()), analyzers: defaultAnalyzers });

    await assert.rejects(rejection, (error: unknown) => error instanceof LayerError && /reading the blob failed: EIO/.test(error.message));
  });

  for (const [name, encode] of [['plain', (tar: Buffer) => tar], ['gzip', (tar: Buffer) => gzipSync(tar)]] as const) {
    test(`${name} blob closed after a failure`, async () => {
      const entries = Array.from({ length: 50 }, (_, index) => ({ name: `file-${index}`, content: 'x'.repeat(1000) }));
      const tar = await buildTar(entries);
      const blob = encode(tar);
      const stream = streamOf(blob, 512);
      const rejection = readLayer({ layer: descriptorFor(blob, tar), open: async () => stream, analyzers: defaultAnalyzers, limits: { maxEntries: 1 } });

      await assert.rejects(rejection, LayerError);
      await nextTurn();
      assert.equal(stream.destroyed, true);
    });
  }

  test('string stream rejected', async () => {
    const tar = await sample();
    const rejection = readLayer({ layer: descriptorFor(tar, tar), open: async () => Readable.from(['not bytes']), analyzers: defaultAnalyzers });

    await assert.rejects(rejection, (error: unknown) => error instanceof LayerError && /yielded a string/.test(error.message));
  });
});

describe('readLayer stream end', () => {
  test('zero padding after the end marker', async () => {
    const tar = Buffer.concat([await buildTar([{ name: 'etc/os-release', content: OS_RELEASE }]), Buffer.alloc(8192)]);
    const { analysis, records } = await read({ blob: gzipSync(tar), tar });

    assert.equal(analysis.osFiles['etc/os-release'], OS_RELEASE);
    assert.equal(records.find((record) => record.message === 'layer read')?.fields.uncompressedSize, tar.length);
  });

  test('tar without end marker', async () => {
    const full = await buildTar([{ name: 'etc/os-release', content: OS_RELEASE }]);
    const tar = full.subarray(0, 1024);
    const { analysis, records } = await read({ blob: tar, tar });

    assert.equal(analysis.osFiles['etc/os-release'], OS_RELEASE);
    assert.ok(records.some((record) => record.level === 'warn' && record.message.includes('no end-of-archive marker')));
  });

  test('whole blob hashed after gzip end', async () => {
    const tar = await buildTar([{ name: 'etc/os-release', content: OS_RELEASE }]);
    // Two gzip members form one valid stream, and the digest must cover both.
    const blob = Buffer.concat([gzipSync(tar.subarray(0, 700)), gzipSync(tar.subarray(700))]);
    const { analysis } = await read({ blob, tar });

    assert.equal(analysis.osFiles['etc/os-release'], OS_RELEASE);
  });
});

describe('readLayer options', () => {
  test('duplicate analyzer types', async () => {
    const tar = await buildTar([]);
    const rejection = readLayer({ layer: descriptorFor(tar, tar), open: async () => streamOf(tar), analyzers: [...defaultAnalyzers, ...defaultAnalyzers] });

    await assert.rejects(rejection, (error: unknown) => error instanceof StrataError && error.code === 'INVALID_ARGUMENT');
  });

  for (const limits of [{ maxFileSize: 0 }, { maxEntries: -1 }, { maxLayerSize: 1.5 }]) {
    test(`invalid limit ${Object.keys(limits)[0]}`, async () => {
      const tar = await buildTar([]);
      const rejection = readLayer({ layer: descriptorFor(tar, tar), open: async () => streamOf(tar), analyzers: defaultAnalyzers, limits });

      await assert.rejects(rejection, (error: unknown) => error instanceof StrataError && error.code === 'INVALID_ARGUMENT');
    });
  }

  test('debug log per analyzer', async () => {
    const { records } = await readTar([
      { name: 'etc/os-release', content: OS_RELEASE },
      { name: 'var/lib/dpkg/status', content: STATUS },
    ]);
    const finished = records.filter((record) => record.message === 'analyzer finished');

    assert.deepEqual(
      finished.map((record) => [record.fields.analyzer, record.fields.files]),
      [['os', 1], ['dpkg', 1], ['apk', 0]],
    );
    assert.ok(finished.every((record) => record.level === 'debug' && record.fields.layer === 0));
  });
});

describe('readLayer real images', () => {
  const images = (...parts: string[]): string => sharedPath('images', ...parts);

  async function readArchiveLayer(archive: string, layer: LayerDescriptor): Promise<LayerAnalysis> {
    const blobPath = layer.blobPath;
    assert.ok(blobPath !== undefined);
    return readLayer({ layer, open: () => openArchiveMember(archive, blobPath), analyzers: defaultAnalyzers });
  }

  async function layerError(archive: string, layers: Promise<LayerDescriptor[]>): Promise<Error> {
    const [layer] = await layers;
    assert.ok(layer !== undefined);
    try {
      await readArchiveLayer(archive, layer);
    } catch (error) {
      assert.ok(error instanceof Error);
      return error;
    }
    assert.fail(`reading ${archive} succeeded, expected a rejection`);
  }

  /** Reads a `package version arch source source_version` table with a header line. */
  async function expectedPackages(path: string): Promise<string[]> {
    const lines = (await readFile(path, 'utf8')).trim().split('\n').slice(1);
    return lines.sort();
  }

  function packageRows(analysis: LayerAnalysis): string[] {
    return analysis.packageDatabases
      .flatMap((database) => database.packages)
      .map((pkg) => [pkg.name, pkg.version, pkg.arch, pkg.srcName, pkg.srcVersion].join('\t'))
      .sort();
  }

  /** Returns the whiteout entry names of one layer in a `tar -tv` listing with `## layer N` headings. */
  async function listedWhiteouts(path: string, layerNumber: number): Promise<string[]> {
    const sections = (await readFile(path, 'utf8')).split(/^## layer /m);
    const section = sections.find((text) => text.startsWith(`${layerNumber} `)) ?? '';
    return section
      .split('\n')
      .map((line) => line.split(/\s+/).at(-1) ?? '')
      .filter((name) => /(^|\/)\.wh\./.test(name))
      .sort();
  }

  /** Turns the reader's output back into whiteout entry names. */
  function whiteoutEntries(analysis: LayerAnalysis): string[] {
    const entry = (dir: string, base: string): string => (dir === '' ? base : `${dir}/${base}`);
    const files = analysis.whiteouts.map((path) => {
      const slash = path.lastIndexOf('/');
      return entry(path.slice(0, Math.max(slash, 0)), `.wh.${path.slice(slash + 1)}`);
    });
    const opaque = analysis.opaqueDirs.map((dir) => entry(dir, '.wh..wh..opq'));
    return [...files, ...opaque].sort();
  }

  test('valid tiny OCI archive', skipUnlessShared('images/broken/valid-tiny.oci-archive.tar', 'images/distroless-style/expected-dpkg.tsv'), async () => {
    const archive = images('broken', 'valid-tiny.oci-archive.tar');
    const [layer] = await ociArchiveLayers(archive);
    assert.ok(layer !== undefined);
    const analysis = await readArchiveLayer(archive, layer);

    // The tiny image contains base-files and netbase, built from the same packages as the distroless-style image.
    const expected = (await expectedPackages(images('distroless-style', 'expected-dpkg.tsv'))).filter((row) => /^(base-files|netbase)\t/.test(row));
    assert.deepEqual(packageRows(analysis), expected);
    assert.deepEqual(analysis.packageDatabases.map((database) => database.path).sort(), ['var/lib/dpkg/status.d/base-files', 'var/lib/dpkg/status.d/netbase']);
    assert.ok('usr/lib/os-release' in analysis.osFiles);
    assert.deepEqual(analysis.unknowns, []);
  });

  test('layer digest mismatch', skipUnlessShared('images/broken/layer-digest-mismatch.oci-archive.tar'), async () => {
    const archive = images('broken', 'layer-digest-mismatch.oci-archive.tar');
    const layers = ociArchiveLayers(archive);
    const error = await layerError(archive, layers);

    assert.ok(error instanceof DigestMismatchError);
    assert.equal(error.kind, 'digest');
    assert.equal(error.expected, (await layers)[0]?.digest);
  });

  test('truncated gzip layer blob', skipUnlessShared('images/broken/truncated-layer-blob.oci-archive.tar'), async () => {
    const archive = images('broken', 'truncated-layer-blob.oci-archive.tar');
    const error = await layerError(archive, ociArchiveLayers(archive));

    assert.ok(error instanceof LayerError);
    assert.equal(error instanceof DigestMismatchError, false);
    assert.match(error.message, /truncated: unexpected end of gzip data/);
  });

  test('truncated layer tar', skipUnlessShared('images/broken/truncated-layer.docker-save.tar'), async () => {
    const archive = images('broken', 'truncated-layer.docker-save.tar');
    const error = await layerError(archive, dockerSaveLayers(archive));

    assert.ok(error instanceof LayerError);
    assert.equal(error instanceof DigestMismatchError, false);
    assert.match(error.message, /truncated: unexpected end of tar data/);
  });

  test('diffID mismatch', skipUnlessShared('images/broken/diffid-mismatch.docker-save.tar'), async () => {
    const archive = images('broken', 'diffid-mismatch.docker-save.tar');
    const layers = dockerSaveLayers(archive);
    const error = await layerError(archive, layers);

    assert.ok(error instanceof DigestMismatchError);
    assert.equal(error.kind, 'diffID');
    assert.equal(error.expected, (await layers)[0]?.diffID);
  });

  test('archive cut inside the blob', skipUnlessShared('images/broken/truncated-archive.oci-archive.tar', 'images/broken/valid-tiny.oci-archive.tar'), async () => {
    // The cut archive lost its manifest, so the layer is described from the intact original.
    const layers = ociArchiveLayers(images('broken', 'valid-tiny.oci-archive.tar'));
    const error = await layerError(images('broken', 'truncated-archive.oci-archive.tar'), layers);

    assert.ok(error instanceof LayerError);
    assert.match(error.message, /reading the blob failed: Unexpected end of data/);
  });

  test('minbase layer packages', skipUnlessShared('images/debian-bookworm-minbase/docker-save.tar'), async () => {
    const archive = images('debian-bookworm-minbase', 'docker-save.tar');
    const [layer] = await ociArchiveLayers(archive);
    assert.ok(layer !== undefined);
    const analysis = await readArchiveLayer(archive, layer);

    assert.deepEqual(packageRows(analysis), await expectedPackages(images('debian-bookworm-minbase', 'expected-dpkg.tsv')));
    // The layer has no .wh. entries. Its etc/os-release is a symlink to ../usr/lib/os-release, and a
    // symlink at a path an analyzer reads hides the lower layers' file there, like a whiteout.
    assert.deepEqual(analysis.whiteouts, ['etc/os-release']);
  });

  test('multilayer whiteouts and status', skipUnlessShared('images/debian-bookworm-multilayer/oci-archive.tar'), async () => {
    const archive = images('debian-bookworm-multilayer', 'oci-archive.tar');
    const listing = images('debian-bookworm-multilayer', 'LAYERS.txt');
    const layers = await ociArchiveLayers(archive);
    assert.equal(layers.length, 3);

    const install = await readArchiveLayer(archive, layers[1] as LayerDescriptor);
    assert.deepEqual(whiteoutEntries(install), await listedWhiteouts(listing, 2));
    assert.deepEqual(install.opaqueDirs, []);

    const purge = await readArchiveLayer(archive, layers[2] as LayerDescriptor);
    assert.deepEqual(whiteoutEntries(purge), await listedWhiteouts(listing, 3));
    assert.deepEqual(purge.opaqueDirs, ['opt/app']);
    // The last layer rewrites the whole status file, so it lists the final packages.
    assert.deepEqual(packageRows(purge), await expectedPackages(images('debian-bookworm-multilayer', 'expected-dpkg.tsv')));
  });
});
