import {
  Bool,
  type Data,
  DateDay,
  Decimal,
  type DataType,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  Timestamp,
  TimeUnit,
  Utf8,
} from "apache-arrow";
import {
  canonicalUtcMicrosBytes,
  dateBytes,
  int64Bytes,
  INT64_WORDS,
  integerBytes,
  plainDecimalBytes,
  utf8,
} from "./bytes";
import { coercer, NumberText, type Coercer, type ColumnType, type Converted } from "./coerce";
import { decimalBytes } from "./decimal";
import { unescapeQuotes } from "./csv";
import { ColumnBuffer } from "./column-buffer";

export { ColumnBuffer } from "./column-buffer";

const TWO_32 = 4294967296;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** Average UTF-8 bytes per value above which a string column is treated as free text (no dictionary). */
const MAX_DICTIONARY_STRING_BYTES = 48;

/**
 * Strings are encoded to UTF-8 as they arrive, so the JS strings (and the input chunk they are sliced from)
 * die young instead of surviving, and being promoted by the garbage collector, until the batch flushes.
 */
class StringColumn extends ColumnBuffer {
  private offsets = new Int32Array(1);
  private bytes = Buffer.allocUnsafe(64 * 1024);

  protected set(i: number, value: Converted): void {
    const text = value as string;
    let at = this.offsets[i]!;
    // A UTF-8 encoding takes at most 3 bytes per UTF-16 unit.
    this.reserve(at, text.length * 3);
    at += text.length === 0 ? 0 : this.bytes.write(text, at, "utf8");
    this.offsets[i + 1] = at;
  }

  /** The bytes are valid UTF-8 (`byteLines` checked them), and a string column takes any text as it is. */
  override read(bytes: Uint8Array, from: number, to: number): void {
    const i = this.next();
    const at = this.offsets[i]!;
    const n = to - from;
    this.reserve(at, n);
    const target = this.bytes;
    // A loop beats subarray() + set() (an object and a native call per value) for short values.
    if (n <= 32) for (let k = 0; k < n; k++) target[at + k] = bytes[from + k]!;
    else target.set(bytes.subarray(from, to), at);
    this.offsets[i + 1] = at + n;
  }

  /**
   * A block's fields at once: the bytes they lie in are staged behind the data (one copy per block), then each
   * value is moved into place with copyWithin — no subarray() object per value, which at a million values is
   * a hundred MB of young garbage. (Rows come in input order, so the block's fields lie in [first start, last end).)
   */
  override readFields(
    bytes: Uint8Array,
    starts: Int32Array,
    ends: Int32Array,
    escaped: Uint8Array,
    stride: number,
    k: number,
    rows: number,
  ): boolean {
    if (rows === 0) return true;
    const low = starts[k]!;
    // One byte past the last field: a quoted field's closing quote, which bounds unescapeQuotes' search.
    const span = ends[(rows - 1) * stride + k]! + 1 - low;
    const end = this.offsets[this.length]!;
    this.reserve(end, 2 * span);
    const data = this.bytes;
    const stage = end + span;
    data.set(bytes.subarray(low, low + span), stage);
    for (let r = 0, f = k; r < rows; r++, f += stride) {
      const i = this.next();
      const at = this.offsets[i]!;
      const from = stage + starts[f]! - low;
      const to = stage + ends[f]! - low;
      if (escaped[f] === 0) {
        data.copyWithin(at, from, to);
        this.offsets[i + 1] = at + (to - from);
      } else this.offsets[i + 1] = unescapeQuotes(data, from, to, data, at);
    }
    return true;
  }

  /** A JSON number is stored as its text exactly as written (`1.50`, `12345678901234567890`), not via a double. */
  override readNumber(bytes: Uint8Array, from: number, to: number): void {
    this.read(bytes, from, to);
  }

  /** Unquoted straight into the data buffer: one copy, not two. */
  protected override readQuoted(bytes: Uint8Array, from: number, to: number): void {
    const i = this.next();
    const at = this.offsets[i]!;
    this.reserve(at, to - from);
    this.offsets[i + 1] = unescapeQuotes(bytes, from, to, this.bytes, at);
  }

  private reserve(at: number, n: number): void {
    if (at + n <= this.bytes.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, at + n));
    this.bytes.copy(bigger, 0, 0, at);
    this.bytes = bigger;
  }
  protected zero(): Converted {
    return "";
  }

  /** Short strings (codes, names, states) get a dictionary; long ones (free text) rarely repeat. */
  override dictionary(): boolean {
    return this.length === 0 || this.offsets[this.length]! / this.length <= MAX_DICTIONARY_STRING_BYTES;
  }
  protected override grow(capacity: number): void {
    super.grow(capacity);
    const offsets = new Int32Array(capacity + 1);
    offsets.set(this.offsets);
    this.offsets = offsets;
  }

  toData(): Data {
    return makeData({
      type: this.field.type as Utf8,
      length: this.length,
      nullCount: this.nulls,
      nullBitmap: this.nullBitmap(),
      valueOffsets: this.offsets.subarray(0, this.length + 1),
      data: this.bytes.subarray(0, this.offsets[this.length]!),
    });
  }
}

/** int, double, date (days): one JS number per slot; the plain forms of each read in place. */
class NumberColumn extends ColumnBuffer {
  private values: Int32Array | Float64Array = this.allocate(0);
  private readonly kind = this.field.type instanceof Float64 ? 2 : this.field.type instanceof Int32 ? 1 : 0;

  override read(bytes: Uint8Array, from: number, to: number): void {
    if (!this.readPlain(bytes, from, to)) super.read(bytes, from, to);
  }

  /**
   * Plain digits read here equal JSON.parse's number (the same correctly rounded value); others take Number().
   * (A date column refuses numbers: the coercer words it.)
   */
  override readNumber(bytes: Uint8Array, from: number, to: number): void {
    if (this.kind === 0 || !this.readPlain(bytes, from, to)) super.readNumber(bytes, from, to);
  }

  /** Appends a plain decimal (double), a 32-bit integer (int) or a `YYYY-MM-DD` (date) read from the bytes; false for anything else. */
  private readPlain(bytes: Uint8Array, from: number, to: number): boolean {
    const n =
      this.kind === 2
        ? plainDecimalBytes(bytes, from, to)
        : this.kind === 1
          ? integerBytes(bytes, from, to)
          : to - from === 10
            ? (dateBytes(bytes, from) ?? NaN)
            : NaN;
    if (Number.isNaN(n) || (this.kind === 1 && (n < INT32_MIN || n > INT32_MAX))) return false;
    // next() may grow (replace) `values`: take the slot before indexing it.
    const i = this.next();
    this.values[i] = n;
    return true;
  }

  protected set(i: number, value: Converted): void {
    this.values[i] = value as number;
  }
  protected zero(): Converted {
    return 0;
  }
  protected override grow(capacity: number): void {
    super.grow(capacity);
    const values = this.allocate(capacity);
    values.set(this.values);
    this.values = values;
  }
  private allocate(n: number): Int32Array | Float64Array {
    return this.field.type instanceof Float64 ? new Float64Array(n) : new Int32Array(n);
  }

  toData(): Data {
    return makeData({
      type: this.field.type as Int32,
      length: this.length,
      nullCount: this.nulls,
      nullBitmap: this.nullBitmap(),
      data: this.values.subarray(0, this.length) as Int32Array,
    });
  }
}

const BIG_SCRATCH = new BigInt64Array(1);
const WORD_SCRATCH = new Int32Array(BIG_SCRATCH.buffer);

/** A column whose values can all be moved by a constant (a segment's `_source_row`, see run.ts). */
export interface Shiftable {
  shift(by: number): void;
}

/** bigint and timestamp (µs): 64-bit little-endian words, written from safe integers without a BigInt. */
class Int64Column extends ColumnBuffer implements Shiftable {
  private words = new Int32Array(0);
  private readonly timestamp = this.field.type instanceof Timestamp;

  override read(bytes: Uint8Array, from: number, to: number): void {
    const n = this.timestamp
      ? to - from === 20
        ? canonicalUtcMicrosBytes(bytes, from)
        : undefined
      : integerBytes(bytes, from, to);
    if (n !== undefined && !Number.isNaN(n)) this.setNumber(this.next(), n);
    else if (!(!this.timestamp && this.readLong(bytes, from, to))) super.read(bytes, from, to);
  }

  /** A bigint of 16 digits or more (ids from a snowflake generator), straight into its two words. */
  private readLong(bytes: Uint8Array, from: number, to: number): boolean {
    if (!int64Bytes(bytes, from, to)) return false;
    const i = this.next();
    this.words[2 * i] = INT64_WORDS[0]!;
    this.words[2 * i + 1] = INT64_WORDS[1]!;
    return true;
  }

  /**
   * A JSON number: plain digits straight in for bigint, longer ones read exactly from their text (a double would
   * round 9007199254740993); a timestamp's epoch seconds go through the coercer as JSON.parse's number.
   */
  override readNumber(bytes: Uint8Array, from: number, to: number): void {
    if (this.timestamp) return super.readNumber(bytes, from, to);
    const n = integerBytes(bytes, from, to);
    if (!Number.isNaN(n)) this.setNumber(this.next(), n);
    else if (!this.readLong(bytes, from, to)) this.take(new NumberText(utf8(bytes, from, to)));
  }

  protected set(i: number, value: Converted): void {
    if (typeof value === "bigint") {
      // Through one reused 8-byte scratch: no typed-array view per value.
      BIG_SCRATCH[0] = value;
      this.words[2 * i] = WORD_SCRATCH[0]!;
      this.words[2 * i + 1] = WORD_SCRATCH[1]!;
      return;
    }
    this.setNumber(i, value as number);
  }

  /** A constant (`_ingested_at`): its two words computed once. */
  override repeat(value: Converted, rows: number): void {
    if (typeof value !== "number" || rows === 0) return super.repeat(value, rows);
    const first = this.next();
    this.setNumber(first, value);
    if (this.capacity < first + rows) this.grow(Math.max(this.capacity * 2, first + rows));
    const [low, high] = [this.words[2 * first]!, this.words[2 * first + 1]!];
    for (let i = first + 1; i < first + rows; i++) {
      this.words[2 * i] = low;
      this.words[2 * i + 1] = high;
    }
    this.length = first + rows;
    if (this.nulls !== 0)
      for (let i = first + 1; i < first + rows; i++) this.validity[i >> 3] |= 1 << (i & 7);
  }

  /** Adds `by` to every value: non-negative safe integers that stay safe (record ordinals). */
  shift(by: number): void {
    const words = this.words;
    for (let i = 0; i < this.length; i++) {
      const n = (words[2 * i]! >>> 0) + words[2 * i + 1]! * TWO_32 + by;
      this.setNumber(i, n);
    }
  }

  private setNumber(i: number, n: number): void {
    const high = Math.floor(n / TWO_32);
    this.words[2 * i] = (n - high * TWO_32) | 0;
    this.words[2 * i + 1] = high;
  }
  protected zero(): Converted {
    return 0;
  }
  protected override grow(capacity: number): void {
    super.grow(capacity);
    const words = new Int32Array(capacity * 2);
    words.set(this.words);
    this.words = words;
  }

  toData(): Data {
    return makeData({
      type: this.field.type as Int64,
      length: this.length,
      nullCount: this.nulls,
      nullBitmap: this.nullBitmap(),
      data: new BigInt64Array(this.words.buffer, 0, this.length),
    });
  }
}

/** decimal(p,s): 128-bit two's complement unscaled integers. */
class DecimalColumn extends ColumnBuffer {
  private words = new Uint32Array(0);
  private readonly precision = (this.field.type as Decimal).precision;
  private readonly scale = (this.field.type as Decimal).scale;

  /** Plain `-?\d+(\.\d+)?` of up to 15 digits read in place; anything else as text through the coercer. */
  override read(bytes: Uint8Array, from: number, to: number): void {
    const n = decimalBytes(bytes, from, to, this.precision, this.scale);
    if (Number.isNaN(n)) super.read(bytes, from, to);
    else this.set(this.next(), n);
  }

  /** A JSON number, exactly from its text: the same plain form in place, anything else as its source text. */
  override readNumber(bytes: Uint8Array, from: number, to: number): void {
    const n = decimalBytes(bytes, from, to, this.precision, this.scale);
    if (Number.isNaN(n)) this.take(new NumberText(utf8(bytes, from, to)));
    else this.set(this.next(), n);
  }

  protected set(i: number, value: Converted): void {
    if (typeof value === "number") {
      const high = Math.floor(value / TWO_32);
      const sign = value < 0 ? 0xffffffff : 0;
      this.words[4 * i] = value - high * TWO_32;
      this.words[4 * i + 1] = high >>> 0;
      this.words[4 * i + 2] = sign;
      this.words[4 * i + 3] = sign;
      return;
    }
    let big = BigInt.asUintN(128, value as bigint);
    for (let w = 0; w < 4; w++) {
      this.words[4 * i + w] = Number(big & 0xffffffffn);
      big >>= 32n;
    }
  }
  protected zero(): Converted {
    return 0;
  }
  protected override grow(capacity: number): void {
    super.grow(capacity);
    const words = new Uint32Array(capacity * 4);
    words.set(this.words);
    this.words = words;
  }

  toData(): Data {
    return makeData({
      type: this.field.type as Decimal,
      length: this.length,
      nullCount: this.nulls,
      nullBitmap: this.nullBitmap(),
      data: this.words.subarray(0, this.length * 4),
    });
  }
}

class BoolColumn extends ColumnBuffer {
  private bits = new Uint8Array(0);

  protected set(i: number, value: Converted): void {
    if (value) this.bits[i >> 3] |= 1 << (i & 7);
    else this.bits[i >> 3] &= ~(1 << (i & 7));
  }
  protected zero(): Converted {
    return false;
  }
  protected override grow(capacity: number): void {
    super.grow(capacity);
    const bits = new Uint8Array(Math.ceil(capacity / 8));
    bits.set(this.bits);
    this.bits = bits;
  }

  toData(): Data {
    return makeData({
      type: this.field.type as Bool,
      length: this.length,
      nullCount: this.nulls,
      nullBitmap: this.nullBitmap(),
      data: this.bits.subarray(0, Math.ceil(this.length / 8)),
    });
  }
}

/** The Arrow type a spec column is stored as in bronze. */
export function arrowType(type: ColumnType): DataType {
  switch (type.kind) {
    case "string":
      return new Utf8();
    case "int":
      return new Int32();
    case "bigint":
      return new Int64();
    case "double":
      return new Float64();
    case "boolean":
      return new Bool();
    case "date":
      return new DateDay();
    case "timestamp":
      return new Timestamp(TimeUnit.MICROSECOND, "UTC");
    case "decimal":
      return new Decimal(type.scale!, type.precision!, 128);
  }
}

export function columnBuffer(
  name: string,
  type: ColumnType,
  nullable: boolean,
  coerce: Coercer = coercer(name, type, nullable),
): ColumnBuffer {
  const buffer = newBuffer(new Field(name, arrowType(type), nullable), type, coerce);
  // 64-bit integers, doubles and timestamps are mostly unique (keys, measures, event times).
  if (type.kind === "bigint" || type.kind === "double" || type.kind === "timestamp")
    buffer.dictionaryByDefault = false;
  return buffer;
}

function newBuffer(field: Field, type: ColumnType, coerce: Coercer): ColumnBuffer {
  switch (type.kind) {
    case "string":
      return new StringColumn(field, coerce);
    case "bigint":
    case "timestamp":
      return new Int64Column(field, coerce);
    case "decimal":
      return new DecimalColumn(field, coerce);
    case "boolean":
      return new BoolColumn(field, coerce);
    default:
      return new NumberColumn(field, coerce);
  }
}
