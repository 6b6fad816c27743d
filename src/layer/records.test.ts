import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { LayerLimitError } from './failure.js';
import { LayerRecords } from './records.js';

describe('LayerRecords', () => {
  test('repeated skips become one unknown', () => {
    const records = new LayerRecords(1000);
    records.addRepeated('long', { path: 'first', reason: 'too long' });
    records.addRepeated('long', { path: 'second', reason: 'too long' });
    records.addRepeated('long', { path: 'third', reason: 'too long' });
    records.addUnknown({ path: 'other', reason: 'broken' });

    assert.deepEqual(records.unknowns(), [
      { path: 'other', reason: 'broken' },
      { path: 'first', reason: 'too long; 2 more entries were skipped for the same reason' },
    ]);
    assert.equal(records.repeatedCount('long'), 3);
    assert.equal(records.repeatedCount('none'), 0);
  });

  test('bytes counted in UTF-8', () => {
    const records = new LayerRecords(10);
    records.addWhiteout('ééééé');

    // Five two-byte characters fill the budget, so one more byte is over it.
    assert.throws(() => records.addOpaqueDir('a'), LayerLimitError);
  });

  test('error names the limit', () => {
    const records = new LayerRecords(5);

    assert.throws(
      () => records.addUnknown({ path: 'abc', reason: 'def' }),
      (error: unknown) => error instanceof LayerLimitError && /more than 5 bytes .* raise limits\.maxRecordedBytes/.test(error.message),
    );
  });
});
