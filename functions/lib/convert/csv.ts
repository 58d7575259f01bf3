/** One CSV record: its fields, or why it could not be read; `line` is the line it starts on. */
export type CsvRecord =
  | { line: number; raw: string; fields: string[]; error?: undefined }
  | { line: number; raw: string; fields?: undefined; error: string };

/** One physical line: its number, its text without the line ending, and whether that ending was "\r\n". */
export interface CsvLine {
  line: number;
  text: string;
  crlf?: boolean;
}

/** A record spanning lines may hold at most this many characters before its quote is taken as unterminated. */
export const MAX_RECORD_CHARS = 1 << 20;
/** ... and span at most this many lines: a free-text field of a few paragraphs fits, a whole file does not. */
export const MAX_RECORD_LINES = 1000;

/**
 * RFC 4180 records from physical lines: `"` quotes fields, `""` is a quote inside one, and a quoted field
 * may span lines. Lines without a quote take a fast `split(",")`. A stray quote in an unquoted field or text
 * after a closing quote make the record an error.
 *
 * Resynchronisation: one quote out of step must not swallow the records after it. A line left inside a
 * quoted field opens a record spanning lines only when that field is within the header's `width`; the record
 * is accepted when its quote closes, within MAX_RECORD_LINES lines and MAX_RECORD_CHARS characters, into a
 * well-formed record of exactly `width` fields. Otherwise (input ended, bound reached, a malformed or
 * wrong-width record) the opening line alone is an error, "unterminated quoted field", and the lines after
 * it are read again as records of their own. (DuckDB's `ignore_errors` and Python's csv module keep
 * reading the rest of the file as the open field instead: one error, or one huge value, for many rows.)
 */
export class CsvRecords {
  /** The header's number of fields, once known (`Infinity` before: the header itself may span lines). */
  width = Infinity;
  private pending: CsvLine[] = [];
  private pendingQuotes = 0;
  private pendingChars = 0;
  /** The column (1-based) of the quoted field left open on the pending record's first line. */
  private openColumn = 0;

  constructor(private readonly delimiter = ",") {}

  /**
   * How a reason names a line: its number, or (a worker's segment, whose first line's number is not known yet)
   * a mark that ConversionRun's flush turns into the number (see `lineMark`).
   */
  lineName: (line: number) => string = String;

  /** The line the record open across lines starts on (undefined when idle). */
  get pendingLine(): number | undefined {
    return this.pending[0]?.line;
  }

  /** No record is open across lines: the next line starts a record. */
  get idle(): boolean {
    return this.pending.length === 0;
  }

  /** Records completed by these lines (a record spanning lines completes on its last line). */
  push(lines: readonly CsvLine[], out: CsvRecord[] = []): CsvRecord[] {
    for (const line of lines) this.feed(line, out);
    return out;
  }

  /** At end of input: a record still open has an unterminated quote; the lines after its first are read alone. */
  end(out: CsvRecord[] = []): CsvRecord[] {
    while (this.pending.length > 0) this.resync("input ended", out);
    return out;
  }

  private feed(physical: CsvLine, out: CsvRecord[]): void {
    const { line, text } = physical;
    if (this.pending.length === 0) {
      if (text.indexOf('"') === -1) {
        out.push({ line, raw: text, fields: text.split(this.delimiter) });
        return;
      }
      const quotes = countQuotes(text);
      const record = parseRecord(text, line, this.delimiter);
      // An odd quote count continues the record only when a quoted field is open; a stray quote is an error now.
      if (quotes % 2 === 0 || record.open === undefined) out.push(record);
      else if (record.open > this.width) {
        out.push({
          line,
          raw: text,
          error: `${UNTERMINATED} in column ${record.open}, beyond the header's ${this.width} columns`,
        });
      } else {
        this.pending.push(physical);
        this.pendingQuotes = quotes;
        this.pendingChars = text.length;
        this.openColumn = record.open;
      }
      return;
    }
    this.pending.push(physical);
    this.pendingQuotes += countQuotes(text);
    this.pendingChars += text.length + 2;
    if (this.pendingQuotes % 2 === 0) {
      const record = parseRecord(this.joined(), this.pending[0]!.line, this.delimiter);
      if (record.error === undefined && (record.fields.length === this.width || this.width === Infinity)) {
        this.pending = [];
        out.push(record);
      } else {
        this.resync(
          record.error === undefined
            ? `closed on line ${this.lineName(line)} into ${record.fields.length} fields, not ${this.width}`
            : `closed on line ${this.lineName(line)} into a malformed record: ${record.error}`,
          out,
        );
      }
    } else if (this.pending.length > MAX_RECORD_LINES) {
      this.resync(`still open after ${MAX_RECORD_LINES} lines`, out);
    } else if (this.pendingChars > MAX_RECORD_CHARS) {
      this.resync(`still open after ${MAX_RECORD_CHARS} characters`, out);
    }
  }

  /** The pending record's first line is an error on its own; the lines after it are read again as records. */
  private resync(why: string, out: CsvRecord[]): void {
    const [first, ...rest] = this.pending;
    this.pending = [];
    out.push({
      line: first!.line,
      raw: first!.text,
      error: `${UNTERMINATED} in column ${this.openColumn} (${why})`,
    });
    for (const physical of rest) this.feed(physical, out);
  }

  /** The pending lines as written: each joined to the next by its own line ending. */
  private joined(): string {
    let text = this.pending[0]!.text;
    for (let i = 1; i < this.pending.length; i++)
      text += (this.pending[i - 1]!.crlf ? "\r\n" : "\n") + this.pending[i]!.text;
    return text;
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
  const record = parseRecord(text, line, delimiter);
  delete record.open;
  return record;
}

/** `parseQuoted`, and when the text ends inside a quoted field, that field's column (1-based) as `open`. */
function parseRecord(text: string, line: number, delimiter: string): CsvRecord & { open?: number } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = "";
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1) {
          const open = fields.length + 1;
          return { line, raw: text, error: `${UNTERMINATED} in column ${open}`, open };
        }
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
 * Splits single-line records into field ranges straight from the input's bytes, without a string per line or
 * per field: field k of the last record is `bytes[starts[k], ends[k])`, with doubled quotes still in it when
 * `escaped[k]` (see `unescapeQuotes`). `scan` returns the record's number of fields (ranges are kept for the
 * first `width` only) and sets `next` past its line ending, or returns -1 when the line needs `CsvRecords` — a
 * quoted field left open at the end of the line (a record spanning lines), a stray quote, text after a
 * closing quote — so that parser stays the one that decides and words every error. Same fields as
 * `parseQuoted` on the line's text whenever it returns >= 0.
 */
export class CsvByteScanner {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly escaped: Uint8Array;
  /** Where the next record starts: just past the newline of the last record scanned. */
  next = 0;
  /** The next quote (-1: none) at or after where it was last looked for in `quoteIn`. */
  private quoteAt = -1;
  private quoteIn: Buffer | undefined;
  /** The next newline at or after where it was last looked for in `newlineIn`. */
  private newlineAt = -1;
  private newlineIn: Buffer | undefined;

  /** `rows`: how many records' ranges it holds at once (record r's field k at `r * width + k`). */
  constructor(
    readonly width: number,
    readonly rows = 1,
  ) {
    this.starts = new Int32Array(width * rows);
    this.ends = new Int32Array(width * rows);
    this.escaped = new Uint8Array(width * rows);
  }

  /**
   * Scans the record at `p` into slot `row`. `bytes` must hold a newline at or after `p` (`byteLines` chunks
   * end with one).
   */
  scan(bytes: Buffer, p: number, row = 0): number {
    const base = row * this.width;
    let n = 0;
    for (;;) {
      let c = bytes[p];
      if (c === 34) {
        let q = p + 1;
        let escaped = 0;
        for (;;) {
          c = bytes[q];
          if (c === 34) {
            if (bytes[q + 1] !== 34) break;
            escaped = 1;
            q += 2;
          } else if (c === 10) return -1;
          else if (q - p < LONG_FIELD) q++;
          else {
            // A long field (free text): let memchr find the next quote; a newline before it means the field goes
            // on to the next line.
            const quote = bytes.indexOf(34, q);
            if (quote < 0 || quote > this.newlineAfter(bytes, q)) return -1;
            q = quote;
          }
        }
        if (n < this.width) {
          this.starts[base + n] = p + 1;
          this.ends[base + n] = q;
          this.escaped[base + n] = escaped;
        }
        n++;
        p = q + 1;
        c = bytes[p];
        if (c === 44) {
          p++;
          continue;
        }
        if (c === 10) {
          this.next = p + 1;
          return n;
        }
        if (c === 13 && bytes[p + 1] === 10) {
          this.next = p + 2;
          return n;
        }
        return -1;
      }
      let q = p;
      while (c !== 44 && c !== 10 && c !== 34) {
        if (q - p === LONG_FIELD) {
          q = this.unquotedEnd(bytes, q);
          c = bytes[q];
          break;
        }
        c = bytes[++q];
      }
      if (c === 34) return -1;
      if (n < this.width) {
        this.starts[base + n] = p;
        // The line's "\r\n" ending is not part of the last field.
        this.ends[base + n] = c === 10 && q > p && bytes[q - 1] === 13 ? q - 1 : q;
        this.escaped[base + n] = 0;
      }
      n++;
      if (c === 10) {
        this.next = q + 1;
        return n;
      }
      p = q + 1;
    }
  }

  /** The first comma, quote or newline from `q` (memchr each, the quote's position kept across records). */
  private unquotedEnd(bytes: Buffer, q: number): number {
    const newline = this.newlineAfter(bytes, q);
    if (this.quoteIn !== bytes || (this.quoteAt >= 0 && this.quoteAt < q)) {
      this.quoteIn = bytes;
      this.quoteAt = bytes.indexOf(34, q);
    }
    const comma = bytes.indexOf(44, q);
    let end = comma < 0 || comma > newline ? newline : comma;
    if (this.quoteAt >= 0 && this.quoteAt < end) end = this.quoteAt;
    return end;
  }

  /** The newline ending the line that `q` is on (there is always one: `byteLines` chunks end with it). */
  private newlineAfter(bytes: Buffer, q: number): number {
    if (this.newlineIn !== bytes || this.newlineAt < q) {
      this.newlineIn = bytes;
      this.newlineAt = bytes.indexOf(10, q);
    }
    return this.newlineAt;
  }
}

/**
 * Bytes a field is scanned one by one before the scanner hands the rest to Buffer#indexOf (memchr, SIMD): short
 * fields (numbers, codes) end sooner than a native call costs, long ones (free text) are found ~8x faster.
 */
const LONG_FIELD = 24;

/** Buffer#indexOf (memchr) works on any Uint8Array, and a plain one's subarray() is cheaper than a Buffer's. */
const memchr = Buffer.prototype.indexOf as (this: Uint8Array, value: number, from: number) => number;

/**
 * Copies `bytes[from, to)` — a quoted field's content, `bytes[to]` its closing quote — into `out` at `at` with
 * each doubled quote made one; returns the end in `out`. `out` may be `bytes` itself, below `from`.
 */
export function unescapeQuotes(
  bytes: Uint8Array,
  from: number,
  to: number,
  out: Uint8Array,
  at: number,
): number {
  for (;;) {
    // The field's closing quote bounds the search.
    const q = memchr.call(bytes, 34, from);
    const end = q < to ? q + 1 : to;
    // A short run (a quoted word) is cheaper copied by hand than through subarray() + set().
    if (end - from <= 32) for (let i = from; i < end; i++) out[at++] = bytes[i]!;
    else {
      // Within one buffer (a column's staged block), copyWithin moves the run without a subarray() object.
      if (out === bytes) out.copyWithin(at, from, end);
      else out.set(bytes.subarray(from, end), at);
      at += end - from;
    }
    if (end === to) return at;
    from = end + 1;
  }
}

/** A line number relative to a segment, in a reason: `resolveLineMarks` adds the lines before the segment. */
export function lineMark(line: number): string {
  return `\u0001${line}\u0001`;
}

/** The reason with each `lineMark` made the line's number in the file. */
export function resolveLineMarks(reason: string, linesBefore: number): string {
  return reason.includes("\u0001")
    ? // eslint-disable-next-line no-control-regex -- U+0001 is the mark: it cannot occur in a reason's own text
      reason.replace(/\u0001(\d+)\u0001/g, (_, n: string) => String(Number(n) + linesBefore))
    : reason;
}
