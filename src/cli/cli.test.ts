/**
 * The `strata` command as a user runs it: a real process, real feeds and a real image archive.
 */

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { runStrata } from '../test-support/cli.js';
import { projectRoot, sharedPath, skipUnlessShared } from '../test-support/shared.js';

const strata = runStrata;

const ALPINE_IMAGE = 'real-images/alpine-3.10.4_docker-save-legacy.tar.gz';

/** Builds a database from the real Alpine secdb and NVD records with `strata db build`. */
async function buildAlpineDatabase(cacheDir: string): Promise<void> {
  const build = await strata([
    'db', 'build', '--cache-dir', cacheDir,
    '--source', `alpine-secdb=${sharedPath('feeds/alpine-secdb')}`,
    '--source', `nvd=${sharedPath('feeds/nvd-records')}`,
  ]);
  assert.equal(build.code, 0, build.stderr);
}

describe('strata CLI', skipUnlessShared(ALPINE_IMAGE, 'feeds/alpine-secdb', 'feeds/nvd-records'), () => {
  let work: string;
  let cacheDir: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-cli-'));
    cacheDir = join(work, 'cache');
    await buildAlpineDatabase(cacheDir);
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('db info shows records per source', async () => {
    const run = await strata(['db', 'info', '--cache-dir', cacheDir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Schema version: 1/);
    assert.match(run.stdout, /alpine-secdb: \d+ records/);
    // One record per CVE file in the NVD folder.
    const nvdFiles = (await readdir(sharedPath('feeds/nvd-records'))).filter((name) => name.endsWith('.json'));
    assert.match(run.stdout, new RegExp(`nvd: ${nvdFiles.length} records`));
  });

  it('--version shows scanner and database', async () => {
    const run = await strata(['--version', '--cache-dir', cacheDir]);
    const manifest = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Version: ${manifest.version.replaceAll('.', '\\.')}$`, 'm'));
    assert.match(run.stdout, /Database schema: 1/);
    assert.match(run.stdout, /Built at: \d{4}-/);
  });

  it('scans the alpine archive to JSON', async () => {
    const run = await strata(['image', '--cache-dir', cacheDir, '--input', sharedPath(ALPINE_IMAGE), '--format', 'json', '--list-all-pkgs']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      SchemaVersion: number;
      ArtifactType: string;
      Metadata: { OS: { Family: string; Name: string }; DiffIDs: string[]; RepoTags: string[]; Layers: { DiffID: string }[] };
      Results: { Target: string; Class: string; Type: string; Packages: { Name: string; Version: string; SrcName: string; Layer: { DiffID: string }; Identifier: { PURL: string } }[]; Vulnerabilities?: unknown[] }[];
    };
    assert.equal(report.SchemaVersion, 2);
    assert.equal(report.ArtifactType, 'container_image');
    assert.deepEqual(report.Metadata.OS, { Family: 'alpine', Name: '3.10.4' });
    assert.deepEqual(report.Metadata.RepoTags, ['alpine:3.10']);

    // The package list equals the P:/V: pairs of the image's own apk database.
    const installed = await readFile(sharedPath('pkgdb/alpine/alpine-3.10.4_lib-apk-db-installed'), 'utf8');
    const expected = [...installed.matchAll(/^P:(.+)\nV:(.+)$/gm)].map((match) => `${match[1]} ${match[2]}`).sort();
    const [result] = report.Results;
    assert.equal(result?.Class, 'os-pkgs');
    assert.equal(result?.Type, 'alpine');
    assert.deepEqual(result?.Packages.map((p) => `${p.Name} ${p.Version}`).sort(), expected);
    assert.equal(expected.length, 14);
    for (const pkg of result?.Packages ?? []) assert.equal(pkg.Layer.DiffID, report.Metadata.DiffIDs[0]);
    assert.equal(result?.Packages.find((p) => p.Name === 'musl')?.Identifier.PURL, 'pkg:apk/alpine/musl@1.1.22-r3?arch=x86_64&distro=3.10.4');

    // Every v3.10 secfix of these packages' origins is at or below the installed version (busybox
    // 1.30.1-r3 >= 1.30.1-r2, musl 1.1.22-r3 = 1.1.22-r3, openssl 1.1.1d-r2 >= 1.1.1d-r0).
    assert.equal(result?.Vulnerabilities, undefined);
  });

  it('table shows the target and severity counts', async () => {
    const run = await strata(['image', '--cache-dir', cacheDir, '--input', sharedPath(ALPINE_IMAGE)]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /alpine-3\.10\.4_docker-save-legacy\.tar\.gz \(alpine 3\.10\.4\)/);
    assert.match(run.stdout, /Total: 0 \(CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0\)/);
  });

  it('--output writes the report file', async () => {
    const output = join(work, 'report.json');
    const run = await strata(['image', '--cache-dir', cacheDir, '--input', sharedPath(ALPINE_IMAGE), '--format', 'json', '--output', output]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
    const report = JSON.parse(await readFile(output, 'utf8')) as { ArtifactName: string };
    assert.equal(report.ArtifactName, sharedPath(ALPINE_IMAGE));
    assert.deepEqual((await readdir(work)).filter((name) => name.includes('.tmp-')), []);
  });

  it('missing database is a one-line error', async () => {
    const run = await strata(['image', '--cache-dir', join(work, 'empty'), '--input', sharedPath(ALPINE_IMAGE)]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /strata db build --source/);
  });

  it('broken archive is a one-line error naming the layer', async () => {
    const run = await strata(['image', '--cache-dir', cacheDir, '--input', sharedPath('images/broken/diffid-mismatch.docker-save.tar')], {});
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /layer 0 .*diffID/);
  });

  it('--debug adds the stack trace', async () => {
    const run = await strata(['image', '--debug', '--cache-dir', join(work, 'empty'), '--input', sharedPath(ALPINE_IMAGE)]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /DatabaseError: .*\n\s+at /);
  });

  it('bad option values are rejected', async () => {
    const cases = [
      ['--format', 'xml'],
      ['--severity', 'SEVERE'],
      ['--exit-code', 'x'],
    ];
    for (const args of cases) {
      const run = await strata(['image', '--cache-dir', cacheDir, '--input', sharedPath(ALPINE_IMAGE), ...args]);
      assert.notEqual(run.code, 0, args.join(' '));
      assert.match(run.stderr, new RegExp(args[1] ?? ''), args.join(' '));
    }
  });

  it('path argument works like --input', async () => {
    const run = await strata(['image', sharedPath(ALPINE_IMAGE), '--cache-dir', cacheDir, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { ArtifactName: string }).ArtifactName, sharedPath(ALPINE_IMAGE));
  });

  it('missing output directory fails before scanning', async () => {
    const run = await strata(['image', '--debug', '--cache-dir', cacheDir, '--input', sharedPath(ALPINE_IMAGE), '--output', join(work, 'missing', 'report.json')]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /strata: error: cannot write the report to .*: directory .*missing does not exist/);
    assert.doesNotMatch(run.stderr, /layer done/);
  });

  it('unknown command lists the commands', async () => {
    const run = await strata(['imag']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /unknown command 'imag'; commands: image, db, cache/);
  });

  it('image without an OS reports the gap', skipUnlessShared('real-images/hello-world_docker25-save.tar'), async () => {
    const run = await strata(['image', '--cache-dir', cacheDir, '--input', sharedPath('real-images/hello-world_docker25-save.tar'), '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { Results: unknown[]; Strata: { Gaps: { Kind: string }[] } };
    assert.deepEqual(report.Results, []);
    assert.deepEqual(report.Strata.Gaps.map((gap) => gap.Kind), ['os-unknown']);
    assert.match(run.stderr, /WARN no OS release file and no package database found/);
  });

  it('empty cache dir keeps the database in the default place', async () => {
    const home = join(work, 'xdg');
    const build = await strata(['db', 'build', '--cache-dir', '', '--source', `nvd=${sharedPath('feeds/nvd-records')}`], { XDG_CACHE_HOME: home });
    assert.equal(build.code, 0, build.stderr);
    const info = await strata(['db', 'info', '--cache-dir', ''], { XDG_CACHE_HOME: home });
    assert.match(info.stdout, new RegExp(`Vulnerability DB: ${join(home, 'strata', 'db', 'strata.db').replaceAll('/', '\\/')}`));
  });

  it('db build rejects an unknown feed kind', async () => {
    const run = await strata(['db', 'build', '--cache-dir', join(work, 'other'), '--source', 'ubuntu=/nowhere']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ubuntu/);
    assert.match(run.stderr, /alpine-secdb/);
  });
});

describe('strata CLI filters', skipUnlessShared('pkgdb/alpine/alpine-3.7.0_lib-apk-db-installed', 'feeds/alpine-secdb', 'feeds/nvd-records'), () => {
  let work: string;
  let cacheDir: string;
  let image: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-cli-'));
    cacheDir = join(work, 'cache');
    const { writeOCILayout } = await import('../test-support/image-builder.js');
    const built = await writeOCILayout(join(work, 'alpine-3.7'), [
      {
        files: [
          { path: 'etc/os-release', content: await readFile(sharedPath('pkgdb/alpine/alpine-3.7.0_etc-os-release')) },
          { path: 'lib/apk/db/installed', content: await readFile(sharedPath('pkgdb/alpine/alpine-3.7.0_lib-apk-db-installed')) },
        ],
        createdBy: '/bin/sh -c #(nop) ADD file:alpine-minirootfs.tar.gz in /',
      },
    ]);
    image = built.dir;
    await buildAlpineDatabase(cacheDir);
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('--exit-code applies when findings remain', async () => {
    const run = await strata(['image', '--cache-dir', cacheDir, '--input', image, '--exit-code', '3']);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /CVE-2019-14697/);
    // The layer column shows the short diffID and the history step (wrapped by the table).
    assert.match(run.stdout, /[0-9a-f]{12} ADD/);
    assert.match(run.stdout, /file:alpine-minirootfs\.tar\.gz in \//);
  });

  it('--severity filters findings and counts', async () => {
    const all = JSON.parse((await strata(['image', '--cache-dir', cacheDir, '--input', image, '--format', 'json'])).stdout) as {
      Results: { Vulnerabilities: { Severity: string }[] }[];
    };
    const severities = all.Results[0]?.Vulnerabilities.map((v) => v.Severity) ?? [];
    assert.ok(severities.length > 0);
    const kept = severities[0] ?? 'UNKNOWN';

    const filtered = JSON.parse((await strata(['image', '--cache-dir', cacheDir, '--input', image, '--format', 'json', '--severity', kept.toLowerCase()])).stdout) as {
      Results: { Vulnerabilities?: { Severity: string }[] }[];
    };
    const expected = severities.filter((severity) => severity === kept).length;
    assert.equal(filtered.Results[0]?.Vulnerabilities?.length, expected);
  });

  it('--exit-code is 0 when filters remove every finding', async () => {
    // Every finding of this image has a fixed version, and no severity is named NONE, so a filter on
    // a severity absent from the report leaves nothing.
    const all = JSON.parse((await strata(['image', '--cache-dir', cacheDir, '--input', image, '--format', 'json'])).stdout) as {
      Results: { Vulnerabilities: { Severity: string }[] }[];
    };
    const present = new Set(all.Results[0]?.Vulnerabilities.map((v) => v.Severity));
    const absent = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'].find((severity) => !present.has(severity));
    assert.ok(absent !== undefined);
    const run = await strata(['image', '--cache-dir', cacheDir, '--input', image, '--severity', absent, '--exit-code', '5']);
    assert.equal(run.code, 0, run.stderr);
  });

  it('--ignore-unfixed keeps fixed findings', async () => {
    const run = await strata(['image', '--cache-dir', cacheDir, '--input', image, '--format', 'json', '--ignore-unfixed']);
    const report = JSON.parse(run.stdout) as { Results: { Vulnerabilities: { FixedVersion?: string }[] }[] };
    const vulnerabilities = report.Results[0]?.Vulnerabilities ?? [];
    assert.equal(vulnerabilities.length, 6);
    for (const vulnerability of vulnerabilities) assert.ok(vulnerability.FixedVersion !== undefined);
  });

  it('report file is not written on failure', async () => {
    const output = join(work, 'failed.json');
    await writeFile(output, 'previous');
    const run = await strata(['image', '--cache-dir', join(work, 'no-db'), '--input', image, '--output', output]);
    assert.equal(run.code, 1);
    assert.equal(await readFile(output, 'utf8'), 'previous');
  });
});
