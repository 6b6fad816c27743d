import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ImageError } from '../errors.js';
import { memoryLogger } from '../log.js';
import { openImage } from './index.js';
import { LayoutDirectory } from './layout-dir.js';
import { indexJson, temporaryDirectory, tinyImage } from './testdata/archives.js';

const posixOnly = { skip: process.platform === 'win32' ? 'needs symbolic links, FIFOs and /dev' : false };

let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
let counter = 0;

before(async () => {
  directory = await temporaryDirectory();
  await directory.file('outside/secret.txt', 'SECRET-MARKER root:x:0:0\n');
});
after(async () => {
  await directory.dispose();
});

/** Writes a valid one-image OCI layout into a fresh folder and returns its path and member names. */
async function writeLayout(): Promise<{ path: string; index: string; layer: string; config: string }> {
  const image = await tinyImage();
  const path = join(directory.path, `layout${++counter}`);
  const index = indexJson([{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image.manifest.digest, size: image.manifest.size }]);
  await directory.file(join(`layout${counter}`, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await directory.file(join(`layout${counter}`, 'index.json'), index);
  for (const b of [image.layer, image.config, image.manifest]) await directory.file(join(`layout${counter}`, b.member), b.data);
  return { path, index: join(path, 'index.json'), layer: join(path, image.layer.member), config: join(path, image.config.member) };
}

async function replaceWithLink(path: string, target: string): Promise<void> {
  await rm(path, { recursive: true });
  await symlink(target, path);
}

async function openError(path: string): Promise<ImageError> {
  let caught: unknown;
  await assert.rejects(openImage(path), (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof ImageError, `expected ImageError, got ${String(caught)}`);
  return caught;
}

describe('LayoutDirectory links', posixOnly, () => {
  test('index.json links outside', async () => {
    const layout = await writeLayout();
    await replaceWithLink(layout.index, join(directory.path, 'outside', 'secret.txt'));
    const error = await openError(layout.path);
    assert.match(error.message, /index\.json is a symbolic link to .*secret\.txt, which is outside the layout directory/);
    assert.doesNotMatch(error.message, /SECRET-MARKER|root:x/);
  });

  test('config links outside', async () => {
    const layout = await writeLayout();
    await replaceWithLink(layout.config, join(directory.path, 'outside', 'secret.txt'));
    const error = await openError(layout.path);
    assert.match(error.message, /blobs\/sha256\/[a-f0-9]{64} is a symbolic link to .*secret\.txt, which is outside/);
    assert.doesNotMatch(error.message, /SECRET-MARKER/);
  });

  test('blobs folder links outside', async () => {
    const layout = await writeLayout();
    const outsideBlobs = join(directory.path, `blobs${counter}`);
    await directory.file(join(`blobs${counter}`, 'sha256', 'a'.repeat(64)), '{}');
    await replaceWithLink(join(layout.path, 'blobs'), outsideBlobs);
    const files = new LayoutDirectory(layout.path);
    await assert.rejects(files.read(`blobs/sha256/${'a'.repeat(64)}`, 1024), /outside the layout directory/);
  });

  test('link inside the layout', async () => {
    const layout = await writeLayout();
    await directory.file(join(`layout${counter}`, 'copies', 'layer.tar'), await readFile(layout.layer));
    await replaceWithLink(layout.layer, '../../copies/layer.tar');
    const image = await openImage(layout.path);
    try {
      assert.equal(image.layers.length, 1);
    } finally {
      await image.close();
    }
  });

  test('layout reached through a link', async () => {
    const layout = await writeLayout();
    const alias = join(directory.path, `alias${counter}`);
    await symlink(layout.path, alias);
    const image = await openImage(alias);
    await image.close();
    assert.equal(image.layers.length, 1);
  });

  test('link loop', async () => {
    const layout = await writeLayout();
    await replaceWithLink(layout.index, 'index.json');
    const error = await openError(layout.path);
    assert.match(error.message, /index\.json is part of a symbolic link loop/);
  });

  test('dangling link is missing', async () => {
    const layout = await writeLayout();
    await replaceWithLink(layout.index, join(directory.path, 'nothing-here'));
    assert.match((await openError(layout.path)).message, /OCI layout index \(index\.json\) not found/);
  });
});

describe('LayoutDirectory file types', posixOnly, () => {
  test('FIFO index.json is missing', async () => {
    const layout = await writeLayout();
    await rm(layout.index);
    execFileSync('mkfifo', [layout.index]);
    const { logger, records } = memoryLogger();
    const files = new LayoutDirectory(layout.path, logger);
    assert.equal(await files.read('index.json', 1024), undefined);
    assert.equal(await files.open('index.json'), undefined);
    assert.ok(records.some((record) => record.message.startsWith('layout file is not a regular file')));
  });

  test('link to /dev/zero is missing', async () => {
    const layout = await writeLayout();
    await replaceWithLink(layout.index, '/dev/zero');
    const files = new LayoutDirectory(layout.path);
    assert.equal(await files.size('index.json'), undefined);
    assert.equal(await files.read('index.json', 1024), undefined);
  });

  test('read stops at the limit', async () => {
    const layout = await writeLayout();
    const files = new LayoutDirectory(layout.path);
    await assert.rejects(files.read('index.json', 10), /index\.json is \d+ bytes, above the 10-byte limit/);
  });

  test('open streams the file', async () => {
    const layout = await writeLayout();
    const files = new LayoutDirectory(layout.path);
    const stream = await files.open('oci-layout');
    assert.ok(stream);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), '{"imageLayoutVersion":"1.0.0"}');
  });
});
