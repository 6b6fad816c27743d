/**
 * Every real image archive and layout in the shared test material, scanned end to end: package
 * sets against the expected lists, layer attribution, platforms, and the broken archives.
 */

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { buildDatabase } from './db/build.js';
import { LayerError, StrataError } from './errors.js';
import type { ScanResult } from './report/result.js';
import { scanImage } from './scan.js';
import { sharedPath, skipUnlessShared } from './test-support/shared.js';

const DEBIAN_SAMPLE = 'feeds/upstream-format-samples/tests/unit/providers/debian/test-fixtures/input/debian.json';

/** Reads an expected-dpkg.tsv into sorted `name version arch source source_version` rows. */
async function expectedPackages(path: string): Promise<string[]> {
  const lines = (await readFile(sharedPath(path), 'utf8')).trim().split('\n').slice(1);
  return lines.map((line) => line.split('\t').join(' ')).sort();
}

function packageRows(result: ScanResult): string[] {
  return result.packages.map((p) => [p.name, p.version, p.arch ?? '', p.srcName, p.srcVersion].join(' ')).sort();
}

describe('shared images', skipUnlessShared('images', 'real-images', DEBIAN_SAMPLE), () => {
  let work: string;
  let databaseDir: string;
  const scan = (input: string, platform?: string) =>
    scanImage({ input: sharedPath(input), databaseDir, cache: { cacheDir: '' }, ...(platform === undefined ? {} : { platform }) });

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-images-'));
    databaseDir = join(work, 'cache');
    await buildDatabase({ cacheDir: databaseDir, sources: [{ kind: 'debian-tracker', path: sharedPath(DEBIAN_SAMPLE) }], scannerVersion: 'test' });
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const packageSets: { input: string; expected: string; platform?: string }[] = [
    { input: 'images/debian-bookworm-minbase/docker-save.tar', expected: 'images/debian-bookworm-minbase/expected-dpkg.tsv' },
    { input: 'images/debian-bookworm-multilayer/oci-archive.tar', expected: 'images/debian-bookworm-multilayer/expected-dpkg.tsv' },
    { input: 'images/distroless-style/oci', expected: 'images/distroless-style/expected-dpkg.tsv' },
    { input: 'images/distroless-style/docker-save-legacy.tar.gz', expected: 'images/distroless-style/expected-dpkg.tsv' },
    { input: 'images/multiplatform/oci', expected: 'images/multiplatform/expected-dpkg-linux-amd64.tsv', platform: 'linux/amd64' },
    { input: 'images/multiplatform/oci', expected: 'images/multiplatform/expected-dpkg-linux-arm64.tsv', platform: 'linux/arm64/v8' },
  ];
  for (const { input, expected, platform } of packageSets) {
    it(`packages of ${input}${platform === undefined ? '' : ` ${platform}`}`, async () => {
      const result = await scan(input, platform);
      assert.deepEqual(packageRows(result), await expectedPackages(expected));
      assert.equal(result.os?.family, 'debian');
      assert.equal(result.os?.name, '12');
    });
  }

  it('multilayer: curl is gone and each package has its layer', async () => {
    const result = await scan('images/debian-bookworm-multilayer/oci-archive.tar');
    assert.equal(result.packages.find((p) => p.name === 'curl'), undefined);
    assert.ok(result.packages.some((p) => p.name === 'libcurl4'));

    // A package of the base image keeps the base layer; every other one came with the install step.
    const base = new Set(await expectedPackages('images/debian-bookworm-minbase/expected-dpkg.tsv'));
    const [baseLayer, installLayer] = result.image.layers;
    for (const pkg of result.packages) {
      const row = [pkg.name, pkg.version, pkg.arch ?? '', pkg.srcName, pkg.srcVersion].join(' ');
      const expectedLayer = base.has(row) ? baseLayer : installLayer;
      assert.equal(pkg.layer.diffID, expectedLayer?.diffID, `${pkg.name} attributed to layer ${pkg.layer.index}`);
    }
    assert.match(installLayer?.createdBy ?? '', /apt-get install -y --no-install-recommends curl openssl/);
  });

  it('distroless: packages come from status.d', async () => {
    // The image has no var/lib/dpkg/status, so every package was read from status.d.
    const result = await scan('images/distroless-style/oci');
    assert.ok(result.packages.length > 0);
    assert.deepEqual([...new Set(result.packages.map((p) => p.type))], ['dpkg']);
    assert.equal(result.os?.prettyName, 'Distroless');
  });

  it('multiplatform: platforms differ in architecture', async () => {
    const amd64 = await scan('images/multiplatform/oci', 'linux/amd64');
    const arm64 = await scan('images/multiplatform/oci', 'linux/arm64');
    assert.equal(amd64.image.platform?.architecture, 'amd64');
    assert.equal(arm64.image.platform?.architecture, 'arm64');
    assert.notEqual(amd64.image.imageID, arm64.image.imageID);
  });

  it('multiplatform: a missing platform lists those present', async () => {
    await assert.rejects(scan('images/multiplatform/oci', 'linux/s390x'), (error: unknown) => {
      assert.ok(error instanceof StrataError);
      assert.match(error.message, /linux\/amd64/);
      assert.match(error.message, /linux\/arm64/);
      assert.doesNotMatch(error.message, /unknown/);
      return true;
    });
  });

  const broken = [
    'truncated-layer-blob.oci-archive.tar',
    'layer-digest-mismatch.oci-archive.tar',
    'truncated-archive.oci-archive.tar',
    'truncated-layer.docker-save.tar',
    'diffid-mismatch.docker-save.tar',
  ];
  for (const name of broken) {
    it(`broken archive rejected: ${name}`, async () => {
      await assert.rejects(scan(`images/broken/${name}`), (error: unknown) => {
        assert.ok(error instanceof StrataError, String(error));
        assert.doesNotMatch(error.message, /\n/);
        // The message names the layer: its index and digest, or the blob the layer is stored in.
        assert.match(error.message, /layer|blobs\/sha256\//);
        if (error instanceof LayerError) assert.equal(error.layer.index, 0);
        return true;
      });
    });
  }

  it('broken archive: valid-tiny scans', async () => {
    const result = await scan('images/broken/valid-tiny.oci-archive.tar');
    assert.deepEqual(
      result.packages.map((p) => p.name),
      ['base-files', 'netbase'],
    );
  });

  const realImages: { input: string; os?: string; packages: number }[] = [
    { input: 'real-images/alpine-3.10.4_docker-save-legacy.tar.gz', os: 'alpine 3.10.4', packages: 14 },
    { input: 'real-images/busybox-1.31.1_oci-archive.tar', packages: 0 },
    { input: 'real-images/busybox_containerd-export_with-attestation.tar', packages: 0 },
    { input: 'real-images/hello-world_docker25-save.tar', packages: 0 },
  ];
  for (const { input, os, packages } of realImages) {
    it(`real image scans: ${input}`, async () => {
      const result = await scan(input);
      assert.equal(result.os === undefined ? undefined : `${result.os.family} ${result.os.name}`, os);
      assert.equal(result.packages.length, packages);
      assert.ok(result.image.layers.length > 0);
    });
  }
});
