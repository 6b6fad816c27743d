import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { buildTar } from './testdata/fixtures.js';
import { walkTar, type TarEntry } from './walk.js';

async function* chunksOf(data: Buffer): AsyncGenerator<Buffer> {
  yield data;
}

describe('walkTar', () => {
  test('entries in order with their types', async () => {
    const tar = await buildTar([
      { name: 'dir', type: 'directory' },
      { name: 'dir/file', content: 'hello' },
      { name: 'dir/link', type: 'symlink', linkname: 'file' },
    ]);
    // tar-stream stores a directory as `dir/` and reads the name back without the slash.
    const seen: [string, string, number, string | undefined][] = [];
    const summary = await walkTar(chunksOf(tar), async (entry) => {
      seen.push([entry.name, entry.type, entry.size, entry.linkname]);
    }, { maxEntries: 10 });

    assert.deepEqual(seen, [
      ['dir', 'directory', 0, undefined],
      ['dir/file', 'file', 5, undefined],
      ['dir/link', 'symlink', 0, 'file'],
    ]);
    assert.equal(summary.entries, 3);
    assert.equal(summary.endMarker, true);
  });

  test('content read by the handler', async () => {
    const tar = await buildTar([{ name: 'a', content: 'first' }, { name: 'b', content: 'second' }]);
    const contents: string[] = [];
    await walkTar(chunksOf(tar), async (entry: TarEntry) => {
      if (entry.name === 'b') contents.push((await entry.read()).toString());
    }, { maxEntries: 10 });

    assert.deepEqual(contents, ['second']);
  });

  test('handler rejection stops the walk', async () => {
    const tar = await buildTar([{ name: 'a', content: 'x' }, { name: 'b', content: 'y' }]);
    const failure = new Error('handler failed');
    const seen: string[] = [];
    const walk = walkTar(chunksOf(tar), async (entry) => {
      seen.push(entry.name);
      throw failure;
    }, { maxEntries: 10 });

    await assert.rejects(walk, (error: unknown) => error === failure);
    assert.deepEqual(seen, ['a']);
  });

  test('source error passes unchanged', async () => {
    const failure = new Error('source failed');
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(512);
      throw failure;
    }

    await assert.rejects(walkTar(source(), async () => {}, { maxEntries: 10 }), (error: unknown) => error === failure);
  });
});
