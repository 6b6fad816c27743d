import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FeedError } from '../../errors.js';
import { silentLogger } from '../../log.js';
import { listDirectory, openFeedRoot, readJsonFile, readYamlFile } from './files.js';
import { readNvd } from './nvd.js';

const noFifos = process.platform === 'win32' ? 'needs mkfifo' : false;

let scratch: string;
/** A source directory with a JSON file, and a file outside it that contains a marker. */
let source: string;
let outside: string;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'strata-files-'));
  source = join(scratch, 'source');
  outside = join(scratch, 'outside.json');
  await mkdir(join(source, 'sub'), { recursive: true });
  await writeFile(join(source, 'sub', 'a.json'), '{"id": "CVE-2000-0001"}');
  await writeFile(outside, '{"SECRET-MARKER": true');
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<FeedError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof FeedError, `expected FeedError, got ${String(error)}`);
  return error;
}

describe('feed files and symbolic links', () => {
  test('link out of the source rejected', async () => {
    const link = join(source, 'out.json');
    await symlink(outside, link);
    try {
      const root = await openFeedRoot('nvd', source);
      const listed = await rejection(listDirectory(root, source));
      const read = await rejection(readJsonFile(root, link));

      for (const error of [listed, read]) {
        assert.equal(error.path, link);
        assert.match(error.message, /links to .*outside\.json, which is outside the --source path/);
        assert.doesNotMatch(error.message, /SECRET/);
      }
    } finally {
      await rm(link);
    }
  });

  test('link inside the source read', async () => {
    const link = join(source, 'again.json');
    await symlink(join('sub', 'a.json'), link);
    try {
      const root = await openFeedRoot('nvd', source);
      const entries = await listDirectory(root, source);

      assert.deepEqual(
        entries.map((entry) => [entry.name, entry.isFile, entry.isDirectory]),
        [
          ['again.json', true, false],
          ['sub', false, true],
        ],
      );
      assert.deepEqual((await readJsonFile(root, link)).data, { id: 'CVE-2000-0001' });
    } finally {
      await rm(link);
    }
  });

  test('source given through a link', async () => {
    const linkedSource = join(scratch, 'linked-source');
    await symlink(source, linkedSource);
    const root = await openFeedRoot('nvd', linkedSource);

    assert.deepEqual((await readJsonFile(root, join(linkedSource, 'sub', 'a.json'))).data, { id: 'CVE-2000-0001' });
  });
});

describe('feed files that are not regular', { skip: noFifos }, () => {
  let fifo: string;
  before(() => {
    fifo = join(source, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
  });
  after(async () => {
    await rm(fifo);
  });

  test('FIFO listed but not a file', async () => {
    const entries = await listDirectory(await openFeedRoot('nvd', source), source);
    const pipe = entries.find((entry) => entry.name === 'pipe.json');

    assert.equal(pipe?.isFile, false);
    assert.equal(pipe?.isDirectory, false);
  });

  test('FIFO read rejected', async () => {
    const error = await rejection(readJsonFile(await openFeedRoot('nvd', source), fifo));

    assert.equal(error.path, fifo);
    assert.match(error.message, /not a regular file \(a FIFO\)/);
  });

  test('FIFO as the nvd source', async () => {
    const drain = async (): Promise<void> => {
      for await (const record of readNvd(fifo, silentLogger)) void record;
    };
    const error = await rejection(drain());

    assert.match(error.message, /not a regular file \(a FIFO\)/);
  });

  test('FIFO skipped in a directory', async () => {
    let records = 0;
    for await (const record of readNvd(source, silentLogger)) {
      void record;
      records += 1;
    }

    assert.equal(records, 1);
  });

  test('device as the nvd source', async () => {
    const root = await openFeedRoot('nvd', '/dev/null');
    const error = await rejection(readJsonFile(root, '/dev/null'));

    assert.match(error.message, /not a regular file \(a device\)/);
  });
});

describe('feed parse errors', () => {
  let parseDir: string;
  before(async () => {
    parseDir = join(scratch, 'parse');
    await mkdir(parseDir);
  });

  async function fileWith(name: string, content: string): Promise<string> {
    const path = join(parseDir, name);
    await writeFile(path, content);
    return path;
  }

  test('JSON error without input text', async () => {
    const path = await fileWith('broken.json', '{\n  "a": SECRET-MARKER\n}');
    const error = await rejection(readJsonFile(await openFeedRoot('nvd', parseDir), path));

    assert.match(error.message, /: invalid JSON at line 2, column 8: unexpected character where a value was expected$/);
    assert.doesNotMatch(error.message, /SECRET/);
  });

  test('YAML error in one line', async () => {
    const path = await fileWith('broken.yaml', 'a: b: c\n');
    const error = await rejection(readYamlFile(await openFeedRoot('alpine-secdb', parseDir), path));

    assert.match(error.message, /: invalid YAML at line 1, column 4: Nested mappings are not allowed in compact mappings \(BLOCK_AS_IMPLICIT_KEY\)$/);
    assert.doesNotMatch(error.message, /\n/);
  });

  test('YAML alias error in one line', async () => {
    const path = await fileWith('alias.yaml', 'a: *missing\n');
    const error = await rejection(readYamlFile(await openFeedRoot('alpine-secdb', parseDir), path));

    assert.match(error.message, /: invalid YAML: Unresolved alias/);
    assert.doesNotMatch(error.message, /\n/);
  });
});
