/**
 * Decoder for 512-byte tar headers (v7, ustar, GNU and pax), used to index uncompressed archives
 * by seeking from header to header instead of streaming every byte.
 *
 * @module
 */

export const BLOCK_SIZE = 512;

/** Maximum size of a pax extended header or GNU long name, which are read into memory. */
export const MAX_META_BYTES = 1024 * 1024;

/** A header that is not a valid tar header; the caller adds the archive path and offset. */
export class TarHeaderError extends Error {}

export interface TarHeader {
  /** Entry name: the ustar prefix joined to the name field, before pax or GNU overrides. */
  readonly name: string;
  readonly linkName: string;
  /** Type flag character, `0` for a regular file; NUL is mapped to `0`. */
  readonly typeFlag: string;
  /** Value of the size field in bytes. */
  readonly size: number;
  readonly mode: number;
}

/**
 * Type flags whose entries carry no data regardless of their size field, as Go's archive/tar
 * treats them: hard link, symlink, character and block device, directory, FIFO.
 */
const HEADER_ONLY_TYPES = new Set(['1', '2', '3', '4', '5', '6']);

/** Returns the number of data bytes that follow a header with this type flag and size. */
export function dataSize(typeFlag: string, size: number): number {
  return HEADER_ONLY_TYPES.has(typeFlag) ? 0 : size;
}

/** Returns `size` rounded up to a whole number of blocks. */
export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE;
}

/**
 * Decodes one header block. Returns null for an all-zero block, which marks the end of the
 * archive. Throws TarHeaderError when the checksum or a numeric field is invalid.
 */
export function decodeTarHeader(block: Uint8Array): TarHeader | null {
  if (block.length !== BLOCK_SIZE) throw new TarHeaderError(`header block has ${block.length} bytes, expected ${BLOCK_SIZE}`);
  if (block.every((byte) => byte === 0)) return null;

  verifyChecksum(block);

  const magic = ascii(block, 257, 263);
  const isUstar = magic === 'ustar\0';
  const name = cString(block, 0, 100);
  // GNU tar ('ustar  ') stores access and change times where ustar keeps the name prefix.
  const prefix = isUstar ? cString(block, 345, 500) : '';
  const rawType = String.fromCharCode(block[156] ?? 0);

  return {
    name: prefix === '' ? name : `${prefix}/${name}`,
    linkName: cString(block, 157, 257),
    typeFlag: rawType === '\0' ? '0' : rawType,
    size: decodeNumber(block, 124, 136, 'size'),
    mode: decodeNumber(block, 100, 108, 'mode'),
  };
}

function verifyChecksum(block: Uint8Array): void {
  const stored = decodeNumber(block, 148, 156, 'checksum');

  // The checksum is the sum of all header bytes with the checksum field read as spaces. Some old
  // writers summed signed bytes, so both sums are accepted.
  let unsigned = 8 * 0x20;
  let signed = 8 * 0x20;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    if (i >= 148 && i < 156) continue;
    const byte = block[i] ?? 0;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (stored !== unsigned && stored !== signed) {
    throw new TarHeaderError(`header checksum ${stored} does not match the computed ${unsigned}`);
  }
}

/**
 * Decodes a numeric field: NUL- or space-terminated octal, or GNU base-256 when the first byte has
 * its high bit set. Values above Number.MAX_SAFE_INTEGER and negative values are invalid.
 */
function decodeNumber(block: Uint8Array, start: number, end: number, field: string): number {
  const first = block[start] ?? 0;
  if (first & 0x80) {
    if (first === 0xff) throw new TarHeaderError(`negative ${field} field`);
    let value = first & 0x7f;
    for (let i = start + 1; i < end; i++) {
      value = value * 256 + (block[i] ?? 0);
      if (value > Number.MAX_SAFE_INTEGER) throw new TarHeaderError(`${field} field exceeds ${Number.MAX_SAFE_INTEGER}`);
    }
    return value;
  }

  const text = ascii(block, start, end).replace(/[\0 ]+$/, '').replace(/^[\0 ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarHeaderError(`${field} field "${text}" is not an octal number`);
  const value = parseInt(text, 8);
  if (value > Number.MAX_SAFE_INTEGER) throw new TarHeaderError(`${field} field exceeds ${Number.MAX_SAFE_INTEGER}`);
  return value;
}

function ascii(block: Uint8Array, start: number, end: number): string {
  return Buffer.from(block.buffer, block.byteOffset + start, end - start).toString('latin1');
}

function cString(block: Uint8Array, start: number, end: number): string {
  const field = Buffer.from(block.buffer, block.byteOffset + start, end - start);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? field.length : nul).toString('utf8');
}

/**
 * Parses pax extended header records (`<length> <key>=<value>\n`, where length counts the whole
 * record). Throws TarHeaderError on a malformed record.
 */
export function parsePaxRecords(data: Uint8Array): Map<string, string> {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.length);
  const records = new Map<string, string>();
  let offset = 0;

  while (offset < buffer.length) {
    // Writers pad the last block with NULs; stop at them.
    if (buffer[offset] === 0) break;

    const space = buffer.indexOf(0x20, offset);
    const lengthText = space === -1 ? '' : buffer.toString('latin1', offset, space);
    const length = /^[0-9]{1,9}$/.test(lengthText) ? parseInt(lengthText, 10) : NaN;
    if (!(length > space - offset + 1) || offset + length > buffer.length || buffer[offset + length - 1] !== 0x0a) {
      throw new TarHeaderError(`malformed pax record at byte ${offset}`);
    }

    const record = buffer.toString('utf8', space + 1, offset + length - 1);
    const equals = record.indexOf('=');
    if (equals <= 0) throw new TarHeaderError(`malformed pax record at byte ${offset}`);
    records.set(record.slice(0, equals), record.slice(equals + 1));
    offset += length;
  }
  return records;
}

/** Returns the NUL-terminated text of a GNU long name (`L`) or long link (`K`) entry. */
export function decodeLongName(data: Uint8Array): string {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.length);
  const nul = buffer.indexOf(0);
  return buffer.toString('utf8', 0, nul === -1 ? buffer.length : nul);
}
