/**
 * Parser of Debian control-file syntax (deb-control(5), the format of `/var/lib/dpkg/status`):
 * stanzas of `Field: value` lines, continuation lines that start with a space or tab, and blank
 * lines between stanzas. It returns raw fields; building packages from them is the caller's job.
 *
 * @module
 */

export interface Stanza {
  /** 1-based line number of the stanza's first field. */
  readonly line: number;
  /** Field values by lower-cased name, since field names are case-insensitive. */
  readonly fields: ReadonlyMap<string, string>;
  /** Lines of this stanza that do not follow the syntax; they are left out of `fields`. */
  readonly problems: readonly string[];
}

interface StanzaDraft {
  line: number;
  fields: Map<string, string>;
  problems: string[];
  /** Lower-cased name of the field that continuation lines extend. */
  current?: string;
}

const FIELD = /^([^\s:][^:]*):(.*)$/;

/** Splits control-file text into stanzas. Lines may end in LF or CRLF. */
export function parseStanzas(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let draft: StanzaDraft | undefined;
  const lines = text.split('\n');

  for (const [index, rawLine] of lines.entries()) {
    const lineNumber = index + 1;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;

    if (line.trim() === '') {
      if (draft !== undefined) stanzas.push(finish(draft));
      draft = undefined;
      continue;
    }
    draft ??= { line: lineNumber, fields: new Map(), problems: [] };

    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (draft.current === undefined) {
        draft.problems.push(`line ${lineNumber}: continuation line without a field before it`);
      } else {
        draft.fields.set(draft.current, `${draft.fields.get(draft.current) ?? ''}\n${line.slice(1)}`);
      }
      continue;
    }

    const match = FIELD.exec(line);
    if (match === null) {
      draft.problems.push(`line ${lineNumber}: expected "Field: value", got ${JSON.stringify(truncate(line))}`);
      draft.current = undefined;
      continue;
    }
    const name = (match[1] as string).trim().toLowerCase();
    if (draft.fields.has(name)) {
      draft.problems.push(`line ${lineNumber}: duplicate field ${JSON.stringify(match[1])}`);
      draft.current = undefined;
      continue;
    }
    draft.fields.set(name, (match[2] as string).trim());
    draft.current = name;
  }

  if (draft !== undefined) stanzas.push(finish(draft));
  return stanzas;
}

function finish(draft: StanzaDraft): Stanza {
  return { line: draft.line, fields: draft.fields, problems: draft.problems };
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
