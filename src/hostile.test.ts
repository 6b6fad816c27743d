/**
 * Hostile inputs: image archives, layouts, layers, scan cache entries and feed files written by an
 * attacker. Every case must end without a hang, with bounded memory, with one typed error (or a
 * report that skips what it could not read), with nothing on stdout after a failure and with
 * nothing written outside the cache dir. Every input is generated here, in memory or in a
 * temporary directory. A case that exposes a new bug is marked `todo` with the function at fault
 * until the fix lands.
 */

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import { pack, type Header } from 'tar-stream';

import { defaultAnalyzers } from './analyzer/index.js';
import { encodeEntry } from './cache/entry.js';
import { createProgram } from './cli/program.js';
import { buildDatabase, type FeedSource } from './db/build.js';
import { VulnerabilityStore, type DatabaseInfo } from './db/store.js';
import { DigestMismatchError, FeedError, ImageError, LayerError, StrataError } from './errors.js';
import { decompress } from './layer/decompress.js';
import { readLayer, type LayerLimits } from './layer/index.js';
import { formatRecord, memoryLogger, type LogRecord } from './log.js';
import type { ScanResult } from './report/result.js';
import { renderTable } from './report/table.js';
import { scanImage } from './scan.js';
import { projectRoot } from './test-support/shared.js';
import type { LayerAnalysis, LayerDescriptor } from './types.js';

const MiB = 1024 * 1024;
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
const LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

const ALPINE_RELEASE = { name: 'etc/os-release', data: 'ID=alpine\nVERSION_ID=3.10.4\n' };
const APK_DATABASE = { name: 'lib/apk/db/installed', data: 'P:musl\nV:1.1.22-r0\no:musl\n\n' };

// ---------------------------------------------------------------------------------------------
// Input builders

interface TarMember {
  readonly name: string;
  readonly data?: string | Buffer;
  readonly type?: Header['type'];
  readonly linkname?: string;
}

/** Packs the members, in order, into an uncompressed tar with tar-stream. */
async function buildTar(members: readonly TarMember[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of archive) chunks.push(Buffer.from(chunk as Uint8Array));
  })();

  for (const member of members) {
    const type = member.type ?? 'file';
    const header: Partial<Header> & { name: string } = { name: member.name, type, mode: 0o644, mtime: new Date(0) };
    if (member.linkname !== undefined) header.linkname = member.linkname;
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error | null): void => (error ? reject(error) : resolve());
      if (type === 'file') archive.entry(header, Buffer.from(member.data ?? ''), settle);
      else archive.entry(header, settle);
    });
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Returns one ustar header block, for members whose data is never materialised. */
function rawHeader(name: string, size: number, typeFlag = '0'): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write('0000644\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('00000000000\0', 136);
  block.write(typeFlag, 156);
  block.write('ustar\0', 257);
  block.write('00', 263);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

/** Zero bytes that pad `size` bytes of entry data to a whole 512-byte block. */
function padding(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

const END_OF_ARCHIVE = Buffer.alloc(1024);

function sha256(data: string | Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

interface LayerBlob {
  readonly blob: Buffer;
  readonly diffID: string;
  readonly mediaType?: string;
}

function gzipLayer(tar: Buffer): LayerBlob {
  return { blob: gzipSync(tar), diffID: sha256(tar), mediaType: LAYER_GZIP };
}

/**
 * Builds a gzip layer with one file of `size` zero bytes. The blob concatenates gzip members that
 * are compressed once and repeated, so a 256 MiB file costs a few hundred KiB and no 256 MiB buffer.
 */
function gzipZeroFileLayer(name: string, size: number): LayerBlob {
  const piece = 16 * MiB;
  const zeros = Buffer.alloc(piece);
  const compressedPiece = gzipSync(zeros, { level: 9 });
  const hash = createHash('sha256');
  const parts: Buffer[] = [];

  const head = rawHeader(name, size);
  parts.push(gzipSync(head));
  hash.update(head);
  let left = size;
  for (; left >= piece; left -= piece) {
    parts.push(compressedPiece);
    hash.update(zeros);
  }
  const tail = Buffer.concat([Buffer.alloc(left), padding(size), END_OF_ARCHIVE]);
  parts.push(gzipSync(tail));
  hash.update(tail);
  return { blob: Buffer.concat(parts), diffID: `sha256:${hash.digest('hex')}`, mediaType: LAYER_GZIP };
}

/**
 * Builds a zstd layer with one file of `size` zero bytes from RLE blocks (RFC 8878, section
 * 3.1.1.2). Each 4-byte block expands to 128 KiB, so 256 MiB of tar costs 8 KiB of blob.
 */
function zstdZeroFileLayer(name: string, size: number): LayerBlob {
  const blockMax = 128 * 1024;
  const hash = createHash('sha256');
  // Magic number, then a frame header descriptor without content size and a 128 KiB window.
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
  const blockHeader = (value: number): Buffer => Buffer.from([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff]);
  const rawBlock = (data: Buffer, last: boolean): void => {
    parts.push(blockHeader((data.length << 3) | (last ? 1 : 0)), data);
    hash.update(data);
  };

  rawBlock(rawHeader(name, size), false);
  const zeros = Buffer.alloc(blockMax);
  for (let left = size + padding(size).length; left > 0; left -= blockMax) {
    const length = Math.min(blockMax, left);
    parts.push(blockHeader((length << 3) | 2), Buffer.from([0]));
    hash.update(zeros.subarray(0, length));
  }
  rawBlock(END_OF_ARCHIVE, true);
  return { blob: Buffer.concat(parts), diffID: `sha256:${hash.digest('hex')}`, mediaType: LAYER_ZSTD };
}

interface Layout {
  readonly manifestDigest: string;
  readonly manifestSize: number;
  putBlob(data: string | Buffer): Promise<string>;
}

/** Writes an OCI layout with one linux/amd64 image of `layers` to `dir`. */
async function writeLayout(dir: string, layers: readonly LayerBlob[], config?: object): Promise<Layout> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const putBlob = async (data: string | Buffer): Promise<string> => {
    const digest = sha256(data);
    await writeFile(join(blobs, digest.slice('sha256:'.length)), data);
    return digest;
  };

  const layerDescriptors = [];
  for (const layer of layers) {
    layerDescriptors.push({ mediaType: layer.mediaType ?? LAYER_TAR, digest: await putBlob(layer.blob), size: layer.blob.length });
  }
  const configText = JSON.stringify(config ?? { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffID) } });
  const configDescriptor = { mediaType: OCI_CONFIG, digest: await putBlob(configText), size: Buffer.byteLength(configText) };
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDescriptor, layers: layerDescriptors });
  const manifestDigest = await putBlob(manifest);

  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeIndex(dir, [{ mediaType: OCI_MANIFEST, digest: manifestDigest, size: Buffer.byteLength(manifest) }]);
  return { manifestDigest, manifestSize: Buffer.byteLength(manifest), putBlob };
}

async function writeIndex(dir: string, manifests: readonly object[]): Promise<void> {
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
}

/** Returns the members of a classic `docker save` archive with its one layer at `abc/layer.tar`. */
function dockerMembers(layerTar: Buffer, manifest: (entry: Record<string, unknown>) => unknown = (entry) => [entry]): TarMember[] {
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] } });
  const configName = `${sha256(config).slice('sha256:'.length)}.json`;
  const entry = { Config: configName, RepoTags: ['hostile:1'], Layers: ['abc/layer.tar'] };
  return [
    { name: configName, data: config },
    { name: 'abc/layer.tar', data: layerTar },
    { name: 'manifest.json', data: JSON.stringify(manifest(entry)) },
  ];
}

/** Returns the members of a classic `docker save` archive with the given config text and one layer. */
function dockerMembersWithConfig(configText: string, layerTar: Buffer): TarMember[] {
  const configName = `${sha256(configText).slice('sha256:'.length)}.json`;
  return [
    { name: configName, data: configText },
    { name: 'abc/layer.tar', data: layerTar },
    { name: 'manifest.json', data: JSON.stringify([{ Config: configName, Layers: ['abc/layer.tar'] }]) },
  ];
}

function makeFifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

// ---------------------------------------------------------------------------------------------
// Runners

let root: string;
/** Cache dir that contains the vulnerability database built in `before`. */
let databaseHome: string;
let counter = 0;

async function freshPath(name: string): Promise<string> {
  counter += 1;
  const dir = join(root, `case-${counter}`);
  await mkdir(dir, { recursive: true });
  return join(dir, name);
}

async function writeArchive(members: readonly TarMember[] | Buffer, options: { gzip?: boolean } = {}): Promise<string> {
  const tar = Buffer.isBuffer(members) ? members : await buildTar(members);
  const path = await freshPath(options.gzip === true ? 'image.tar.gz' : 'image.tar');
  await writeFile(path, options.gzip === true ? gzipSync(tar) : tar);
  return path;
}

interface CliRun {
  readonly error: unknown;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `strata` program in this process with captured output. `error` is what main.ts would print. */
async function runCli(args: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const program = createProgram({
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    setExitCode: () => {},
  });
  program.exitOverride();
  let error: unknown;
  try {
    await program.parseAsync(['node', 'strata', ...args]);
  } catch (caught) {
    error = caught;
  }
  return { error, stdout, stderr };
}

/** Scans through the CLI with a fresh in-memory scan cache, so no earlier case's cache entry can hide a failure. */
function scanCli(input: string, format: 'json' | 'table' = 'json'): Promise<CliRun> {
  return runCli(['image', '--input', input, '--cache-dir', databaseHome, '--cache-backend', 'memory', '--format', format]);
}

interface Scanned {
  readonly result: ScanResult;
  readonly records: LogRecord[];
}

async function scan(input: string, cacheDir = ''): Promise<Scanned> {
  const { logger, records } = memoryLogger('debug');
  const result = await scanImage({ input, databaseDir: databaseHome, cache: { cacheDir }, logger, concurrency: 2 });
  return { result, records };
}

function packageNames(result: ScanResult): string[] {
  return result.packages.map((pkg) => pkg.name);
}

/** Checks the failure as main.ts reports it: a typed error, one line, and no report on stdout. */
function assertCleanFailure(run: CliRun, type: abstract new (...args: never[]) => Error, message: RegExp): void {
  assert.ok(run.error instanceof type, `expected ${type.name}, got ${String(run.error)}`);
  assert.match(run.error.message, message);
  assert.doesNotMatch(run.error.message, /\n/);
  assert.equal(run.stdout, '');
}

function layerDescriptor(layer: LayerBlob): LayerDescriptor {
  return { index: 0, diffID: layer.diffID, digest: sha256(layer.blob), size: layer.blob.length, ...(layer.mediaType ? { mediaType: layer.mediaType } : {}) };
}

/** Reads a layer blob in 64 KiB chunks, as the archive readers deliver it. */
async function readBlob(layer: LayerBlob, limits: Partial<LayerLimits> = {}): Promise<{ analysis: LayerAnalysis; peakExternal: number }> {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < layer.blob.length; offset += 64 * 1024) chunks.push(layer.blob.subarray(offset, offset + 64 * 1024));
  let analysis: LayerAnalysis | undefined;
  const peakExternal = await peakArrayBufferGrowth(async () => {
    analysis = await readLayer({ layer: layerDescriptor(layer), open: async () => Readable.from(chunks), analyzers: defaultAnalyzers, limits });
  });
  assert.ok(analysis !== undefined);
  return { analysis, peakExternal };
}

/**
 * Returns how far the memory of live ArrayBuffers (every Buffer) rose above its lowest value while
 * `task` ran, sampled every 5 ms and at both ends. The lowest value, not the first, is the base,
 * because garbage from building the input may be collected during the task.
 */
async function peakArrayBufferGrowth(task: () => Promise<void>): Promise<number> {
  let low = process.memoryUsage().arrayBuffers;
  let peak = low;
  const sample = (): void => {
    const now = process.memoryUsage().arrayBuffers;
    low = Math.min(low, now);
    peak = Math.max(peak, now);
  };
  const timer = setInterval(sample, 5);
  try {
    await task();
  } finally {
    clearInterval(timer);
  }
  sample();
  return peak - low;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => !entry.isDirectory()).map((entry) => relative(dir, join(entry.parentPath, entry.name))).sort();
}

// ---------------------------------------------------------------------------------------------

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-hostile-'));
  databaseHome = join(root, 'database');
  const secdb = join(root, 'secdb', 'v3.10');
  await mkdir(secdb, { recursive: true });
  await writeFile(
    join(secdb, 'main.json'),
    JSON.stringify({ distroversion: 'v3.10', packages: [{ pkg: { name: 'musl', secfixes: { '1.1.22-r3': ['CVE-2019-14697'] } } }] }),
  );
  await buildDatabase({ cacheDir: databaseHome, sources: [{ kind: 'alpine-secdb', path: join(root, 'secdb') }], scannerVersion: 'test' });
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('hostile image archives', () => {
  let layerTar: Buffer;
  before(async () => {
    layerTar = await buildTar([ALPINE_RELEASE, APK_DATABASE]);
  });

  interface RejectCase {
    readonly name: string;
    readonly input: () => Promise<string>;
    readonly error: abstract new (...args: never[]) => Error;
    readonly message: RegExp;
  }

  const archiveCases: readonly RejectCase[] = [
    {
      name: 'Layers names a ../ path',
      input: () => writeArchive(dockerMembers(layerTar, (entry) => [{ ...entry, Layers: ['../../../etc/passwd'] }])),
      error: LayerError,
      message: /blob \.\.\/\.\.\/\.\.\/etc\/passwd not found/,
    },
    {
      name: 'Layers names an absolute path',
      input: () => writeArchive(dockerMembers(layerTar, (entry) => [{ ...entry, Layers: ['/etc/passwd'] }])),
      error: LayerError,
      message: /blob \/etc\/passwd not found/,
    },
    {
      name: 'Config names an absolute path',
      input: () => writeArchive(dockerMembers(layerTar, (entry) => [{ ...entry, Config: '/etc/passwd' }])),
      error: ImageError,
      message: /image config \(\/etc\/passwd\) not found/,
    },
    {
      name: 'Config names a ../ path',
      input: () => writeArchive(dockerMembers(layerTar, (entry) => [{ ...entry, Config: 'a/../../etc/passwd' }])),
      error: ImageError,
      message: /image config \(a\/\.\.\/\.\.\/etc\/passwd\) not found/,
    },
    {
      name: 'layer symlink to an absolute path',
      input: () =>
        writeArchive([...dockerMembers(layerTar, (entry) => [{ ...entry, Layers: ['link.tar'] }]), { name: 'link.tar', type: 'symlink', linkname: '/etc/passwd' }]),
      error: ImageError,
      message: /member link\.tar links to \/etc\/passwd, which is outside the archive/,
    },
    {
      name: 'layer symlink climbing out',
      input: () =>
        writeArchive([...dockerMembers(layerTar, (entry) => [{ ...entry, Layers: ['a/link.tar'] }]), { name: 'a/link.tar', type: 'symlink', linkname: '../../../etc/passwd' }]),
      error: ImageError,
      message: /outside the archive/,
    },
    {
      name: 'manifest.json symlink out',
      input: () => writeArchive([{ name: 'manifest.json', type: 'symlink', linkname: '/etc/passwd' }]),
      error: ImageError,
      message: /member manifest\.json links to \/etc\/passwd, which is outside the archive/,
    },
    {
      name: 'hard link loop',
      input: () =>
        writeArchive([
          ...dockerMembers(layerTar, (entry) => [{ ...entry, Layers: ['a'] }]),
          { name: 'a', type: 'link', linkname: 'b' },
          { name: 'b', type: 'link', linkname: 'a' },
        ]),
      error: ImageError,
      message: /link loop/,
    },
    {
      name: 'symlink to itself',
      input: () => writeArchive([...dockerMembers(layerTar, (entry) => [{ ...entry, Layers: ['self'] }]), { name: 'self', type: 'symlink', linkname: 'self' }]),
      error: ImageError,
      message: /link loop/,
    },
    {
      name: 'manifest.json is a directory',
      input: () => writeArchive([{ name: 'manifest.json/', type: 'directory' }]),
      error: ImageError,
      message: /member manifest\.json is a directory, not a regular file/,
    },
    {
      name: 'manifest.json of nested arrays',
      input: () => writeArchive([{ name: 'manifest.json', data: `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}` }]),
      error: ImageError,
      message: /manifest\.json is not a valid docker save manifest: entry 0 is not a JSON object/,
    },
    {
      name: 'manifest.json over 8 MiB',
      input: () => writeArchive([{ name: 'manifest.json', data: Buffer.alloc(9 * MiB, 0x20) }]),
      error: ImageError,
      message: /member manifest\.json is 9437184 bytes, above the 8388608-byte limit/,
    },
    {
      name: 'member size beyond archive end',
      input: () => writeArchive(Buffer.concat([rawHeader('manifest.json', 8 * 1024 * MiB), Buffer.from('[]'), padding(2), END_OF_ARCHIVE])),
      error: ImageError,
      message: /truncated inside member manifest\.json \(1536 of 8589934592 bytes present\)/,
    },
    {
      name: 'config lists 100000 diff_ids',
      input: () => {
        const config = JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: Array.from({ length: 100_000 }, () => sha256(layerTar)) } });
        return writeArchive(dockerMembersWithConfig(config, layerTar));
      },
      error: ImageError,
      message: /lists 100000 rootfs\.diff_ids but the manifest lists 1 layers/,
    },
    {
      name: 'gzip archive truncated',
      input: async () => {
        const path = await writeArchive(dockerMembers(layerTar), { gzip: true });
        const whole = await readFile(path);
        await writeFile(path, whole.subarray(0, whole.length - 40));
        return path;
      },
      error: ImageError,
      message: /truncated/,
    },
  ];

  for (const testCase of archiveCases) {
    it(testCase.name, async () => {
      const run = await scanCli(await testCase.input());
      assertCleanFailure(run, testCase.error, testCase.message);
    });
  }

  it('archive of 100001 entries', async () => {
    const thousand = Buffer.concat(Array.from({ length: 1000 }, (_, i) => rawHeader(`d${i}/`, 0, '5')));
    const plain = await freshPath('many.tar');
    await writeFile(plain, Buffer.concat([...Array.from({ length: 101 }, () => thousand), END_OF_ARCHIVE]));
    assertCleanFailure(await scanCli(plain), ImageError, /has more than 100000 entries/);

    // Concatenated gzip members decompress as one stream, so one compressed block of a thousand headers is repeated.
    const compressedThousand = gzipSync(thousand);
    const gzipped = await freshPath('many.tar.gz');
    await writeFile(gzipped, Buffer.concat([...Array.from({ length: 101 }, () => compressedThousand), gzipSync(END_OF_ARCHIVE)]));
    assertCleanFailure(await scanCli(gzipped), ImageError, /has more than 100000 entries/);
  });

  it('member names climbing out are ignored', async () => {
    const input = await writeArchive([
      { name: '../../x', data: 'a' },
      { name: '/etc/passwd', data: 'a' },
      { name: 'a/../../b', data: 'b' },
      ...dockerMembers(layerTar),
    ]);
    const { result, records } = await scan(input);
    assert.deepEqual(packageNames(result), ['musl']);
    assert.ok(records.some((record) => record.level === 'warn' && record.message.startsWith('ignored archive entry')));
  });

  it('CLI prints one error line', async () => {
    const input = await writeArchive(Buffer.concat([rawHeader('manifest.json', 8 * 1024 * MiB), END_OF_ARCHIVE]));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'image', '--input', input, '--cache-dir', databaseHome, '--cache-backend', 'memory'], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^strata: error: .*image\.tar: /);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1);
  });

  it('deeply nested config value', async () => {
    const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const config = `{"os":"linux","architecture":"amd64","config":{"Labels":${nested}},"rootfs":{"type":"layers","diff_ids":["${sha256(layerTar)}"]}}`;
    const run = await scanCli(await writeArchive(dockerMembersWithConfig(config, layerTar)));
    assert.ok(run.error === undefined || run.error instanceof StrataError, `unexpected ${String(run.error)}`);
  });

  it(
    'manifest.json entries sharing a config',
    { timeout: 10_000 },
    async () => {
      const config = JSON.stringify({
        os: 'linux',
        architecture: 'amd64',
        rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
        history: Array.from({ length: 30_000 }, () => ({ comment: 'x'.repeat(20) })),
      });
      const configName = `${sha256(config).slice('sha256:'.length)}.json`;
      const manifest = Array.from({ length: 2000 }, (_, i) => ({ Config: configName, RepoTags: [`hostile:${i}`], Layers: ['abc/layer.tar'] }));
      const input = await writeArchive([
        { name: configName, data: config },
        { name: 'abc/layer.tar', data: layerTar },
        { name: 'manifest.json', data: JSON.stringify(manifest) },
      ]);
      let run: CliRun | undefined;
      const growth = await peakArrayBufferGrowth(async () => {
        run = await scanCli(input);
      });
      assert.ok(run !== undefined);
      assert.ok(run.error === undefined || run.error instanceof StrataError, `unexpected ${String(run.error)}`);
      assert.ok(growth < 256 * MiB, `ArrayBuffers grew by ${growth} bytes`);
    },
  );
});

describe('hostile OCI layouts', () => {
  let layer: LayerBlob;
  before(async () => {
    layer = gzipLayer(await buildTar([ALPINE_RELEASE, APK_DATABASE]));
  });

  async function layout(): Promise<{ dir: string; built: Layout }> {
    const dir = await freshPath('layout');
    return { dir, built: await writeLayout(dir, [layer]) };
  }

  async function layoutWithIndexDigest(digest: string): Promise<string> {
    const { dir } = await layout();
    await writeIndex(dir, [{ mediaType: OCI_MANIFEST, digest, size: 10 }]);
    return dir;
  }

  function layerBlobPath(dir: string): string {
    return join(dir, 'blobs', 'sha256', sha256(layer.blob).slice('sha256:'.length));
  }

  const cases: readonly { name: string; input: () => Promise<string>; error: abstract new (...args: never[]) => Error; message: RegExp }[] = [
    { name: 'index digest with ../', input: () => layoutWithIndexDigest('sha256:../../etc/passwd'), error: ImageError, message: /"sha256:\.\.\/\.\.\/etc\/passwd" is not a sha256 or sha512 digest/ },
    { name: 'index digest in upper case', input: () => layoutWithIndexDigest(`sha256:${'AB'.repeat(32)}`), error: ImageError, message: /is not a sha256 or sha512 digest/ },
    { name: 'index digest with short hex', input: () => layoutWithIndexDigest('sha256:abc'), error: ImageError, message: /"sha256:abc" is not a sha256 or sha512 digest/ },
    {
      name: 'diff_id with ../',
      input: async () => {
        const dir = await freshPath('layout');
        await writeLayout(dir, [{ ...layer, diffID: 'sha256:../../../etc/passwd' }]);
        return dir;
      },
      error: ImageError,
      message: /rootfs\.diff_ids\[0\] "sha256:\.\.\/\.\.\/\.\.\/etc\/passwd" is not a sha256 or sha512 digest/,
    },
    {
      name: 'indexes nested 5 deep',
      input: async () => {
        const { dir, built } = await layout();
        let child: object = { mediaType: OCI_MANIFEST, digest: built.manifestDigest, size: built.manifestSize };
        for (let level = 0; level < 5; level++) {
          const text = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [child] });
          child = { mediaType: OCI_INDEX, digest: await built.putBlob(text), size: Buffer.byteLength(text) };
        }
        await writeIndex(dir, [child]);
        return dir;
      },
      error: ImageError,
      message: /image indexes nest deeper than 4 levels/,
    },
    {
      name: 'layer blob is a FIFO',
      input: async () => {
        const { dir } = await layout();
        await rm(layerBlobPath(dir));
        makeFifo(layerBlobPath(dir));
        return dir;
      },
      error: LayerError,
      message: /not found/,
    },
    {
      name: 'layer blob links to /dev/zero',
      input: async () => {
        const { dir } = await layout();
        await rm(layerBlobPath(dir));
        await symlink('/dev/zero', layerBlobPath(dir));
        return dir;
      },
      error: LayerError,
      message: /not found/,
    },
    {
      name: 'index.json is a FIFO',
      input: async () => {
        const { dir } = await layout();
        await rm(join(dir, 'index.json'));
        makeFifo(join(dir, 'index.json'));
        return dir;
      },
      error: ImageError,
      message: /OCI layout index \(index\.json\) not found/,
    },
    {
      name: 'input is a FIFO',
      input: async () => {
        const path = await freshPath('image.tar');
        makeFifo(path);
        return path;
      },
      error: ImageError,
      message: /not a regular file or directory/,
    },
    { name: 'input is /dev/zero', input: async () => '/dev/zero', error: ImageError, message: /\/dev\/zero: not a regular file or directory/ },
  ];

  for (const testCase of cases) {
    it(testCase.name, { skip: process.platform === 'win32' ? 'needs FIFOs and /dev' : false }, async () => {
      const run = await scanCli(await testCase.input());
      assertCleanFailure(run, testCase.error, testCase.message);
    });
  }

  it('index.json links outside the layout', async () => {
    const { dir } = await layout();
    const outside = join(dir, '..', 'outside.txt');
    await writeFile(outside, 'SECRET-MARKER root:x:0:0\n');
    await rm(join(dir, 'index.json'));
    await symlink(outside, join(dir, 'index.json'));
    const run = await scanCli(dir);
    assert.ok(run.error instanceof ImageError);
    assert.doesNotMatch(run.error.message, /SECRET/);
  });

  it(
    'index fan-out of repeated children',
    { timeout: 10_000 },
    async () => {
      const { dir, built } = await layout();
      let child: object = { mediaType: OCI_MANIFEST, digest: built.manifestDigest, size: built.manifestSize };
      for (let level = 0; level < 4; level++) {
        const text = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: Array.from({ length: 60 }, () => child) });
        child = { mediaType: OCI_INDEX, digest: await built.putBlob(text), size: Buffer.byteLength(text) };
      }
      await writeIndex(dir, [child]);
      const run = await scanCli(dir);
      assert.equal(run.error, undefined);
    },
  );
});

describe('hostile layers', () => {
  it('gzip bomb of an unwanted file streams', async () => {
    const layer = gzipZeroFileLayer('usr/share/zeros', 256 * MiB);
    const { analysis, peakExternal } = await readBlob(layer);
    assert.deepEqual(analysis.packageDatabases, []);
    // Buffering the file would need all of it; the bound leaves room for garbage not yet collected.
    assert.ok(peakExternal < 128 * MiB, `ArrayBuffers grew by ${peakExternal} bytes for a 256 MiB file`);
  });

  it('wanted file over maxFileSize is skipped', async () => {
    const layer = gzipZeroFileLayer('var/lib/dpkg/status', 160 * MiB);
    const { analysis, peakExternal } = await readBlob(layer);
    assert.deepEqual(analysis.packageDatabases, []);
    assert.equal(analysis.unknowns.length, 1);
    assert.match(analysis.unknowns[0]?.reason ?? '', /167772160 bytes, over the 134217728-byte limit/);
    // Buffering the file would need all of it; the bound leaves room for garbage not yet collected.
    assert.ok(peakExternal < 128 * MiB, `ArrayBuffers grew by ${peakExternal} bytes for a skipped file`);
  });

  it('entries over maxEntries', async () => {
    const tar = await buildTar(Array.from({ length: 1001 }, (_, i) => ({ name: `d${i}/`, type: 'directory' as const })));
    await assert.rejects(readBlob(gzipLayer(tar), { maxEntries: 1000 }), (error: unknown) => {
      assert.ok(error instanceof LayerError);
      assert.match(error.message, /more than 1000 tar entries/);
      return true;
    });
  });

  it('uncompressed size over maxLayerSize', async () => {
    await assert.rejects(readBlob(gzipZeroFileLayer('usr/share/zeros', 4 * MiB), { maxLayerSize: MiB }), (error: unknown) => {
      assert.ok(error instanceof LayerError);
      assert.match(error.message, /larger than 1048576 bytes/);
      return true;
    });
  });

  it('zstd bomb streams', async () => {
    const layer = zstdZeroFileLayer('usr/share/zeros', 256 * MiB);
    assert.ok(layer.blob.length < 16 * 1024);
    const start = process.memoryUsage().arrayBuffers;
    const chunks = decompress(
      (async function* () {
        yield layer.blob;
      })(),
      () => {},
    );
    const first = await chunks.next();
    const growth = process.memoryUsage().arrayBuffers - start;
    await chunks.return(undefined);
    assert.equal(first.done, false);
    assert.ok(growth < 32 * MiB, `ArrayBuffers grew by ${growth} bytes before the first chunk was consumed`);
  });

  it(
    'wanted files are not all kept',
    { timeout: 60_000 },
    async () => {
      const zeros = Buffer.alloc(64 * MiB);
      const compressed = gzipSync(zeros, { level: 9 });
      const hash = createHash('sha256');
      const parts: Buffer[] = [];
      // Ten files: kept whole, they would need 640 MiB; the bound leaves room for garbage that the
      // collector has not freed yet when the test runs beside other test files.
      for (let i = 0; i < 10; i++) {
        const head = rawHeader(`var/lib/dpkg/status.d/p${i}`, zeros.length);
        parts.push(gzipSync(head), compressed);
        hash.update(head).update(zeros);
      }
      parts.push(gzipSync(END_OF_ARCHIVE));
      hash.update(END_OF_ARCHIVE);
      const { peakExternal } = await readBlob({ blob: Buffer.concat(parts), diffID: `sha256:${hash.digest('hex')}`, mediaType: LAYER_GZIP });
      assert.ok(peakExternal < 384 * MiB, `ArrayBuffers grew by ${peakExternal} bytes for ten 64 MiB files`);
    },
  );

  it(
    'hard links do not multiply databases',
    { timeout: 20_000 },
    async () => {
      let status = '';
      for (let i = 0; i < 5000; i++) status += `Package: p${i}\nStatus: install ok installed\nVersion: 1.${i}\n\n`;
      const members: TarMember[] = [{ name: 'var/lib/dpkg/status', data: status }];
      for (let i = 0; i < 100; i++) members.push({ name: `var/lib/dpkg/status.d/link${i}`, type: 'link', linkname: 'var/lib/dpkg/status' });
      const { analysis } = await readBlob(gzipLayer(await buildTar(members)));
      const packages = analysis.packageDatabases.reduce((sum, database) => sum + database.packages.length, 0);
      assert.ok(packages <= 5000, `${packages} packages from one status file`);
    },
  );

  it(
    'whiteout names are bounded',
    { timeout: 60_000 },
    async () => {
      const name = `a/.wh.${'x'.repeat(Math.floor(3.9 * MiB))}`;
      const record = ` path=${name}\n`;
      let length = record.length + String(record.length).length;
      if (String(length).length !== String(length - 1).length) length += 1;
      const pax = Buffer.from(`${length}${record}`);
      const unit = Buffer.concat([rawHeader('PaxHeader', pax.length, 'x'), pax, padding(pax.length), rawHeader('placeholder', 0)]);
      const compressed = gzipSync(unit, { level: 9 });
      const blob = Buffer.concat([...Array.from({ length: 300 }, () => compressed), gzipSync(END_OF_ARCHIVE)]);
      const heapBefore = process.memoryUsage().heapUsed;
      await assert.rejects(readBlob({ blob, diffID: sha256('not the diffID'), mediaType: LAYER_GZIP }), DigestMismatchError);
      const growth = process.memoryUsage().heapUsed - heapBefore;
      assert.ok(growth < 256 * MiB, `heap grew by ${growth} bytes`);
    },
  );
});

describe('hostile layer content', () => {
  async function scanLayers(layers: readonly (readonly TarMember[])[]): Promise<Scanned> {
    const dir = await freshPath('layout');
    const blobs: LayerBlob[] = [];
    for (const members of layers) blobs.push(gzipLayer(await buildTar(members)));
    await writeLayout(dir, blobs);
    return scan(dir);
  }

  it('opaque whiteout at the root', async () => {
    const { result } = await scanLayers([[ALPINE_RELEASE, APK_DATABASE], [{ name: '.wh..wh..opq' }]]);
    assert.deepEqual(packageNames(result), []);
    assert.equal(result.os, undefined);
  });

  it('whiteouts with .. segments', async () => {
    const { result } = await scanLayers([
      [ALPINE_RELEASE, APK_DATABASE],
      [{ name: 'a/../../.wh.x' }, { name: '.wh...' }, { name: 'lib/apk/db/.wh...' }, { name: '../.wh..wh..opq' }],
    ]);
    assert.deepEqual(packageNames(result), ['musl']);
    assert.equal(result.unknowns.length, 2);
  });

  const noDatabaseCases: readonly { name: string; members: readonly TarMember[] }[] = [
    { name: 'status path is a directory', members: [{ name: 'var/lib/dpkg/status/', type: 'directory' }, { name: 'lib/apk/db/installed/', type: 'directory' }] },
    {
      name: 'status path links out',
      members: [
        { name: 'var/lib/dpkg/status', type: 'symlink', linkname: '/etc/shadow' },
        { name: 'lib/apk/db/installed', type: 'symlink', linkname: '../../../../etc/passwd' },
      ],
    },
    { name: 'status path is a FIFO', members: [{ name: 'var/lib/dpkg/status', type: 'fifo' }, { name: 'lib/apk/db/installed', type: 'character-device' }] },
  ];

  for (const testCase of noDatabaseCases) {
    it(testCase.name, async () => {
      const { result } = await scanLayers([[ALPINE_RELEASE, ...testCase.members]]);
      assert.deepEqual(packageNames(result), []);
      assert.equal(result.os?.family, 'alpine');
    });
  }

  it('dpkg status with 10 MiB lines', async () => {
    const status = `Package: a\nVersion: ${'x'.repeat(10 * MiB)}\nStatus: install ok installed\n\nPackage: ${'y'.repeat(10 * MiB)}\n`;
    const { result } = await scanLayers([[{ name: 'etc/os-release', data: 'ID=debian\nVERSION_ID=12\n' }, { name: 'var/lib/dpkg/status', data: status }]]);
    assert.deepEqual(packageNames(result), ['a']);
    assert.equal(result.unknowns.length, 1);
  });

  it('apk database of binary garbage', async () => {
    const garbage = Buffer.from(Array.from({ length: MiB }, (_, i) => Math.imul(i, 2654435761) >>> 24));
    const { result } = await scanLayers([[ALPINE_RELEASE, { name: 'lib/apk/db/installed', data: garbage }]]);
    assert.ok(result.unknowns.length > 0);
  });

  it('os-release with NUL bytes', async () => {
    const { result } = await scanLayers([[{ name: 'etc/os-release', data: 'ID=alp\0ine\nVERSION_ID=3.10\0.4\n' }, APK_DATABASE]]);
    assert.deepEqual(packageNames(result), ['musl']);
  });

  it('layer that is not a tar', async () => {
    const dir = await freshPath('layout');
    const text = Buffer.from('this is not a tar archive '.repeat(100));
    await writeLayout(dir, [{ blob: text, diffID: sha256(text) }]);
    assertCleanFailure(await scanCli(dir), LayerError, /not a tar archive/);
  });

  it('layer blob swapped for another', async () => {
    const dir = await freshPath('layout');
    const real = gzipLayer(await buildTar([ALPINE_RELEASE, APK_DATABASE]));
    const other = gzipLayer(await buildTar([ALPINE_RELEASE]));
    await writeLayout(dir, [{ ...other, diffID: real.diffID }]);
    assertCleanFailure(await scanCli(dir), DigestMismatchError, /uncompressed diffID mismatch/);
  });

  it('control characters in the table', async () => {
    const { result } = await scanLayers([
      [{ name: 'etc/os-release', data: 'ID=alp\u001b]0;title\u0007ine\nVERSION_ID=3.10.4\n' }, APK_DATABASE, { name: '../\u001b[31mred', data: 'x' }],
    ]);
    const table = renderTable(result, [], { color: false });
    assert.doesNotMatch(table, /\u001b/);
    // Gap messages keep the raw text as data; what reaches a terminal is escaped.
    for (const gap of result.gaps) {
      const line = formatRecord({ level: 'warn', message: gap.message, fields: { kind: gap.kind }, time: new Date(0) });
      assert.doesNotMatch(line, /[\u0000-\u001f]/);
    }
  });

  it(
    'many packages stay linear',
    { timeout: 5_000 },
    async () => {
      let status = '';
      for (let i = 0; i < 50_000; i++) status += `Package: p${i}\nStatus: install ok installed\nVersion: 1.${i}\n\n`;
      const { result } = await scanLayers([[{ name: 'etc/os-release', data: 'ID=debian\nVERSION_ID=12\n' }, { name: 'var/lib/dpkg/status', data: status }]]);
      assert.equal(result.packages.length, 50_000);
    },
  );
});

describe('hostile scan cache entries', () => {
  let goodLayer: LayerBlob;
  let image: string;

  before(async () => {
    goodLayer = gzipLayer(await buildTar([ALPINE_RELEASE, APK_DATABASE]));
    image = await freshPath('layout');
    await writeLayout(image, [goodLayer]);
  });

  /** Scans once to fill a fresh cache dir, and returns it with the path of its one layer entry. */
  async function filledCache(): Promise<{ cacheDir: string; layerEntry: string }> {
    const cacheDir = await freshPath('cache');
    await scan(image, cacheDir);
    const entries = (await listFiles(join(cacheDir, 'scan'))).filter((path) => path.startsWith('layer/'));
    assert.equal(entries.length, 1);
    return { cacheDir, layerEntry: join(cacheDir, 'scan', entries[0] as string) };
  }

  const analysis = (diffID: string): Record<string, unknown> => ({
    diffID,
    osFiles: {},
    packageDatabases: [],
    whiteouts: [],
    opaqueDirs: [],
    unknowns: [],
    analyzers: {},
  });

  const corruptions: readonly { name: string; write: (path: string) => Promise<void>; warning: RegExp }[] = [
    { name: 'entry is not JSON', write: (path) => writeFile(path, 'not json{'), warning: /^cache entry discarded$/ },
    { name: 'entry names another diffID', write: (path) => writeFile(path, encodeEntry('layer', analysis(sha256('another layer')))), warning: /^cache entry discarded$/ },
    {
      name: 'entry is a directory',
      write: async (path) => {
        await rm(path);
        await mkdir(path);
      },
      warning: /^cache read failed/,
    },
  ];

  for (const corruption of corruptions) {
    it(corruption.name, async () => {
      const { cacheDir, layerEntry } = await filledCache();
      await corruption.write(layerEntry);
      const { result, records } = await scan(image, cacheDir);
      assert.deepEqual(packageNames(result), ['musl']);
      assert.ok(records.some((record) => record.level === 'warn' && corruption.warning.test(record.message)));
    });
  }

  it('writes stay in the cache dir', async () => {
    const before = await listFiles(root);
    const cacheDir = await freshPath('cache');
    await scan(image, cacheDir);
    const added = (await listFiles(root)).filter((path) => !before.includes(path));
    const cacheRelative = relative(root, cacheDir);
    for (const path of added) {
      assert.ok(path.startsWith(`${cacheRelative}/`), `${path} written outside the cache dir`);
      assert.match(relative(cacheRelative, path), /^scan\/(layer|layer-index|config)\/[0-9a-f]{2}\/[0-9a-f]{64}\.json$/);
    }
    assert.ok(added.length >= 3);
  });

  it('checksummed entry of the wrong shape', async () => {
    const { cacheDir, layerEntry } = await filledCache();
    const blobDigests = [sha256(goodLayer.blob)];
    await writeFile(layerEntry, encodeEntry('layer', { analysis: { ...analysis(goodLayer.diffID), osFiles: null, whiteouts: 7 }, blobDigests }));
    const { result, records } = await scan(image, cacheDir);
    assert.deepEqual(packageNames(result), ['musl']);
    assert.ok(records.some((record) => record.level === 'warn' && record.message === 'cache entry discarded'));
  });

  it('cache hit still verifies the blob', async () => {
    const { cacheDir } = await filledCache();
    const spoofed = await freshPath('layout');
    const other = gzipLayer(await buildTar([ALPINE_RELEASE, { name: 'lib/apk/db/installed', data: 'P:openssl\nV:1.0.0-r0\n\n' }]));
    await writeLayout(spoofed, [{ ...other, diffID: goodLayer.diffID }]);
    await assert.rejects(scan(spoofed, cacheDir), DigestMismatchError);
  });
});

describe('hostile feeds', () => {
  let feedHome: string;
  let goodSecdb: string;
  let databaseHash: string;

  const databaseFile = (): string => join(feedHome, 'db', 'strata.db');

  before(async () => {
    feedHome = join(root, 'feeds-home');
    goodSecdb = join(root, 'secdb');
    await buildDatabase({ cacheDir: feedHome, sources: [{ kind: 'alpine-secdb', path: goodSecdb }], scannerVersion: 'test' });
    databaseHash = sha256(await readFile(databaseFile()));
  });

  async function feedFile(name: string, content: string): Promise<string> {
    const path = await freshPath(name);
    await writeFile(path, content);
    return path;
  }

  async function secdbWith(file: string, content: string): Promise<string> {
    const dir = await freshPath('secdb');
    await mkdir(join(dir, 'v3.10'), { recursive: true });
    await writeFile(join(dir, 'v3.10', file), content);
    return dir;
  }

  function billionLaughs(): string {
    const names = 'abcdefghi';
    let yaml = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < names.length; i++) yaml += `${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]\n`;
    return `${yaml}distroversion: v3.10\npackages:\n  - pkg:\n      name: x\n      secfixes:\n        "1-r0": *i\n`;
  }

  const cases: readonly { name: string; source: () => Promise<FeedSource>; message: RegExp }[] = [
    { name: 'YAML billion laughs', source: async () => ({ kind: 'alpine-secdb', path: await secdbWith('main.yaml', billionLaughs()) }), message: /Excessive alias count/ },
    {
      name: 'secfix entry not a string',
      source: async () => ({ kind: 'alpine-secdb', path: await secdbWith('main.json', JSON.stringify({ packages: [{ pkg: { name: 'x', secfixes: { '1-r0': [{ a: 1 }] } } }] })) }),
      message: /secfixes "1-r0"\[0\]: expected a string, got an object/,
    },
    {
      name: 'NVD descriptions not a list',
      source: async () => ({ kind: 'nvd', path: await feedFile('a.json', JSON.stringify({ vulnerabilities: [{ cve: { id: 'CVE-1', descriptions: 'x' } }] })) }),
      message: /"descriptions" must be a list, got string "x"/,
    },
    {
      name: 'NVD metrics not a list',
      source: async () => ({ kind: 'nvd', path: await feedFile('a.json', JSON.stringify({ vulnerabilities: [{ cve: { id: 'CVE-1', metrics: { cvssMetricV31: { a: 1 } } } }] })) }),
      message: /metrics\.cvssMetricV31: expected a list, got an object/,
    },
    {
      name: 'NVD invalid timestamp',
      source: async () => ({ kind: 'nvd', path: await feedFile('a.json', JSON.stringify({ cve: { id: 'CVE-1', published: 'not a date' } })) }),
      message: /published: invalid timestamp string "not a date"/,
    },
    {
      name: 'NVD symlink loop',
      source: async () => {
        const dir = await freshPath('nvd');
        await mkdir(dir);
        await writeFile(join(dir, 'a.json'), '{"id":"CVE-2000-0001"}');
        await symlink('.', join(dir, 'loop1'));
        await symlink('.', join(dir, 'loop2'));
        return { kind: 'nvd', path: dir };
      },
      message: /ELOOP/,
    },
    {
      name: 'debian status not a string',
      source: async () => ({ kind: 'debian-tracker', path: await feedFile('t.json', JSON.stringify({ openssl: { 'CVE-1': { releases: { bookworm: { status: 5 } } } } })) }),
      message: /package "openssl" CVE-1 bookworm: "status" must be a string, got number 5/,
    },
    {
      name: 'debian package not an object',
      source: async () => ({ kind: 'debian-tracker', path: await feedFile('t.json', JSON.stringify({ openssl: [1, 2] })) }),
      message: /package "openssl": expected an object keyed by vulnerability ID, got a list/,
    },
    {
      name: 'debian releases not an object',
      source: async () => ({ kind: 'debian-tracker', path: await feedFile('t.json', JSON.stringify({ openssl: { 'CVE-1': { releases: 'x' } } })) }),
      message: /"releases" must be an object, got string "x"/,
    },
    {
      name: 'debian file truncated',
      source: async () => ({ kind: 'debian-tracker', path: await feedFile('t.json', '{"openssl": {"CVE-1": {"releases": {"bookworm": {"status": "open"') }),
      message: /unexpected end of file/,
    },
    { name: 'debian top level array', source: async () => ({ kind: 'debian-tracker', path: await feedFile('t.json', '[1,2,3]') }), message: /the top level must be an object/ },
  ];

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const source = await testCase.source();
      await assert.rejects(
        buildDatabase({ cacheDir: feedHome, sources: [{ kind: 'alpine-secdb', path: goodSecdb }, source], scannerVersion: 'test' }),
        (error: unknown) => {
          assert.ok(error instanceof FeedError, `expected FeedError, got ${String(error)}`);
          assert.match(error.message, testCase.message);
          return true;
        },
      );

      // The failed build leaves the previous database as it was, usable, and no temporary file.
      assert.equal(sha256(await readFile(databaseFile())), databaseHash);
      assert.deepEqual(await readdir(join(feedHome, 'db')), ['strata.db']);
      const store = VulnerabilityStore.open(feedHome);
      try {
        assert.equal(store.info().sources[0]?.name, 'alpine-secdb');
      } finally {
        store.close();
      }
    });
  }

  it('YAML error is one line', async () => {
    const path = await secdbWith('main.yaml', 'a: b: c\n');
    await assert.rejects(buildDatabase({ cacheDir: await freshPath('home'), sources: [{ kind: 'alpine-secdb', path }], scannerVersion: 'test' }), (error: unknown) => {
      assert.ok(error instanceof FeedError);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  });

  it('secdb symlink out of the source', async () => {
    const outside = await freshPath('outside.json');
    await writeFile(outside, JSON.stringify({ distroversion: 'v3.10', packages: [{ pkg: { name: 'outside', secfixes: { '1-r0': ['CVE-2000-0001'] } } }] }));
    const dir = await freshPath('secdb');
    await mkdir(join(dir, 'v3.10'), { recursive: true });
    await symlink(outside, join(dir, 'v3.10', 'main.json'));
    const built: DatabaseInfo | Error = await buildDatabase({ cacheDir: await freshPath('home'), sources: [{ kind: 'alpine-secdb', path: dir }], scannerVersion: 'test' }).catch(
      (error: Error) => error,
    );
    // Either outcome is safe: the build rejects the link, or it reads nothing through it.
    if (built instanceof Error) {
      assert.ok(built instanceof FeedError);
      return;
    }
    assert.equal(built.sources[0]?.recordCount, 0);
  });
});
