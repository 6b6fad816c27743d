/**
 * The images the benchmark scans: the shared Debian and real-world images, and the generated large
 * image as an OCI layout and as an OCI archive.
 *
 * @module
 */

import { sharedPath } from '../../src/test-support/shared.js';
import type { LargeImage } from './large-image/generate.js';

/** Target argument for snyk-docker-plugin, or the reason it cannot read the image. */
export type PeerTarget = { readonly path: string } | { readonly unsupported: string };

export interface BenchImage {
  /** Row label, e.g. `debian-bookworm-minbase (docker save)`. */
  readonly name: string;
  /** Archive file or OCI layout directory. */
  readonly input: string;
  /** `--platform` value for multi-platform images. */
  readonly platform?: string;
  readonly peer: PeerTarget;
  /** Image whose layer blobs the decompression floor reads, when they equal this one's; default: `input`. */
  readonly floorInput?: string;
  /** Set for the generated large image, on which the scan targets are judged. */
  readonly largeForm?: 'layout' | 'archive';
}

/** snyk-docker-plugin 9 takes `docker-archive:`, `oci-archive:` and `kaniko-archive:` paths, which must be files. */
const LAYOUT_UNSUPPORTED = 'reads archive files only; rejects an OCI layout directory ("The provided archive path is not a file")';

export function sharedImages(): BenchImage[] {
  return [
    archive('debian-bookworm-minbase (docker save)', sharedPath('images', 'debian-bookworm-minbase', 'docker-save.tar'), 'docker-archive'),
    archive('debian-bookworm-multilayer (OCI archive)', sharedPath('images', 'debian-bookworm-multilayer', 'oci-archive.tar'), 'oci-archive'),
    layout('distroless-style (OCI layout)', sharedPath('images', 'distroless-style', 'oci')),
    { ...layout('multiplatform (OCI layout, linux/amd64)', sharedPath('images', 'multiplatform', 'oci')), platform: 'linux/amd64' },
    archive('alpine 3.10.4 (docker save, .tar.gz)', sharedPath('real-images', 'alpine-3.10.4_docker-save-legacy.tar.gz'), 'docker-archive'),
    archive('busybox 1.31.1 (OCI archive)', sharedPath('real-images', 'busybox-1.31.1_oci-archive.tar'), 'oci-archive'),
    archive('hello-world (Docker 25 save)', sharedPath('real-images', 'hello-world_docker25-save.tar'), 'docker-archive'),
  ];
}

export function largeImages(image: LargeImage): BenchImage[] {
  return [
    { ...layout('large (OCI layout)', image.layoutDir), largeForm: 'layout' },
    { ...archive('large (OCI archive)', image.archivePath, 'oci-archive'), floorInput: image.layoutDir, largeForm: 'archive' },
  ];
}

function archive(name: string, input: string, kind: 'docker-archive' | 'oci-archive'): BenchImage {
  return { name, input, peer: { path: `${kind}:${input}` } };
}

function layout(name: string, input: string): BenchImage {
  return { name, input, peer: { unsupported: LAYOUT_UNSUPPORTED } };
}
