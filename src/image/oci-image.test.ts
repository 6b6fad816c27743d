import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ImageError } from '../errors.js';
import { memoryLogger } from '../log.js';
import type { Platform } from '../types.js';
import { MAX_INDEX_DESCRIPTORS } from './index-walk.js';
import { resolveOciImage } from './oci-image.js';
import type { ResolveOptions } from './resolved.js';
import { blob, indexJson, tinyImage, type Blob } from './testdata/archives.js';
import { MemoryFiles } from './testdata/memory-files.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const AMD64: Platform = { os: 'linux', architecture: 'amd64' };

function options(): ResolveOptions {
  return { host: AMD64, logger: memoryLogger().logger };
}

function layoutFiles(index: string, blobs: readonly Blob[]): MemoryFiles {
  return new MemoryFiles([['index.json', index], ...blobs.map((b): [string, Buffer] => [b.member, b.data])]);
}

function descriptorOf(b: Blob, mediaType: string, annotations?: Record<string, string>): object {
  return { mediaType, digest: b.digest, size: b.size, ...(annotations === undefined ? {} : { annotations }) };
}

/** Returns an index blob that lists `child` `copies` times. */
function fanOutIndex(child: object, copies: number): Blob {
  return blob({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: Array.from({ length: copies }, () => child) });
}

async function rejectsWith(files: MemoryFiles, pattern: RegExp): Promise<void> {
  await assert.rejects(resolveOciImage(files, options()), (error: unknown) => {
    assert.ok(error instanceof ImageError, `expected ImageError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('resolveOciImage index walk', () => {
  test('fan-out reads each index once', async () => {
    const image = await tinyImage();
    const indexes: Blob[] = [];
    let child = descriptorOf(image.manifest, OCI_MANIFEST);
    for (let level = 0; level < 4; level++) {
      const index = fanOutIndex(child, 60);
      indexes.push(index);
      child = descriptorOf(index, OCI_INDEX);
    }
    const files = layoutFiles(indexJson([child]), [...indexes, image.layer, image.config, image.manifest]);

    const resolved = await resolveOciImage(files, options());
    assert.equal(resolved.manifestDigest, image.manifest.digest);
    for (const index of indexes) assert.equal(files.reads.get(index.member), 1, `reads of ${index.digest}`);
  });

  test('shared config read once', async () => {
    // The index names no platforms, so each manifest's platform comes from its config. Fifty
    // top-level images of one platform are ambiguous, but only after every platform is known.
    const image = await tinyImage();
    const manifests = Array.from({ length: 50 }, (_, i) =>
      blob({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { digest: image.config.digest, size: image.config.size }, layers: [], annotations: { n: String(i) } }),
    );
    const files = layoutFiles(indexJson(manifests.map((m) => descriptorOf(m, OCI_MANIFEST))), [image.config, ...manifests]);

    await rejectsWith(files, /50 different images match platform linux\/amd64/);
    assert.equal(files.reads.get(image.config.member), 1);
  });

  test('too many descriptors', async () => {
    const image = await tinyImage();
    const files = layoutFiles(indexJson(Array.from({ length: MAX_INDEX_DESCRIPTORS + 1 }, () => descriptorOf(image.manifest, OCI_MANIFEST))), [image.manifest]);
    await rejectsWith(files, new RegExp(`image indexes list more than ${MAX_INDEX_DESCRIPTORS} manifests in all \\(limit reached at index\\.json\\)`));
    assert.equal(files.reads.get(image.manifest.member), undefined);
  });

  test('descriptors counted across indexes', async () => {
    const image = await tinyImage();
    const half = Math.ceil(MAX_INDEX_DESCRIPTORS / 2) + 1;
    const first = fanOutIndex(descriptorOf(image.manifest, OCI_MANIFEST), half);
    const second = blob({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: Array.from({ length: half }, () => descriptorOf(image.manifest, OCI_MANIFEST)), annotations: { second: 'yes' } });
    const files = layoutFiles(indexJson([descriptorOf(first, OCI_INDEX), descriptorOf(second, OCI_INDEX)]), [first, second, image.manifest]);
    await rejectsWith(files, new RegExp(`limit reached at image index ${second.digest}`));
  });

  test('revisited index nests too deep', async () => {
    // x1 -> x2 -> x3 -> manifest is 3 levels below index.json; reached again through y1 -> y2, it is 5.
    const image = await tinyImage();
    const x3 = fanOutIndex(descriptorOf(image.manifest, OCI_MANIFEST), 1);
    const x2 = fanOutIndex(descriptorOf(x3, OCI_INDEX), 1);
    const x1 = fanOutIndex(descriptorOf(x2, OCI_INDEX), 1);
    const y2 = fanOutIndex(descriptorOf(x1, OCI_INDEX), 1);
    const y1 = fanOutIndex(descriptorOf(y2, OCI_INDEX), 1);
    const blobs = [x1, x2, x3, y1, y2, image.layer, image.config, image.manifest];

    await resolveOciImage(layoutFiles(indexJson([descriptorOf(x1, OCI_INDEX)]), blobs), options());
    await rejectsWith(layoutFiles(indexJson([descriptorOf(x1, OCI_INDEX), descriptorOf(y1, OCI_INDEX)]), blobs), /image indexes nest deeper than 4 levels/);
  });

  test('names from every top entry', async () => {
    // Both top-level entries lead to the same nested index, one of them through a second index.
    const image = await tinyImage();
    const shared = fanOutIndex(descriptorOf(image.manifest, OCI_MANIFEST), 2);
    const outer = fanOutIndex(descriptorOf(shared, OCI_INDEX), 3);
    const index = indexJson([
      descriptorOf(shared, OCI_INDEX, { 'io.containerd.image.name': 'example.com/a:1' }),
      descriptorOf(outer, OCI_INDEX, { 'io.containerd.image.name': 'example.com/b:2' }),
      descriptorOf(image.manifest, OCI_MANIFEST, { 'org.opencontainers.image.ref.name': 'example.com/a:1' }),
    ]);
    const files = layoutFiles(index, [shared, outer, image.layer, image.config, image.manifest]);

    const resolved = await resolveOciImage(files, options());
    assert.deepEqual(resolved.repoTags, ['example.com/a:1', 'example.com/b:2']);
    assert.equal(files.reads.get(shared.member), 1);
  });
});
