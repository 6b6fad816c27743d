import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { LinkTargets } from './link-targets.js';

describe('LinkTargets', () => {
  test('keeps contents that fit', () => {
    const targets = new LinkTargets(10);

    assert.ok(targets.keep('a', Buffer.alloc(6)) !== undefined);
    assert.equal(targets.keep('b', Buffer.alloc(6)), undefined);
    assert.ok(targets.keep('c', Buffer.alloc(4)) !== undefined);
    assert.equal(targets.find('b'), undefined);
    assert.equal(targets.find('c')?.content.length, 4);
    assert.equal(targets.dropped, true);
  });

  test('rewritten path that does not fit', () => {
    const targets = new LinkTargets(10);
    targets.keep('a', Buffer.from('old'));
    targets.keep('a', Buffer.alloc(20));

    // The old content must not resolve links to the new file.
    assert.equal(targets.find('a'), undefined);
  });

  test('alias shares the target', () => {
    const targets = new LinkTargets(10);
    const target = targets.keep('a', Buffer.from('abc'));
    assert.ok(target !== undefined);
    targets.alias('b', target);

    assert.equal(targets.find('b'), target);
    assert.equal(targets.dropped, false);
  });
});
