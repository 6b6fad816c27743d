import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { LayerAnalysis, LayerDescriptor, Package, PackageDatabase } from '../types.js';
import { applyLayers, type AnalyzedLayer } from './apply.js';

const DEBIAN_12 = 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';

function pkg(name: string, version: string): Package {
  return { name, version, arch: 'amd64', srcName: name, srcVersion: version };
}

function dpkgStatus(...packages: Package[]): PackageDatabase {
  return { type: 'dpkg', path: 'var/lib/dpkg/status', packages };
}

function layer(index: number, analysis: Partial<LayerAnalysis>): AnalyzedLayer {
  const descriptor: LayerDescriptor = { index, digest: `sha256:${String(index).repeat(64)}`, diffID: `sha256:${String(index + 1).repeat(64)}` };
  return {
    descriptor,
    analysis: {
      diffID: descriptor.diffID,
      osFiles: {},
      packageDatabases: [],
      whiteouts: [],
      opaqueDirs: [],
      unknowns: [],
      analyzers: {},
      ...analysis,
    },
  };
}

function summary(layers: AnalyzedLayer[]): string[] {
  return applyLayers(layers).packages.map((p) => `${p.name}@${p.version}:${p.layer.index}`);
}

describe('applyLayers', () => {
  it('attributes a package to the lowest layer listing it', () => {
    const layers = [
      layer(0, { osFiles: { 'etc/os-release': DEBIAN_12 }, packageDatabases: [dpkgStatus(pkg('libc6', '2.36-9'))] }),
      layer(1, { packageDatabases: [dpkgStatus(pkg('libc6', '2.36-9'), pkg('curl', '7.88.1-10'))] }),
    ];
    assert.deepEqual(summary(layers), ['curl@7.88.1-10:1', 'libc6@2.36-9:0']);
  });

  it('attributes an upgraded package to the upgrading layer', () => {
    const layers = [
      layer(0, { packageDatabases: [dpkgStatus(pkg('libssl3', '3.0.11-1'))] }),
      layer(1, { packageDatabases: [dpkgStatus(pkg('libssl3', '3.0.15-1'))] }),
    ];
    assert.deepEqual(summary(layers), ['libssl3@3.0.15-1:1']);
  });

  it('drops packages removed by a later database', () => {
    const layers = [
      layer(0, { packageDatabases: [dpkgStatus(pkg('curl', '7.88.1-10'), pkg('libc6', '2.36-9'))] }),
      layer(1, { packageDatabases: [dpkgStatus(pkg('libc6', '2.36-9'))] }),
    ];
    assert.deepEqual(summary(layers), ['libc6@2.36-9:0']);
  });

  it('applies a whiteout of the database', () => {
    const layers = [
      layer(0, { packageDatabases: [dpkgStatus(pkg('libc6', '2.36-9'))] }),
      layer(1, { whiteouts: ['var/lib/dpkg/status'] }),
    ];
    assert.deepEqual(summary(layers), []);
  });

  it('applies a whiteout of a parent directory', () => {
    const layers = [
      layer(0, { packageDatabases: [dpkgStatus(pkg('libc6', '2.36-9'))] }),
      layer(1, { whiteouts: ['var/lib/dpkg'] }),
    ];
    assert.deepEqual(summary(layers), []);
  });

  it('applies an opaque directory to lower layers only', () => {
    const lower: PackageDatabase = { type: 'dpkg', path: 'var/lib/dpkg/status.d/base', packages: [pkg('base-files', '12.4')] };
    const upper: PackageDatabase = { type: 'dpkg', path: 'var/lib/dpkg/status.d/libc6', packages: [pkg('libc6', '2.36-9')] };
    const layers = [layer(0, { packageDatabases: [lower] }), layer(1, { opaqueDirs: ['var/lib/dpkg/status.d'], packageDatabases: [upper] })];
    assert.deepEqual(summary(layers), ['libc6@2.36-9:1']);
  });

  it('keeps a file the same layer writes after its whiteout', () => {
    const layers = [
      layer(0, { packageDatabases: [dpkgStatus(pkg('libc6', '2.36-9'))] }),
      layer(1, { whiteouts: ['var/lib/dpkg/status'], packageDatabases: [dpkgStatus(pkg('libc6', '2.36-9'), pkg('zlib1g', '1.2.13'))] }),
    ];
    assert.deepEqual(summary(layers), ['libc6@2.36-9:0', 'zlib1g@1.2.13:1']);
  });

  it('detects the OS from the visible release files', () => {
    const layers = [
      layer(0, { osFiles: { 'etc/os-release': 'ID=alpine\nVERSION_ID=3.10.4\n', 'usr/lib/os-release': DEBIAN_12 } }),
      layer(1, { whiteouts: ['etc/os-release'] }),
    ];
    const view = applyLayers(layers);
    assert.equal(view.os?.family, 'debian');
    assert.equal(view.os?.name, '12');
  });

  it('builds purls with the detected distro', () => {
    const layers = [
      layer(0, { osFiles: { 'etc/os-release': DEBIAN_12 }, packageDatabases: [dpkgStatus(pkg('libc6', '2.36-9+deb12u14'))] }),
    ];
    const [libc] = applyLayers(layers).packages;
    assert.equal(libc?.purl, 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12');
  });

  it('moves a deb epoch into a purl qualifier', () => {
    const layers = [layer(0, { osFiles: { 'etc/os-release': DEBIAN_12 }, packageDatabases: [dpkgStatus(pkg('perl-base', '1:5.36.0-7'))] })];
    const [perl] = applyLayers(layers).packages;
    assert.equal(perl?.purl, 'pkg:deb/debian/perl-base@5.36.0-7?arch=amd64&distro=debian-12&epoch=1');
  });

  it('drops unknowns a later layer deletes', () => {
    const layers = [
      layer(0, { unknowns: [{ path: 'var/lib/dpkg/status', reason: 'malformed' }, { path: 'lib/apk/db/installed', reason: 'malformed' }] }),
      layer(1, { whiteouts: ['var/lib/dpkg'] }),
    ];
    assert.deepEqual(applyLayers(layers).unknowns.map((unknown) => unknown.path), ['lib/apk/db/installed']);
  });

  it('collects unknowns with their layer', () => {
    const layers = [layer(0, {}), layer(1, { unknowns: [{ path: 'lib/apk/db/installed', reason: 'stanza without P:' }] })];
    const [unknown] = applyLayers(layers).unknowns;
    assert.equal(unknown?.layer.index, 1);
    assert.equal(unknown?.path, 'lib/apk/db/installed');
  });
});
