import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, test } from 'node:test';

import { ImageError, LayerError, PlatformNotFoundError } from '../errors.js';
import { sharedPath, skipUnlessShared } from '../test-support/shared.js';
import type { LayerDescriptor } from '../types.js';
import { openImage, type ImageSource } from './index.js';
import { formatPlatform, hostPlatform, platformMatches } from './platform.js';
import { readSmallMembers, temporaryDirectory } from './testdata/archives.js';

async function sha256OfStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function withImage<T>(path: string, options: { platform?: string }, use: (image: ImageSource) => Promise<T>): Promise<T> {
  const image = await openImage(path, options);
  try {
    return await use(image);
  } finally {
    await image.close();
  }
}

/** Values read from the files with tar, jq and sha256sum; each row is one real archive or layout. */
interface RealCase {
  readonly path: string;
  readonly format: ImageSource['format'];
  readonly imageID: string;
  readonly manifestDigest?: string;
  readonly repoTags: readonly string[];
  readonly platform: string;
  readonly layers: readonly { digest?: string; diffID: string; createdBy: string }[];
}

const REAL_CASES: readonly RealCase[] = [
  {
    path: 'images/debian-bookworm-minbase/docker-save.tar',
    format: 'docker-archive',
    imageID: 'sha256:505578fd4dc7a2c6baf953140d0991cf30af70831f55163fd4ffe460bb49adb9',
    manifestDigest: 'sha256:7d3a9e7f33502b3a54b96c447c80715c3d2ce25527c279759fcadde4b1e21c84',
    repoTags: ['fixtures/debian-bookworm-minbase:latest'],
    platform: 'linux/amd64',
    layers: [
      {
        digest: 'sha256:e86f37116f1bd2ef8babf4da22209feee6a908fbded6ce00bc4ade987c994f5f',
        diffID: 'sha256:e83aeba65fbc1b935a005645f816dfd8e71ae7b73e24e341dd8b749680bc4f60',
        createdBy: '/bin/sh -c #(nop) ADD file:e83aeba65fbc1b935a005645f816dfd8e71ae7b73e24e341dd8b749680bc4f60 in / ',
      },
    ],
  },
  {
    path: 'images/debian-bookworm-multilayer/oci-archive.tar',
    format: 'oci-archive',
    imageID: 'sha256:bca42d4706f686bef502b293fd055e132bfbc265b0a75bfafbd14d2472ba1951',
    manifestDigest: 'sha256:5b3660def1514c978044dae62c155278eb2d251821228d0762462cf981cf5632',
    repoTags: [],
    platform: 'linux/amd64',
    layers: [
      {
        digest: 'sha256:e86f37116f1bd2ef8babf4da22209feee6a908fbded6ce00bc4ade987c994f5f',
        diffID: 'sha256:e83aeba65fbc1b935a005645f816dfd8e71ae7b73e24e341dd8b749680bc4f60',
        createdBy: '/bin/sh -c #(nop) ADD file:e83aeba65fbc1b935a005645f816dfd8e71ae7b73e24e341dd8b749680bc4f60 in / ',
      },
      {
        digest: 'sha256:701404cd33c05aa6a4496c7631670729a5c7a5e0b1c6a435d7185b1a2fe4c3a6',
        diffID: 'sha256:fbcf0bf1ed38b40ad26002c4ecddf5587a4f29224e1a0a50f0168a2eff7f06c9',
        createdBy:
          '/bin/sh -c --mount=type=bind,source=app-v1,target=/src     apt-get update  && apt-get install -y --no-install-recommends curl openssl  && apt-get clean  && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt/* /var/log/dpkg.log /var/log/alternatives.log /var/cache/ldconfig/aux-cache  && mkdir -p /opt/app && cp -a /src/. /opt/app/',
      },
      {
        digest: 'sha256:032a40ec23c4c164bc548142b7d9494363c169ca89b66024ebab66e9f0c0aeea',
        diffID: 'sha256:4833ee5294fe64fd9a3215853fd7c56846ecef30d70c64fb631744df0f1cb828',
        createdBy:
          '/bin/sh -c --mount=type=bind,source=app-v2,target=/src     apt-get purge -y curl  && apt-get clean && rm -rf /var/cache/apt/*.bin /var/log/apt/* /var/log/dpkg.log /var/log/alternatives.log  && rm -f /etc/motd  && rm -rf /opt/app && mkdir -p /opt/app && cp -a /src/. /opt/app/',
      },
    ],
  },
  {
    path: 'images/distroless-style/oci',
    format: 'oci-layout',
    imageID: 'sha256:5a8aae495557d622a1217602f318495dd6febb3d21dbbbe61126490768a0a37d',
    manifestDigest: 'sha256:b39c565549d16dc53a7f67d904148f20c1cd22b69947151fe490396300513e14',
    repoTags: [],
    platform: 'linux/amd64',
    layers: [
      {
        digest: 'sha256:1936d1f5d7bf27698fe6484777aa2b6b01dbad09e50837a1e8e68d2c51d7ff9f',
        diffID: 'sha256:80fe3d3c697e9039bbdeab85d37950d48250916b76b7ee3ebca11c36d5b0ab22',
        createdBy: 'bazel build //base:base_nonroot_amd64_debian12',
      },
    ],
  },
  {
    path: 'images/distroless-style/docker-save-legacy.tar.gz',
    format: 'docker-archive',
    imageID: 'sha256:5a8aae495557d622a1217602f318495dd6febb3d21dbbbe61126490768a0a37d',
    repoTags: ['docker.io/fixtures/distroless-style:latest'],
    platform: 'linux/amd64',
    layers: [{ diffID: 'sha256:80fe3d3c697e9039bbdeab85d37950d48250916b76b7ee3ebca11c36d5b0ab22', createdBy: 'bazel build //base:base_nonroot_amd64_debian12' }],
  },
  {
    path: 'real-images/alpine-3.10.4_docker-save-legacy.tar.gz',
    format: 'docker-archive',
    imageID: 'sha256:af341ccd2df8b0e2d67cf8dd32e087bfda4e5756ebd1c76bbf3efa0dc246590e',
    repoTags: ['alpine:3.10'],
    platform: 'linux/amd64',
    layers: [
      {
        diffID: 'sha256:531743b7098cb2aaf615641007a129173f63ed86ca32fe7b5a246a1c47286028',
        createdBy: '/bin/sh -c #(nop) ADD file:d48cac34fac385cbc1de6adfdd88300f76f9bbe346cd17e64fd834d042a98326 in / ',
      },
    ],
  },
  {
    path: 'real-images/busybox-1.31.1_oci-archive.tar',
    format: 'oci-archive',
    imageID: 'sha256:2f2d4db2ef818c1c897eb71421e8a250daf19e21a4ec4c00a549b16ed0c2b46b',
    manifestDigest: 'sha256:320034a9c54581568f3df5587ab46296bdd3eb06435fd7c9dd567bbb71bf0b36',
    repoTags: [],
    platform: 'linux/amd64',
    layers: [
      {
        digest: 'sha256:76df9210b28cbd4bc127844914d0a23937ed213048dc6289b2a2d4f7d675c75e',
        diffID: 'sha256:1be74353c3d0fd55fb5638a52953e6f1bc441e5b1710921db9ec2aa202725569',
        createdBy: '/bin/sh -c #(nop) ADD file:a84c53d2fe5207d17b5110e1eeeff0ab5d7ca831d743070eab1e87dc74129049 in / ',
      },
    ],
  },
  {
    path: 'real-images/busybox_containerd-export_with-attestation.tar',
    format: 'docker-archive',
    imageID: 'sha256:0f7981b59ce1b84d8ab35f636be2d5a3f94c83a9e1759ae8718f0b415285e402',
    manifestDigest: 'sha256:cf7d823e4eea96316ae629fb9a45b4211869162a5f5dc1654928c7ca530ed810',
    repoTags: ['foo/bar:v3'],
    platform: 'linux/arm64',
    layers: [
      {
        digest: 'sha256:189fdd1508372905e80cc3edcdb56cdc4fa216aebef6f332dd3cba6e300238ea',
        diffID: 'sha256:9fa34069244e8a974713718183d81b5ef71c85f5702fe958ffde16b77361f425',
        createdBy: 'BusyBox 1.37.0 (glibc), Debian 12',
      },
    ],
  },
  {
    path: 'real-images/hello-world_docker25-save.tar',
    format: 'docker-archive',
    imageID: 'sha256:d2c94e258dcb3c5ac2798d32e1249e42ef01cba4841c2234249495f87264ac5a',
    manifestDigest: 'sha256:8876a860b8c40b280440ed7678ba677f5a3cb972fddde4198a9a5e159184732f',
    repoTags: ['hello-world:latest'],
    platform: 'linux/amd64',
    layers: [
      {
        digest: 'sha256:ac28800ec8bb38d5c35b49d45a6ac4777544941199075dff8c4eb63e093aa81e',
        diffID: 'sha256:ac28800ec8bb38d5c35b49d45a6ac4777544941199075dff8c4eb63e093aa81e',
        createdBy: 'COPY hello / # buildkit',
      },
    ],
  },
];

describe('openImage on real images', () => {
  for (const row of REAL_CASES) {
    test(row.path, skipUnlessShared(row.path), async () => {
      await withImage(sharedPath(row.path), {}, async (image) => {
        assert.equal(image.format, row.format);
        assert.equal(image.artifactName, sharedPath(row.path));
        assert.equal(image.imageID, row.imageID);
        assert.equal(image.manifestDigest, row.manifestDigest);
        assert.deepEqual(image.repoTags, row.repoTags);
        assert.deepEqual(image.repoDigests, []);
        assert.equal(image.platform === undefined ? undefined : formatPlatform(image.platform), row.platform);
        assert.equal(image.layers.length, row.layers.length);
        image.layers.forEach((layer, i) => {
          const expected = row.layers[i];
          assert.equal(layer.index, i);
          assert.equal(layer.digest, expected?.digest);
          assert.equal(layer.diffID, expected?.diffID);
          assert.equal(layer.createdBy, expected?.createdBy);
        });
        assert.deepEqual(image.config.rootfs.diff_ids, row.layers.map((layer) => layer.diffID));
      });
    });
  }

  // The reference values come from tar-stream or the file system, not from the readers under test.
  for (const row of REAL_CASES) {
    test(`${row.path} matches reference`, skipUnlessShared(row.path), async () => {
      const path = sharedPath(row.path);
      const members = row.format === 'oci-layout' ? undefined : await readSmallMembers(path);
      const member = async (name: string): Promise<Buffer | undefined> =>
        members === undefined ? readFile(join(path, name)) : members.get(name);

      await withImage(path, {}, async (image) => {
        const hex = image.imageID.slice('sha256:'.length);
        const configBytes = (await member(`blobs/sha256/${hex}`)) ?? (await member(`${hex}.json`));
        assert.ok(configBytes, 'config member found by its digest');
        assert.equal(sha256(configBytes), image.imageID);
        const config = JSON.parse(configBytes.toString('utf8')) as { rootfs: { diff_ids: string[] } };
        assert.deepEqual(image.config.rootfs.diff_ids, config.rootfs.diff_ids);

        if (image.manifestDigest !== undefined) {
          const manifestBytes = await member(`blobs/sha256/${image.manifestDigest.slice('sha256:'.length)}`);
          assert.ok(manifestBytes, 'manifest member found by its digest');
          assert.equal(sha256(manifestBytes), image.manifestDigest);
          const manifest = JSON.parse(manifestBytes.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
          assert.equal(manifest.config.digest, image.imageID);
          assert.deepEqual(image.layers.map((layer) => layer.digest), manifest.layers.map((layer) => layer.digest));
        }
      });
    });
  }

  for (const row of REAL_CASES) {
    test(`${row.path} layer bytes`, skipUnlessShared(row.path), async () => {
      await withImage(sharedPath(row.path), {}, async (image) => {
        // Layers stream in parallel; each must hash to its digest, or to its diffID when stored uncompressed.
        const hashes = await Promise.all(image.layers.map(async (layer) => sha256OfStream(await image.openLayer(layer))));
        image.layers.forEach((layer, i) => {
          assert.equal(hashes[i], layer.digest ?? layer.diffID, `layer ${i}`);
        });
      });
    });
  }
});

describe('openImage platform selection', () => {
  const multi = 'images/multiplatform/oci';
  const amd64 = 'sha256:4bef3fc33ad85a4c83f7ed701bb2260bfb4787a0d46cae87bbb9e7bed1a2dc8c';
  const arm64 = 'sha256:f0c152d6e976686986453fe92bc99c2af4c3c8fbb4fab880b1fc983edec8c88f';

  const requests: [string, string, string][] = [
    ['linux/amd64', amd64, 'linux/amd64'],
    ['linux/arm64', arm64, 'linux/arm64/v8'],
    ['linux/arm64/v8', arm64, 'linux/arm64/v8'],
    ['linux/aarch64', arm64, 'linux/arm64/v8'],
  ];
  for (const [platform, manifest, reported] of requests) {
    test(`multiplatform ${platform}`, skipUnlessShared(multi), async () => {
      await withImage(sharedPath(multi), { platform }, async (image) => {
        assert.equal(image.manifestDigest, manifest);
        assert.equal(formatPlatform(image.platform ?? { os: '', architecture: '' }), reported);
        assert.equal(image.layers.length, 1);
        assert.equal(image.layers[0]?.createdBy?.startsWith('/bin/sh -c #(nop) ADD file:'), true);
      });
    });
  }

  test('multiplatform default is host', skipUnlessShared(multi), async () => {
    const host = hostPlatform();
    const offered: [string, string][] = [
      ['linux/amd64', amd64],
      ['linux/arm64/v8', arm64],
    ];
    const expected = offered.find(([platform]) => platformMatches(host, { os: 'linux', architecture: platform.split('/')[1] ?? '' }));
    if (expected === undefined) {
      await assert.rejects(openImage(sharedPath(multi)), PlatformNotFoundError);
      return;
    }
    await withImage(sharedPath(multi), {}, async (image) => {
      assert.equal(image.manifestDigest, expected[1]);
    });
  });

  for (const platform of ['linux/s390x', 'unknown/unknown', 'linux/arm64/v7']) {
    test(`multiplatform rejects ${platform}`, skipUnlessShared(multi), async () => {
      await assert.rejects(openImage(sharedPath(multi), { platform }), (error: unknown) => {
        assert.ok(error instanceof PlatformNotFoundError);
        assert.equal(error.requested, platform);
        // Attestation manifests (unknown/unknown) are never offered.
        assert.deepEqual(error.available, ['linux/amd64', 'linux/arm64/v8']);
        assert.match(error.message, /--platform/);
        return true;
      });
    });
  }

  const busybox = 'real-images/busybox_containerd-export_with-attestation.tar';
  test('arm64-only default picks it', skipUnlessShared(busybox), async () => {
    await withImage(sharedPath(busybox), {}, async (image) => {
      assert.equal(image.manifestDigest, 'sha256:cf7d823e4eea96316ae629fb9a45b4211869162a5f5dc1654928c7ca530ed810');
    });
  });

  test('arm64-only rejects amd64', skipUnlessShared(busybox), async () => {
    await assert.rejects(openImage(sharedPath(busybox), { platform: 'linux/amd64' }), (error: unknown) => {
      assert.ok(error instanceof PlatformNotFoundError);
      assert.deepEqual(error.available, ['linux/arm64']);
      return true;
    });
  });

  test('arm64-only accepts arm64/v8', skipUnlessShared(busybox), async () => {
    await withImage(sharedPath(busybox), { platform: 'linux/arm64/v8' }, async (image) => {
      assert.equal(image.platform?.architecture, 'arm64');
    });
  });

  const single: [string, string][] = [
    ['real-images/busybox-1.31.1_oci-archive.tar', 'linux/arm64'],
    ['real-images/alpine-3.10.4_docker-save-legacy.tar.gz', 'linux/arm64'],
    ['real-images/hello-world_docker25-save.tar', 'windows/amd64'],
  ];
  for (const [path, platform] of single) {
    test(`single image rejects ${platform}: ${path}`, skipUnlessShared(path), async () => {
      await assert.rejects(openImage(sharedPath(path), { platform }), (error: unknown) => {
        assert.ok(error instanceof PlatformNotFoundError);
        assert.deepEqual(error.available, ['linux/amd64']);
        return true;
      });
    });
  }

  test('invalid --platform', skipUnlessShared(multi), async () => {
    await assert.rejects(openImage(sharedPath(multi), { platform: 'amd64' }), { code: 'INVALID_ARGUMENT' });
  });
});

describe('openImage on broken archives', () => {
  const truncated = 'images/broken/truncated-archive.oci-archive.tar';
  test('truncated archive names the layer blob', skipUnlessShared(truncated), async () => {
    await assert.rejects(openImage(sharedPath(truncated)), (error: unknown) => {
      assert.ok(error instanceof ImageError);
      assert.match(error.message, /truncated inside member blobs\/sha256\/11270951bfc38f703026da34ee5aeeddeb92be5c4fbf0c45566a229cc9121e71/);
      assert.match(error.message, /of 74077 bytes present/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  });

  // These open, because only the layer bytes are wrong; the layer reader detects them by hashing.
  const layerDefects: [string, keyof LayerDescriptor][] = [
    ['images/broken/truncated-layer-blob.oci-archive.tar', 'digest'],
    ['images/broken/layer-digest-mismatch.oci-archive.tar', 'digest'],
    ['images/broken/truncated-layer.docker-save.tar', 'diffID'],
    ['images/broken/diffid-mismatch.docker-save.tar', 'diffID'],
  ];
  for (const [path, field] of layerDefects) {
    test(`opens ${path}`, skipUnlessShared(path), async () => {
      await withImage(sharedPath(path), {}, async (image) => {
        const [layer] = image.layers;
        assert.ok(layer);
        assert.notEqual(await sha256OfStream(await image.openLayer(layer)), layer[field]);
      });
    });
  }

  const valid = 'images/broken/valid-tiny.oci-archive.tar';
  test('valid original opens', skipUnlessShared(valid), async () => {
    await withImage(sharedPath(valid), {}, async (image) => {
      const [layer] = image.layers;
      assert.ok(layer);
      assert.equal(await sha256OfStream(await image.openLayer(layer)), layer.digest);
    });
  });

  const alpine = 'real-images/alpine-3.10.4_docker-save-legacy.tar.gz';
  test('truncated gzip archive', skipUnlessShared(alpine), async () => {
    const whole = await readFile(sharedPath(alpine));
    const directory = await temporaryDirectory();
    try {
      const path = await directory.file('cut.tar.gz', whole.subarray(0, Math.floor(whole.length * 0.6)));
      await assert.rejects(openImage(path), (error: unknown) => {
        assert.ok(error instanceof ImageError);
        assert.match(error.message, /truncated inside member 71dba1fabbde4baabcdebcde4895d3f3887e388b09cef162f8159cf7daffa1b8\/layer\.tar/);
        return true;
      });
    } finally {
      await directory.dispose();
    }
  });

  test('openLayer rejects a foreign layer', skipUnlessShared(valid), async () => {
    await withImage(sharedPath(valid), {}, async (image) => {
      const foreign: LayerDescriptor = { index: 0, diffID: `sha256:${'0'.repeat(64)}` };
      await assert.rejects(image.openLayer(foreign), LayerError);
    });
  });
});
