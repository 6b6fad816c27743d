import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ImageError } from '../errors.js';
import { memoryLogger } from '../log.js';
import { MAX_MANIFEST_ENTRIES, readDockerManifest, resolveDockerImage } from './docker-image.js';
import { blob } from './testdata/archives.js';
import { MemoryFiles } from './testdata/memory-files.js';

/** Returns a `docker save` archive whose manifest.json lists `count` tags of one image. */
function sharedConfigArchive(count: number): { files: MemoryFiles; configName: string } {
  const config = blob({
    os: 'linux',
    architecture: 'amd64',
    rootfs: { type: 'layers', diff_ids: [`sha256:${'a'.repeat(64)}`] },
    history: Array.from({ length: 1000 }, () => ({ comment: 'x'.repeat(20) })),
  });
  const configName = `${config.digest.slice('sha256:'.length)}.json`;
  const manifest = Array.from({ length: count }, (_, i) => ({ Config: configName, RepoTags: [`shared:${i}`], Layers: ['abc/layer.tar'] }));
  return { files: new MemoryFiles([[configName, config.data], ['manifest.json', JSON.stringify(manifest)]]), configName };
}

describe('resolveDockerImage', () => {
  test('shared config read once', async () => {
    const { files, configName } = sharedConfigArchive(500);
    const entries = await readDockerManifest(files);
    await assert.rejects(resolveDockerImage(files, entries, { host: { os: 'linux', architecture: 'amd64' }, logger: memoryLogger().logger }), (error: unknown) => {
      assert.ok(error instanceof ImageError);
      assert.match(error.message, /500 different images match platform linux\/amd64/);
      return true;
    });
    assert.equal(files.reads.get(configName), 1);
  });

  test('chosen config is returned', async () => {
    const { files, configName } = sharedConfigArchive(1);
    const entries = await readDockerManifest(files);
    const resolved = await resolveDockerImage(files, entries, { host: { os: 'linux', architecture: 'arm64' }, logger: memoryLogger().logger });
    assert.equal(resolved.configMember, configName);
    assert.equal(resolved.config.architecture, 'amd64');
    assert.deepEqual(resolved.repoTags, ['shared:0']);
  });
});

describe('readDockerManifest', () => {
  test(`accepts ${MAX_MANIFEST_ENTRIES} entries`, async () => {
    const { files } = sharedConfigArchive(MAX_MANIFEST_ENTRIES);
    assert.equal((await readDockerManifest(files)).length, MAX_MANIFEST_ENTRIES);
  });

  test('rejects one entry more', async () => {
    const { files } = sharedConfigArchive(MAX_MANIFEST_ENTRIES + 1);
    await assert.rejects(readDockerManifest(files), (error: unknown) => {
      assert.ok(error instanceof ImageError);
      assert.match(error.message, new RegExp(`manifest\\.json is not a valid docker save manifest: it lists ${MAX_MANIFEST_ENTRIES + 1} images, more than the ${MAX_MANIFEST_ENTRIES}`));
      return true;
    });
  });
});
