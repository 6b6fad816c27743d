import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSecfixEntry } from './alpine-secfix.js';

// Each entry is copied from the Alpine secdb 3.3 to 3.20 files; together they cover every form
// that occurs there.
const CASES: { entry: string; ids: string[]; aliases?: string[]; unfixed?: boolean }[] = [
  { entry: 'CVE-2019-14697', ids: ['CVE-2019-14697'] },
  { entry: 'CVE-2016-6258 XSA-182', ids: ['CVE-2016-6258'], aliases: ['XSA-182'] },
  { entry: 'CVE-2018-8897  XSA-260', ids: ['CVE-2018-8897'], aliases: ['XSA-260'] },
  { entry: 'CVE-2018-3639   XSA-263', ids: ['CVE-2018-3639'], aliases: ['XSA-263'] },
  { entry: 'CVE-2017-12122 TALOS-2017-0488', ids: ['CVE-2017-12122'], aliases: ['TALOS-2017-0488'] },
  { entry: 'CVE-2016-10134 ZBX-11023', ids: ['CVE-2016-10134'], aliases: ['ZBX-11023'] },
  {
    entry: 'CVE-2017-5753 CVE-2017-5715 CVE-2017-5754 XSA-254 XPTI',
    ids: ['CVE-2017-5753', 'CVE-2017-5715', 'CVE-2017-5754'],
    aliases: ['XSA-254'],
  },
  { entry: 'CVE-2018-3620 CVE-2018-3646 XSA-273', ids: ['CVE-2018-3620', 'CVE-2018-3646'], aliases: ['XSA-273'] },
  { entry: 'CVE-2018-14881 (BGP)', ids: ['CVE-2018-14881'] },
  { entry: 'CVE-2018-10103 (SMB - partially fixed, but SMB printing disabled)', ids: ['CVE-2018-10103'] },
  { entry: 'CVE-2017-2616 (+ regression fix)', ids: ['CVE-2017-2616'] },
  { entry: 'CVE-????-?????  XSA-284', ids: ['XSA-284'] },
  { entry: 'CVE-2017-17434-1', ids: ['CVE-2017-17434'] },
  { entry: 'CVE-2017-8073.patch', ids: ['CVE-2017-8073'] },
  { entry: 'CVE_2019-2426', ids: ['CVE-2019-2426'] },
  { entry: 'CVE 2018-16859', ids: ['CVE-2018-16859'] },
  { entry: 'XSA-207', ids: ['XSA-207'] },
  { entry: 'ZBX-11023', ids: ['ZBX-11023'] },
  { entry: 'ALPINE-13661', ids: ['ALPINE-13661'] },
  { entry: 'wnpa-sec-2017-18', ids: ['wnpa-sec-2017-18'] },
  { entry: '', ids: [] },
  // Not in the data: an entry that marks the flaw as still open.
  { entry: 'CVE-2018-1000500 (unfixed)', ids: ['CVE-2018-1000500'], unfixed: true },
];

describe('parseSecfixEntry', () => {
  for (const { entry, ids, aliases = [], unfixed = false } of CASES) {
    test(`entry ${JSON.stringify(entry)}`, () => {
      const parsed = parseSecfixEntry(entry);
      assert.deepEqual(parsed.ids, ids);
      assert.deepEqual(parsed.aliases, aliases);
      assert.equal(parsed.unfixed, unfixed);
    });
  }
});
