import type { Line } from "./text";

/** One CSV record: its fields, or why it could not be read; `line` is the line it starts on. */
export type CsvRecord =
  | { line: number; raw: string; fields: string[]; error?: undefined }
  | { line: number; raw: string; fields?: undefined; error: string };

/** A record longer than this is an unterminated quote swallowing the file; it is quarantined, not buffered. */
export const MAX_RECORD_CHARS = 1 << 20;

/**
 * RFC 4180 records from physical lines: `"` quotes fields, `""` is a quote inside one, and a quoted field
 * may span lines (a record continues while its count of `"` is odd). Lines without a quote take a fast
 * `split(",")`. A stray quote in an unquoted field, text after a closing quote, or an unterminated quote
 * make the record an error; reading resumes at the next record.
 */
export class CsvRecords {
  private pending: string | undefined;
  private pendingLine = 0;
  private pendingQuotes = 0;

  constructor(private readonly delimiter = ",") {}

  /** No record is open across lines: the next line starts a record. */
  get idle(): boolean {
    return this.pending === undefined;
  }

  /** Records completed by these lines (a record spanning lines completes on its last line). */
  push(lines: readonly Line[], out: CsvRecord[] = []): CsvRecord[] {
    for (const { line, text } of lines) {
      if (this.pending === undefined) {
        if (text.indexOf('"') === -1) {
          out.push({ line, raw: text, fields: text.split(this.delimiter) });
          continue;
        }
        const quotes = countQuotes(text);
        const record = parseQuoted(text, line, this.delimiter);
        // An odd quote count continues the record only when a quoted field is open; a stray quote is an error now.
        if (quotes % 2 === 0 || !record.error?.startsWith(UNTERMINATED)) out.push(record);
        else {
          this.pending = text;
          this.pendingLine = line;
          this.pendingQuotes = quotes;
        }
        continue;
      }
      this.pending += "\n" + text;
      this.pendingQuotes += countQuotes(text);
      if (this.pendingQuotes % 2 === 0) {
        out.push(parseQuoted(this.pending, this.pendingLine, this.delimiter));
        this.pending = undefined;
      } else if (this.pending.length > MAX_RECORD_CHARS) {
        out.push(this.unterminated(`record is longer than ${MAX_RECORD_CHARS} characters`));
      }
    }
    return out;
  }

  /** At end of input: a record still open has an unterminated quote. */
  end(): CsvRecord[] {
    return this.pending === undefined ? [] : [this.unterminated("input ended")];
  }

  private unterminated(why: string): CsvRecord {
    const record: CsvRecord = {
      line: this.pendingLine,
      raw: this.pending!.slice(0, 64 * 1024),
      error: `unterminated quoted field starting on line ${this.pendingLine} (${why})`,
    };
    this.pending = undefined;
    return record;
  }
}

const UNTERMINATED = "unterminated quoted field";

function countQuotes(text: string): number {
  let count = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) count++;
  return count;
}

/** Parses one complete record that contains quotes. */
export function parseQuoted(text: string, line: number, delimiter = ","): CsvRecord {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = "";
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1) return { line, raw: text, error: `${UNTERMINATED} in column ${fields.length + 1}` };
        value += text.slice(from, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          from = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i === text.length) return { line, raw: text, fields };
      if (text[i] !== delimiter) {
        return {
          line,
          raw: text,
          error: `unexpected text after the closing quote in column ${fields.length}`,
        };
      }
      i++;
      continue;
    }
    const next = text.indexOf(delimiter, i);
    const value = next === -1 ? text.slice(i) : text.slice(i, next);
    if (value.includes('"')) {
      return { line, raw: text, error: `stray quote in unquoted column ${fields.length + 1}` };
    }
    fields.push(value);
    if (next === -1) return { line, raw: text, fields };
    i = next + 1;
  }
}

/** Quotes a field when it needs it (used by tests and the benchmark's generator). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value === "" ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Splits one single-line record into field ranges without building a string per field: field k is
 * `text.slice(starts[k], ends[k])`, or `unescaped[k]` when it was quoted with doubled quotes inside. Returns the
 * number of fields (ranges are kept for the first `width` only), or -1 when the line needs `CsvRecords` — an
 * unterminated quote (a record spanning lines), a stray quote or text after a closing quote — so that parser
 * stays the one that decides and words every error. Same fields as `parseQuoted` whenever it returns >= 0.
 */
export class CsvFieldScanner {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly unescaped: (string | undefined)[];

  constructor(readonly width: number) {
    this.starts = new Int32Array(width);
    this.ends = new Int32Array(width);
    this.unescaped = new Array<string | undefined>(width).fill(undefined);
  }

  scan(text: string): number {
    const length = text.length;
    let nextQuote = text.indexOf('"');
    let p = 0;
    let n = 0;
    for (;;) {
      if (p === nextQuote) {
        let close = text.indexOf('"', p + 1);
        if (close === -1) return -1;
        let value: string | undefined;
        if (text.charCodeAt(close + 1) === 34) {
          value = text.slice(p + 1, close);
          for (;;) {
            const from = close + 2;
            close = text.indexOf('"', from);
            if (close === -1) return -1;
            value += '"' + text.slice(from, close);
            if (text.charCodeAt(close + 1) !== 34) break;
          }
        }
        if (n < this.width) {
          this.starts[n] = p + 1;
          this.ends[n] = close;
          this.unescaped[n] = value;
        }
        n++;
        p = close + 1;
        if (p === length) return n;
        if (text.charCodeAt(p) !== 44) return -1;
        p++;
        nextQuote = text.indexOf('"', p);
        continue;
      }
      const comma = text.indexOf(",", p);
      const end = comma === -1 ? length : comma;
      if (nextQuote !== -1 && nextQuote < end) return -1;
      if (n < this.width) {
        this.starts[n] = p;
        this.ends[n] = end;
        this.unescaped[n] = undefined;
      }
      n++;
      if (comma === -1) return n;
      p = comma + 1;
    }
  }
}
