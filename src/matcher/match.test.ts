import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ImageView } from '../applier/apply.js';
import type { Advisory, ImagePackage, OSInfo, VulnerabilityDetail } from '../types.js';
import { matchImage, type AdvisorySource } from './match.js';

const LAYER = { index: 0, diffID: 'sha256:' + 'a'.repeat(64) };

function apk(name: string, version: string, origin = name): ImagePackage {
  return { name, version, srcName: origin, srcVersion: version, type: 'apk', layer: LAYER, purl: `pkg:apk/alpine/${name}@${version}` };
}

function deb(name: string, version: string, source: string, sourceVersion: string): ImagePackage {
  return { name, version, srcName: source, srcVersion: sourceVersion, type: 'dpkg', layer: LAYER, purl: `pkg:deb/debian/${name}@${version}` };
}

/** Returns an in-memory advisory source with the same contract as the SQLite store. */
function source(advisories: Advisory[], details: VulnerabilityDetail[] = []): AdvisorySource {
  return {
    advisoriesFor: (namespace, names) => advisories.filter((a) => a.namespace === namespace && names.includes(a.packageName)),
    details: (ids) => new Map(details.filter((d) => ids.includes(d.id)).map((d) => [d.id, d])),
    countAdvisories: (namespace) => advisories.filter((a) => a.namespace === namespace).length,
  };
}

function view(os: OSInfo | undefined, packages: ImagePackage[]): ImageView {
  return { ...(os === undefined ? {} : { os }), packages, packageDatabases: [], unknowns: [] };
}

const ALPINE_310: OSInfo = { family: 'alpine', name: '3.10.4' };
const BOOKWORM: OSInfo = { family: 'debian', name: '12', codename: 'bookworm' };

function alpineFix(packageName: string, id: string, fixedVersion: string): Advisory {
  return { vulnerabilityID: id, source: 'alpine-secdb', namespace: 'alpine:3.10', packageName, fixedVersion, status: 'fixed' };
}

describe('matchImage', () => {
  const cases: { name: string; installed: string; fixed: string; affected: boolean }[] = [
    { name: 'older revision', installed: '1.1.1d-r2', fixed: '1.1.1d-r3', affected: true },
    { name: 'older letter', installed: '1.1.1c-r0', fixed: '1.1.1d-r0', affected: true },
    { name: 'equal version', installed: '1.1.1d-r0', fixed: '1.1.1d-r0', affected: false },
    { name: 'newer version', installed: '1.1.1g-r0', fixed: '1.1.1d-r0', affected: false },
    { name: 'numeric not lexical', installed: '1.1.9-r0', fixed: '1.1.10-r0', affected: true },
  ];
  for (const { name, installed, fixed, affected } of cases) {
    it(`alpine fixed version: ${name}`, () => {
      const result = matchImage(view(ALPINE_310, [apk('libssl1.1', installed, 'openssl')]), source([alpineFix('openssl', 'CVE-2019-1547', fixed)]));
      assert.equal(result.findings.length, affected ? 1 : 0);
    });
  }

  it('alpine matches by origin name', () => {
    const result = matchImage(view(ALPINE_310, [apk('ssl_client', '1.30.1-r1', 'busybox')]), source([alpineFix('busybox', 'CVE-2019-5747', '1.30.1-r2')]));
    assert.equal(result.findings[0]?.package.name, 'ssl_client');
    assert.equal(result.findings[0]?.advisory.vulnerabilityID, 'CVE-2019-5747');
  });

  it('alpine namespace drops the patch level', () => {
    const advisory = { ...alpineFix('musl', 'CVE-2019-14697', '1.1.22-r3'), namespace: 'alpine:3.10' };
    const result = matchImage(view({ family: 'alpine', name: '3.10.9' }, [apk('musl', '1.1.22-r2')]), source([advisory]));
    assert.equal(result.findings.length, 1);
  });

  it('debian compares the source version', () => {
    // A binNMU rebuild has binary version 1.2.13.dfsg-1+b1 and source version 1.2.13.dfsg-1.
    const pkg = deb('zlib1g', '1:1.2.13.dfsg-1+b1', 'zlib', '1:1.2.13.dfsg-1');
    const fixedAtBinNMU: Advisory = {
      vulnerabilityID: 'CVE-2023-45853',
      source: 'debian-tracker',
      namespace: 'debian:bookworm',
      packageName: 'zlib',
      fixedVersion: '1:1.2.13.dfsg-1+b1',
      status: 'fixed',
    };
    assert.equal(matchImage(view(BOOKWORM, [pkg]), source([fixedAtBinNMU])).findings.length, 1);
  });

  const openStatuses = ['affected', 'fix_deferred', 'will_not_fix'] as const;
  for (const status of openStatuses) {
    it(`debian open advisory reported as ${status}`, () => {
      const advisory: Advisory = { vulnerabilityID: 'CVE-2024-0001', source: 'debian-tracker', namespace: 'debian:bookworm', packageName: 'glibc', status };
      const result = matchImage(view(BOOKWORM, [deb('libc6', '2.36-9', 'glibc', '2.36-9')]), source([advisory]));
      assert.equal(result.findings[0]?.advisory.status, status);
      assert.equal(result.findings[0]?.advisory.fixedVersion, undefined);
    });
  }

  it('debian namespace from the release number', () => {
    const advisory: Advisory = { vulnerabilityID: 'CVE-2024-0002', source: 'debian-tracker', namespace: 'debian:bookworm', packageName: 'glibc', status: 'affected' };
    const result = matchImage(view({ family: 'debian', name: '12' }, [deb('libc6', '2.36-9', 'glibc', '2.36-9')]), source([advisory]));
    assert.equal(result.findings.length, 1);
  });

  it('severity prefers the vendor rating', () => {
    const advisory: Advisory = { ...alpineFix('openssl', 'CVE-2019-1547', '1.1.1d-r0'), vendorSeverity: 'LOW' };
    const detail: VulnerabilityDetail = { id: 'CVE-2019-1547', severity: 'MEDIUM', cvss: {}, references: [] };
    const result = matchImage(view(ALPINE_310, [apk('openssl', '1.1.1c-r0')]), source([advisory], [detail]));
    assert.equal(result.findings[0]?.severity, 'LOW');
  });

  it('severity falls back to NVD', () => {
    const detail: VulnerabilityDetail = { id: 'CVE-2019-1547', severity: 'MEDIUM', cvss: {}, references: [], source: 'nvd' };
    const result = matchImage(view(ALPINE_310, [apk('openssl', '1.1.1c-r0')]), source([alpineFix('openssl', 'CVE-2019-1547', '1.1.1d-r0')], [detail]));
    assert.equal(result.findings[0]?.severity, 'MEDIUM');
    assert.equal(result.findings[0]?.detail?.source, 'nvd');
  });

  it('severity is UNKNOWN without details', () => {
    const result = matchImage(view(ALPINE_310, [apk('openssl', '1.1.1c-r0')]), source([alpineFix('openssl', 'CVE-2019-1547', '1.1.1d-r0')]));
    assert.equal(result.findings[0]?.severity, 'UNKNOWN');
  });

  it('reports a gap when the OS is unknown', () => {
    const result = matchImage(view(undefined, [apk('musl', '1.1.22-r2')]), source([]));
    assert.deepEqual(result.gaps.map((gap) => gap.kind), ['os-unknown']);
  });

  it('reports a gap for an unsupported OS', () => {
    const result = matchImage(view({ family: 'photon', name: '5.0' }, []), source([]));
    assert.deepEqual(result.gaps.map((gap) => gap.kind), ['os-unsupported']);
  });

  it('reports a gap when the release has no advisories', () => {
    const result = matchImage(view({ family: 'alpine', name: '3.18.4' }, [apk('musl', '1.2.4-r1')]), source([alpineFix('musl', 'CVE-2019-14697', '1.1.22-r3')]));
    assert.deepEqual(result.gaps.map((gap) => gap.kind), ['no-advisories']);
    assert.match(result.gaps[0]?.message ?? '', /alpine:3\.18/);
  });

  it('reports packages of another distro', () => {
    const result = matchImage(view(ALPINE_310, [apk('musl', '1.1.22-r3'), deb('libc6', '2.36-9', 'glibc', '2.36-9')]), source([alpineFix('musl', 'CVE-2019-14697', '1.1.22-r3')]));
    assert.deepEqual(result.gaps.map((gap) => gap.kind), ['os-unsupported']);
    assert.match(result.gaps[0]?.message ?? '', /1 dpkg packages/);
  });

  it('flags an invalid apk fixed version', () => {
    // A real secdb entry: icu lists 57-1-r2, which apk-tools does not accept as a version.
    const result = matchImage(view(ALPINE_310, [apk('icu-libs', '57.1-r3', 'icu')]), source([alpineFix('icu', 'CVE-2016-6293', '57-1-r2')]));
    assert.deepEqual(result.gaps.map((gap) => gap.kind), ['version-invalid']);
    assert.match(result.gaps[0]?.message ?? '', /57-1-r2 is not a valid apk version/);
  });

  it('sorts findings by package then ID', () => {
    const advisories = [alpineFix('openssl', 'CVE-2019-1563', '1.1.1d-r0'), alpineFix('openssl', 'CVE-2019-1547', '1.1.1d-r0'), alpineFix('musl', 'CVE-2019-14697', '1.1.22-r3')];
    const packages = [apk('libssl1.1', '1.1.1c-r0', 'openssl'), apk('musl', '1.1.22-r2')];
    const ids = matchImage(view(ALPINE_310, packages), source(advisories)).findings.map((f) => `${f.package.name} ${f.advisory.vulnerabilityID}`);
    assert.deepEqual(ids, ['libssl1.1 CVE-2019-1547', 'libssl1.1 CVE-2019-1563', 'musl CVE-2019-14697']);
  });
});
