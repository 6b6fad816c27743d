/**
 * Escaping of text that comes from an image or a feed before it reaches a terminal, so a tar name
 * or an os-release field cannot move the cursor, change colours or break a line.
 *
 * @module
 */

// C0 controls, DEL and the C1 controls, which include the single-byte CSI (0x9b).
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Replaces control characters, newlines included, with `\xNN` escapes. */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
