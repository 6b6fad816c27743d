/**
 * Normalisation of tar entry names and recognition of OCI whiteout entries.
 *
 * @module
 */

/**
 * Returns the entry name relative to the layer root: no leading `/` or `./`, no `.` or empty
 * segments, no trailing `/`, and `a/../b` resolved to `b`. Returns `''` for the root itself and
 * null when a `..` segment climbs above the root.
 */
export function normalizeEntryPath(name: string): string | null {
  const segments: string[] = [];
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return null;
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return segments.join('/');
}

/** A whiteout entry of the OCI image layer spec ("Whiteouts" section). */
export type Whiteout =
  /** `dir/.wh.NAME` deletes `dir/NAME` from the lower layers. */
  | { readonly kind: 'file'; readonly path: string }
  /** `dir/.wh..wh..opq` hides everything that the lower layers put under `dir`. */
  | { readonly kind: 'opaque'; readonly dir: string }
  /** Other `.wh..wh.` names are AUFS bookkeeping, such as hard-link directories, and carry no deletion. */
  | { readonly kind: 'metadata' };

const PREFIX = '.wh.';
const META_PREFIX = '.wh..wh.';
const OPAQUE = '.wh..wh..opq';

/** Returns the whiteout that a normalised path denotes, or null for an ordinary entry. */
export function parseWhiteout(path: string): Whiteout | null {
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  if (!base.startsWith(PREFIX)) return null;

  const dir = slash < 0 ? '' : path.slice(0, slash);
  if (base === OPAQUE) return { kind: 'opaque', dir };
  if (base.startsWith(META_PREFIX) || base === PREFIX) return { kind: 'metadata' };

  const name = base.slice(PREFIX.length);
  return { kind: 'file', path: dir === '' ? name : `${dir}/${name}` };
}
