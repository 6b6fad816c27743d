import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { sharedPath, skipUnlessShared } from '../../test-support/shared.js';
import type { OSInfo } from '../../types.js';
import { detectOS } from './detect.js';

/** Image path of a release file, from the suffix of its fixture name. */
const PATH_BY_SUFFIX: readonly [suffix: string, path: string][] = [
  ['_etc-os-release', 'etc/os-release'],
  ['_usr-lib-os-release', 'usr/lib/os-release'],
  ['_etc-alpine-release', 'etc/alpine-release'],
  ['_etc-lsb-release', 'etc/lsb-release'],
];

function imagePath(fixture: string): string {
  const match = PATH_BY_SUFFIX.find(([suffix]) => fixture.endsWith(suffix));
  assert.ok(match !== undefined, `no image path known for ${fixture}`);
  return match[1];
}

// Expected values were read by hand from each file. For os-release they are ID, VERSION_ID,
// VERSION_CODENAME (for Debian the codename in VERSION) and PRETTY_NAME. For lsb-release they are
// the DISTRIB_* values, and for alpine-release its one line.
const REAL_FILES: readonly [fixture: string, expected: OSInfo][] = [
  ['os-release/almalinux_etc-os-release', { family: 'almalinux', name: '8.4', prettyName: 'AlmaLinux 8.4 (Electric Cheetah)' }],
  ['os-release/alpine-3.10_claircore_etc-os-release', { family: 'alpine', name: '3.10.9', prettyName: 'Alpine Linux v3.10' }],
  ['os-release/alpine-3.14_claircore_etc-os-release', { family: 'alpine', name: '3.14.3', prettyName: 'Alpine Linux v3.14' }],
  ['os-release/alpine-3.18_claircore_etc-os-release', { family: 'alpine', name: '3.18.4', prettyName: 'Alpine Linux v3.18' }],
  ['os-release/alpine-edge_claircore_etc-os-release', { family: 'alpine', name: '3.19_alpha20230901', prettyName: 'Alpine Linux edge' }],
  ['os-release/alpine_etc-os-release', { family: 'alpine', name: '3.11.6', prettyName: 'Alpine Linux v3.11' }],
  ['os-release/amazon_etc-os-release', { family: 'amzn', name: '2', prettyName: 'Amazon Linux 2' }],
  ['os-release/azurelinux_etc-os-release', { family: 'azurelinux', name: '3.0', prettyName: 'Microsoft Azure Linux 3.0' }],
  ['os-release/centos_usr-lib-os-release', { family: 'centos', name: '8', prettyName: 'CentOS Linux 8 (Core)' }],
  ['os-release/chainguard_etc-os-release', { family: 'chainguard', name: '20230214', prettyName: 'Chainguard' }],
  ['os-release/debian_usr-lib-os-release', { family: 'debian', name: '8', codename: 'jessie', prettyName: 'Debian GNU/Linux 8 (jessie)' }],
  ['os-release/distroless-debian9_etc-os-release', { family: 'debian', name: '9', codename: 'stretch', prettyName: 'Distroless' }],
  ['os-release/distroless-debian10_etc-os-release', { family: 'debian', name: '10', codename: 'buster', prettyName: 'Distroless' }],
  ['os-release/distroless-debian11_etc-os-release', { family: 'debian', name: '11', codename: 'bullseye', prettyName: 'Distroless' }],
  ['os-release/fedora_usr-lib-os-release', { family: 'fedora', name: '31', prettyName: 'Fedora 31 (Container Image)' }],
  ['os-release/mariner_etc-os-release', { family: 'mariner', name: '1.0', prettyName: 'CBL-Mariner/Linux' }],
  ['os-release/opensuse-leap_etc-os-release', { family: 'opensuse-leap', name: '15.2', prettyName: 'openSUSE Leap 15.2' }],
  ['os-release/oraclelinux_etc-os-release', { family: 'ol', name: '8.3', prettyName: 'Oracle Linux Server 8.3' }],
  ['os-release/photon_etc-os-release', { family: 'photon', name: '2.0', prettyName: 'VMware Photon OS/Linux' }],
  ['os-release/redhat_usr-lib-os-release', { family: 'rhel', name: '7.3', prettyName: 'Red Hat Enterprise Linux Server 7.3 (Maipo)' }],
  ['os-release/rockylinux_etc-os-release', { family: 'rocky', name: '8.4', prettyName: 'Rocky Linux 8.4 (Green Obsidian)' }],
  ['os-release/sles_etc-os-release', { family: 'sles', name: '15.2', prettyName: 'SUSE Linux Enterprise Server 15 SP2' }],
  ['os-release/ubuntu_etc-os-release', { family: 'ubuntu', name: '20.04', codename: 'focal', prettyName: 'Ubuntu 20.04 LTS' }],
  ['os-release/wolfi_etc-os-release', { family: 'wolfi', name: '20220914', prettyName: 'Wolfi' }],
  ['alpine/alpine-2.6.6_etc-alpine-release', { family: 'alpine', name: '2.6.6' }],
  ['alpine/alpine-3.7.0_etc-os-release', { family: 'alpine', name: '3.7.0', prettyName: 'Alpine Linux v3.7' }],
  ['ubuntu/ubuntu-10.04_etc-lsb-release', { family: 'ubuntu', name: '10.04', codename: 'lucid', prettyName: 'Ubuntu 10.04 LTS' }],
];

describe('detectOS real release files', () => {
  for (const [fixture, expected] of REAL_FILES) {
    test(fixture.split('/')[1] ?? fixture, skipUnlessShared(`pkgdb/${fixture}`), () => {
      const content = readFileSync(sharedPath('pkgdb', fixture), 'utf8');
      assert.deepEqual(detectOS({ [imagePath(fixture)]: content }), expected);
    });
  }
});

describe('detectOS combined files', () => {
  const DEBIAN_12 = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n';
  const DEBIAN_SID = 'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nVERSION_CODENAME=trixie\nID=debian\n';
  const DISTROLESS = 'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\n';
  const UBUNTU = 'NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nVERSION_CODENAME=jammy\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n';

  const cases: readonly [name: string, files: Record<string, string>, expected: OSInfo | null][] = [
    ['etc before usr/lib', { 'etc/os-release': DISTROLESS, 'usr/lib/os-release': DEBIAN_12 }, { family: 'debian', name: '12', codename: 'bookworm', prettyName: 'Distroless' }],
    ['usr/lib alone', { 'usr/lib/os-release': DEBIAN_12 }, { family: 'debian', name: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' }],
    ['distroless without codename', { 'etc/os-release': DISTROLESS }, { family: 'debian', name: '12', codename: 'bookworm', prettyName: 'Distroless' }],
    ['testing with debian_version', { 'etc/os-release': DEBIAN_SID, 'etc/debian_version': 'trixie/sid\n' }, { family: 'debian', name: '13', codename: 'trixie', prettyName: 'Debian GNU/Linux trixie/sid' }],
    ['testing without debian_version', { 'etc/os-release': DEBIAN_SID }, { family: 'debian', name: '13', codename: 'trixie', prettyName: 'Debian GNU/Linux trixie/sid' }],
    ['point release in debian_version', { 'etc/debian_version': '12.5\n' }, { family: 'debian', name: '12', codename: 'bookworm' }],
    ['old point release', { 'etc/debian_version': '7.11\n' }, { family: 'debian', name: '7', codename: 'wheezy' }],
    ['unstable only', { 'etc/debian_version': 'sid\n' }, { family: 'debian', name: 'sid', codename: 'sid' }],
    ['ubuntu ignores debian_version', { 'etc/os-release': UBUNTU, 'etc/debian_version': 'bookworm/sid\n' }, { family: 'ubuntu', name: '22.04', codename: 'jammy', prettyName: 'Ubuntu 22.04.4 LTS' }],
    ['os-release without ID', { 'etc/os-release': 'NAME=Something\n', 'etc/alpine-release': '3.19.1\n' }, { family: 'alpine', name: '3.19.1' }],
    ['alpine-release fills nothing', { 'etc/os-release': 'ID=alpine\nVERSION_ID=3.19.1\n', 'etc/alpine-release': '3.19.0\n' }, { family: 'alpine', name: '3.19.1' }],
    ['CRLF and comments', { 'etc/os-release': '# generated\r\nID=alpine\r\nVERSION_ID=3.18.4\r\n' }, { family: 'alpine', name: '3.18.4' }],
    ['rolling release without version', { 'etc/os-release': 'ID=arch\nPRETTY_NAME="Arch Linux"\n' }, null],
    ['empty files', { 'etc/os-release': '', 'etc/alpine-release': '\n', 'etc/debian_version': '' }, null],
    ['garbage debian_version', { 'etc/debian_version': 'not a version\n' }, null],
    ['no release files', {}, null],
  ];

  for (const [name, files, expected] of cases) {
    test(name, () => {
      assert.deepEqual(detectOS(files), expected);
    });
  }
});
