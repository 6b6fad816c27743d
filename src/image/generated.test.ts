import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { ImageError, LayerError, PlatformNotFoundError } from '../errors.js';
import { memoryLogger } from '../log.js';
import { openImage, type ImageSource } from './index.js';
import {
  blob,
  buildTar,
  indexJson,
  layoutEntries,
  patchHeaderSize,
  temporaryDirectory,
  tinyImage,
  type ArchiveEntry,
} from './testdata/archives.js';

let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
let counter = 0;

before(async () => {
  directory = await temporaryDirectory();
});
after(async () => {
  await directory.dispose();
});

/** Writes the tar (gzip-compressed when asked) to a fresh file and returns its path. */
async function writeArchive(entries: readonly ArchiveEntry[] | Buffer, options: { gzip?: boolean } = {}): Promise<string> {
  const tar = Buffer.isBuffer(entries) ? entries : await buildTar(entries);
  counter++;
  return options.gzip ? directory.file(`a${counter}.tar.gz`, gzipSync(tar)) : directory.file(`a${counter}.tar`, tar);
}

async function sha256OfStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

async function rejectsWith(path: string, pattern: RegExp, options: { platform?: string } = {}): Promise<ImageError> {
  let caught: unknown;
  await assert.rejects(openImage(path, options), (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof ImageError, `expected ImageError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  return caught;
}

/** Entries of a classic `docker save` archive with one layer stored at `layerMember`. */
async function classicEntries(layerMember = 'abc/layer.tar'): Promise<{ entries: ArchiveEntry[]; diffID: string }> {
  const layer = blob(await buildTar([{ name: 'etc/os-release', data: 'ID=test\n' }]));
  const config = blob({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] }, history: [{ created_by: 'ADD rootfs /' }] });
  const configName = `${config.digest.slice(7)}.json`;
  const manifest = [{ Config: configName, RepoTags: ['test/classic:1'], Layers: [layerMember] }];
  return {
    entries: [
      { name: configName, data: config.data },
      { name: 'manifest.json', data: JSON.stringify(manifest) },
      { name: 'layer-data.tar', data: layer.data },
    ],
    diffID: layer.digest,
  };
}

describe('generated docker save archives', () => {
  test('symlinked layer.tar resolves', async () => {
    const { entries, diffID } = await classicEntries();
    const path = await writeArchive([...entries, { name: 'abc/layer.tar', type: 'symlink', linkname: '../layer-data.tar' }]);
    const image = await openImage(path);
    try {
      assert.equal(image.format, 'docker-archive');
      assert.deepEqual(image.repoTags, ['test/classic:1']);
      const [layer] = image.layers;
      assert.ok(layer);
      assert.equal(layer.digest, undefined);
      assert.equal(layer.createdBy, 'ADD rootfs /');
      assert.equal(await sha256OfStream(await image.openLayer(layer)), diffID);
    } finally {
      await image.close();
    }
  });

  test('hard-linked layer.tar resolves', async () => {
    const { entries, diffID } = await classicEntries();
    const path = await writeArchive([...entries, { name: 'abc/layer.tar', type: 'link', linkname: 'layer-data.tar' }]);
    const image = await openImage(path);
    try {
      const [layer] = image.layers;
      assert.ok(layer);
      assert.equal(await sha256OfStream(await image.openLayer(layer)), diffID);
    } finally {
      await image.close();
    }
  });

  test('gzip-compressed archive', async () => {
    const { entries, diffID } = await classicEntries();
    const path = await writeArchive([...entries, { name: 'abc/layer.tar', type: 'symlink', linkname: '../layer-data.tar' }], { gzip: true });
    const image = await openImage(path);
    try {
      const [layer] = image.layers;
      assert.ok(layer);
      assert.equal(await sha256OfStream(await image.openLayer(layer)), diffID);
    } finally {
      await image.close();
    }
  });

  test('long member names via pax', async () => {
    const long = `${'d'.repeat(300)}/layer.tar`;
    const { entries, diffID } = await classicEntries(long);
    const path = await writeArchive([...entries, { name: long, type: 'symlink', linkname: `../layer-data.tar` }]);
    const image = await openImage(path);
    try {
      const [layer] = image.layers;
      assert.equal(layer?.blobPath, long);
      assert.ok(layer);
      assert.equal(await sha256OfStream(await image.openLayer(layer)), diffID);
    } finally {
      await image.close();
    }
  });

  test('symlink loop', async () => {
    const { entries } = await classicEntries();
    const path = await writeArchive([
      ...entries,
      { name: 'abc/layer.tar', type: 'symlink', linkname: '../def/layer.tar' },
      { name: 'def/layer.tar', type: 'symlink', linkname: '../abc/layer.tar' },
    ]);
    await rejectsWith(path, /link loop/);
  });

  const outside: [string, string][] = [
    ['relative', '../../etc/passwd'],
    ['absolute', '/etc/passwd'],
  ];
  for (const [kind, linkname] of outside) {
    test(`symlink outside, ${kind}`, async () => {
      const { entries } = await classicEntries();
      const path = await writeArchive([...entries, { name: 'abc/layer.tar', type: 'symlink', linkname }]);
      await rejectsWith(path, /outside the archive/);
    });
  }

  test('missing layer member', async () => {
    const { entries } = await classicEntries();
    const path = await writeArchive(entries);
    await assert.rejects(openImage(path), (error: unknown) => {
      assert.ok(error instanceof LayerError);
      assert.equal(error.layer.index, 0);
      assert.match(error.message, /^layer 0 \(diffID sha256:[a-f0-9]{64}\): blob abc\/layer\.tar not found/);
      return true;
    });
  });

  for (const name of ['../manifest.json', '/manifest.json']) {
    test(`ignores member ${name}`, async () => {
      const { entries } = await classicEntries();
      const renamed = entries.map((entry) => (entry.name === 'manifest.json' ? { ...entry, name } : entry));
      const path = await writeArchive(renamed);
      const { logger, records } = memoryLogger('debug');
      await assert.rejects(openImage(path, { logger }), /neither manifest\.json/);
      assert.ok(records.some((record) => record.level === 'warn' && record.fields['entry'] === name));
    });
  }

  test('missing manifest.json', async () => {
    const path = await writeArchive([{ name: 'hello.txt', data: 'hi' }]);
    await rejectsWith(path, /neither manifest\.json \(docker save\) nor index\.json/);
  });

  test('invalid manifest.json', async () => {
    const path = await writeArchive([{ name: 'manifest.json', data: '[{"Config": ' }]);
    await rejectsWith(path, /manifest\.json is not valid JSON/);
  });

  test('manifest.json of wrong shape', async () => {
    const path = await writeArchive([{ name: 'manifest.json', data: '{"Config": "x"}' }]);
    await rejectsWith(path, /not a JSON array/);
  });

  test('missing config', async () => {
    const path = await writeArchive([{ name: 'manifest.json', data: '[{"Config":"c.json","Layers":[]}]' }]);
    await rejectsWith(path, /image config \(c\.json\) not found/);
  });

  test('config digest mismatch', async () => {
    const { entries } = await classicEntries();
    const tampered = entries.map((entry) =>
      entry.name.endsWith('.json') && entry.name !== 'manifest.json' ? { ...entry, data: `${String(entry.data)} ` } : entry,
    );
    const error = await rejectsWith(await writeArchive(tampered), /does not match the digest in its name/);
    assert.equal(error.code, 'DIGEST_MISMATCH');
  });

  test('diff_ids count mismatch', async () => {
    const config = blob({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    const manifest = [{ Config: 'c.json', Layers: ['abc/layer.tar'] }];
    const path = await writeArchive([
      { name: 'c.json', data: config.data },
      { name: 'manifest.json', data: JSON.stringify(manifest) },
      { name: 'abc/layer.tar', data: 'x' },
    ]);
    await rejectsWith(path, /lists 0 rootfs\.diff_ids but the manifest lists 1 layers/);
  });

  test('several images are ambiguous', async () => {
    const { entries } = await classicEntries();
    const manifest = JSON.parse(String(entries.find((e) => e.name === 'manifest.json')?.data)) as object[];
    const doubled = entries.map((entry) =>
      entry.name === 'manifest.json' ? { ...entry, data: JSON.stringify([...manifest, { ...manifest[0], RepoTags: ['test/other:2'] }]) } : entry,
    );
    await rejectsWith(await writeArchive(doubled), /2 different images match platform .*test\/classic:1, test\/other:2/);
  });

  test('declared size beyond end of file', async () => {
    const { entries } = await classicEntries();
    const tar = await buildTar([{ name: 'abc/layer.tar', data: 'short' }, ...entries]);
    patchHeaderSize(tar, 0, 2n ** 40n, true);
    await rejectsWith(await writeArchive(tar), /truncated inside member abc\/layer\.tar \(\d+ of 1099511627776 bytes present\)/);
  });

  test('too many entries', async () => {
    // 100,001 empty entries: the same 512-byte header repeated.
    const header = (await buildTar([{ name: 'empty' }])).subarray(0, 512);
    const tar = Buffer.concat([...Array.from({ length: 100_001 }, () => header), Buffer.alloc(1024)]);
    await rejectsWith(await writeArchive(tar), /more than 100000 entries/);
  });

  test('size field above 2^53', async () => {
    // The second header sits after the first header block and one data block.
    const tar = await buildTar([{ name: 'hello.txt', data: 'hi' }, { name: 'manifest.json', data: '[]' }]);
    patchHeaderSize(tar, 1024, 2n ** 62n, true);
    await rejectsWith(await writeArchive(tar), /invalid tar header at offset 1024: size field exceeds/);
  });
});

describe('generated OCI archives', () => {
  async function ociArchive(mutate: (parts: Awaited<ReturnType<typeof tinyImage>>) => ArchiveEntry[], gzip = false): Promise<string> {
    return writeArchive(mutate(await tinyImage()), { gzip });
  }

  const plainIndex = (manifest: { digest: string; size: number }, extra: object = {}): string =>
    indexJson([{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest.digest, size: manifest.size, ...extra }]);

  test('reads createdBy and digests', async () => {
    const parts = await tinyImage({ createdBy: 'RUN make' });
    const path = await writeArchive(layoutEntries(plainIndex(parts.manifest), [parts.layer, parts.config, parts.manifest]));
    const image = await openImage(path);
    try {
      assert.equal(image.format, 'oci-archive');
      assert.equal(image.imageID, parts.config.digest);
      assert.equal(image.manifestDigest, parts.manifest.digest);
      assert.equal(image.layers[0]?.digest, parts.layer.digest);
      assert.equal(image.layers[0]?.createdBy, 'RUN make');
    } finally {
      await image.close();
    }
  });

  test('gzip-compressed OCI archive', async () => {
    const path = await ociArchive((p) => layoutEntries(plainIndex(p.manifest), [p.layer, p.config, p.manifest]), true);
    const image = await openImage(path);
    try {
      const [layer] = image.layers;
      assert.ok(layer);
      assert.equal(await sha256OfStream(await image.openLayer(layer)), layer.digest);
    } finally {
      await image.close();
    }
  });

  test('full ref name becomes a tag', async () => {
    const path = await ociArchive((p) =>
      layoutEntries(plainIndex(p.manifest, { annotations: { 'org.opencontainers.image.ref.name': 'example.com/app:1.0' } }), [p.layer, p.config, p.manifest]),
    );
    const image = await openImage(path);
    try {
      assert.deepEqual(image.repoTags, ['example.com/app:1.0']);
    } finally {
      await image.close();
    }
  });

  test('bare ref name is no tag', async () => {
    const path = await ociArchive((p) =>
      layoutEntries(plainIndex(p.manifest, { annotations: { 'org.opencontainers.image.ref.name': 'latest' } }), [p.layer, p.config, p.manifest]),
    );
    const image = await openImage(path);
    try {
      assert.deepEqual(image.repoTags, []);
    } finally {
      await image.close();
    }
  });

  test('manifest digest mismatch', async () => {
    const path = await ociArchive((p) =>
      layoutEntries(plainIndex(p.manifest), [p.layer, p.config, { ...p.manifest, data: Buffer.from(`${p.manifest.data.toString()}\n`) }]),
    );
    const error = await rejectsWith(path, /manifest sha256:[a-f0-9]{64} is \d+ bytes but its descriptor declares/);
    assert.equal(error.code, 'DIGEST_MISMATCH');
  });

  test('manifest hash mismatch', async () => {
    const path = await ociArchive((p) => {
      // Same size, different bytes: only the hash can tell.
      const altered = Buffer.from(p.manifest.data);
      altered[altered.length - 1] = 0x20;
      return layoutEntries(plainIndex(p.manifest), [p.layer, p.config, { ...p.manifest, data: altered }]);
    });
    const error = await rejectsWith(path, /manifest sha256:[a-f0-9]{64} does not match its digest/);
    assert.equal(error.code, 'DIGEST_MISMATCH');
  });

  test('config digest mismatch', async () => {
    const path = await ociArchive((p) => {
      const altered = Buffer.from(p.config.data);
      altered[altered.length - 1] = 0x20;
      return layoutEntries(plainIndex(p.manifest), [p.layer, { ...p.config, data: altered }, p.manifest]);
    });
    await rejectsWith(path, /config sha256:[a-f0-9]{64} does not match its digest/);
  });

  test('missing manifest blob', async () => {
    const path = await ociArchive((p) => layoutEntries(plainIndex(p.manifest), [p.layer, p.config]));
    await rejectsWith(path, /manifest sha256:[a-f0-9]{64} \(blobs\/sha256\/[a-f0-9]{64}\) not found/);
  });

  test('missing layer blob', async () => {
    const path = await ociArchive((p) => layoutEntries(plainIndex(p.manifest), [p.config, p.manifest]));
    await assert.rejects(openImage(path), (error: unknown) => {
      assert.ok(error instanceof LayerError);
      assert.match(error.message, /^layer 0 \(digest sha256:[a-f0-9]{64}, diffID sha256:[a-f0-9]{64}\): blob blobs\/sha256\/[a-f0-9]{64} not found/);
      return true;
    });
  });

  test('unsupported manifest media type', async () => {
    const path = await ociArchive((p) =>
      layoutEntries(plainIndex(p.manifest, { mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' }), [p.layer, p.config, p.manifest]),
    );
    await rejectsWith(path, /unsupported manifests: application\/vnd\.docker\.distribution\.manifest\.v1\+prettyjws \(sha256:[a-f0-9]{64}\)/);
  });

  test('artifact config media type', async () => {
    const parts = await tinyImage();
    const manifest = blob({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: parts.config.digest, size: parts.config.size },
      layers: [],
    });
    const path = await writeArchive(layoutEntries(plainIndex(manifest), [parts.config, manifest]));
    await rejectsWith(path, /config media type application\/vnd\.cncf\.helm\.config\.v1\+json/);
  });

  test('non-layer media type', async () => {
    const parts = await tinyImage();
    const manifest = blob({
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: parts.config.digest, size: parts.config.size },
      layers: [{ mediaType: 'application/vnd.in-toto+json', digest: parts.layer.digest, size: parts.layer.size }],
    });
    const path = await writeArchive(layoutEntries(plainIndex(manifest), [parts.layer, parts.config, manifest]));
    await rejectsWith(path, /layer 0 \(sha256:[a-f0-9]{64}\) has media type application\/vnd\.in-toto\+json/);
  });

  test('invalid index.json', async () => {
    const path = await writeArchive([
      { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
      { name: 'index.json', data: '{"schemaVersion":2,"manifests":{}}' },
    ]);
    await rejectsWith(path, /index\.json is not a valid image index: "manifests" is not an array/);
  });

  test('nested index picks requested platform', async () => {
    const amd = await tinyImage({ architecture: 'amd64' });
    const arm = await tinyImage({ architecture: 'arm64', variant: 'v8' });
    const nested = blob({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: amd.manifest.digest, size: amd.manifest.size, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: arm.manifest.digest, size: arm.manifest.size, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      ],
    });
    const index = indexJson([{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: nested.digest, size: nested.size, annotations: { 'io.containerd.image.name': 'docker.io/x/y:1' } }]);
    const blobs = [nested, amd.layer, amd.config, amd.manifest, arm.layer, arm.config, arm.manifest];
    const directoryLayout = await temporaryDirectory();
    try {
      await directoryLayout.file('oci-layout', '{"imageLayoutVersion":"1.0.0"}');
      await directoryLayout.file('index.json', index);
      for (const b of blobs) await directoryLayout.file(b.member, b.data);

      const image = await openImage(directoryLayout.path, { platform: 'linux/arm64' });
      try {
        assert.equal(image.format, 'oci-layout');
        assert.equal(image.manifestDigest, arm.manifest.digest);
        assert.deepEqual(image.repoTags, ['docker.io/x/y:1']);
        const [layer] = image.layers;
        assert.ok(layer);
        assert.equal(await sha256OfStream(await image.openLayer(layer)), layer.digest);
      } finally {
        await image.close();
      }

      await assert.rejects(openImage(directoryLayout.path, { platform: 'linux/ppc64le' }), (error: unknown) => {
        assert.ok(error instanceof PlatformNotFoundError);
        assert.deepEqual(error.available, ['linux/amd64', 'linux/arm64/v8']);
        return true;
      });
    } finally {
      await directoryLayout.dispose();
    }
  });
});

describe('input detection', () => {
  test('missing path', async () => {
    const error = await rejectsWith(`${directory.path}/does-not-exist.tar`, /image not found/);
    assert.equal(error.code, 'IMAGE_NOT_FOUND');
  });

  test('directory without oci-layout', async () => {
    await rejectsWith(directory.path, /not an OCI image layout because it has no oci-layout file/);
  });

  test('zstd-compressed archive', async () => {
    const path = await directory.file('z.tar.zst', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
    await rejectsWith(path, /zstd-compressed/);
  });

  test('not an archive', async () => {
    const path = await directory.file('notes.txt', 'hello world\n'.repeat(100));
    await rejectsWith(path, /not a tar archive/);
  });

  test('gzip of a cut tar', async () => {
    const { entries } = await classicEntries();
    const tar = await buildTar([{ name: 'abc/layer.tar', data: 'x'.repeat(5000) }, ...entries]);
    const path = await directory.file('cut-inner.tar.gz', gzipSync(tar.subarray(0, 2048)));
    await rejectsWith(path, /truncated inside member abc\/layer\.tar \(1536 of 5000 bytes present\)/);
  });

  test('corrupt gzip data', async () => {
    const gz = gzipSync(await buildTar([{ name: 'manifest.json', data: '[]' }]));
    gz[20] = (gz[20] ?? 0) ^ 0xff;
    const path = await directory.file('corrupt.tar.gz', gz);
    await rejectsWith(path, /gzip-compressed archive/);
  });
});

describe('ImageSource.close', () => {
  test('openLayer after close fails', async () => {
    const parts = await tinyImage();
    const path = await writeArchive(layoutEntries(indexJson([{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: parts.manifest.digest, size: parts.manifest.size }]), [parts.layer, parts.config, parts.manifest]));
    const image: ImageSource = await openImage(path);
    await image.close();
    const [layer] = image.layers;
    assert.ok(layer);
    await assert.rejects(image.openLayer(layer), /already closed/);
  });
});
