import type { Data, Field } from "apache-arrow";
import { utf8 } from "./bytes";
import { CoercionError, type Coercer, type Converted } from "./coerce";
import { unescapeQuotes } from "./csv";

/** Where `readFields` unquotes a field with doubled quotes before reading it. */
let quoteScratch = new Uint8Array(64 * 1024);

/**
 * A column of one batch, filled with already-coerced values straight into typed arrays (Arrow's builder API
 * is about 3x slower) and turned into Arrow `Data` at flush. Capacity grows by doubling, so memory follows the
 * batch size, never the file size.
 */
export abstract class ColumnBuffer {
  length = 0;
  protected capacity = 0;
  protected validity = new Uint8Array(0);
  protected nulls = 0;

  constructor(
    readonly field: Field,
    /** The column's coercer: `read` falls back to it for any form its byte reader does not take. */
    protected readonly coerce: Coercer,
  ) {}

  /**
   * Appends a field given as UTF-8 bytes exactly as `append(coerce(text))` would, or throws the coercer's
   * CoercionError having appended nothing. Subclasses read their common plain forms from the bytes directly:
   * no string, no boxed number, no intermediate array per row.
   */
  read(bytes: Uint8Array, from: number, to: number): void {
    this.append(this.coerce(utf8(bytes, from, to)));
  }

  /** Appends a JSON value as its coercer reads it. */
  take(value: unknown): void {
    this.append(this.coerce(value));
  }

  /** Appends a JSON number token (already checked against JSON's grammar) exactly as `take(JSON.parse(text))`. */
  readNumber(bytes: Uint8Array, from: number, to: number): void {
    this.take(Number(utf8(bytes, from, to)));
  }

  /**
   * Reads field `k` of `rows` scanned CSV records (record r's range at `r * stride + k` of `starts`/`ends`;
   * doubled quotes still in it when `escaped`) — a column at a time, so each value is read by one monomorphic
   * loop. False at the first value that does not coerce, with the values before it left appended: the caller
   * truncates to its mark and reads the records one by one, which words the quarantine reasons.
   */
  readFields(
    bytes: Uint8Array,
    starts: Int32Array,
    ends: Int32Array,
    escaped: Uint8Array,
    stride: number,
    k: number,
    rows: number,
  ): boolean {
    try {
      for (let r = 0, at = k; r < rows; r++, at += stride) {
        if (escaped[at] === 0) this.read(bytes, starts[at]!, ends[at]!);
        else this.readQuoted(bytes, starts[at]!, ends[at]!);
      }
      return true;
    } catch (error) {
      if (error instanceof CoercionError) return false;
      throw error;
    }
  }

  /** Reads a quoted field's content that has doubled quotes in it (`bytes[to]` is its closing quote). */
  protected readQuoted(bytes: Uint8Array, from: number, to: number): void {
    if (quoteScratch.length < to - from) quoteScratch = new Uint8Array(2 * (to - from));
    this.read(quoteScratch, 0, unescapeQuotes(bytes, from, to, quoteScratch, 0));
  }

  /** Appends `value` as its coercer reads it, `rows` times (a column the input does not have); false if it does not coerce. */
  fill(value: unknown, rows: number): boolean {
    let converted: Converted;
    try {
      converted = this.coerce(value);
    } catch (error) {
      if (error instanceof CoercionError) return false;
      throw error;
    }
    this.repeat(converted, rows);
    return true;
  }

  /** Appends an already converted value `rows` times. */
  repeat(value: Converted, rows: number): void {
    for (let r = 0; r < rows; r++) this.append(value);
  }

  /** Remembers the current length, to go back to with `truncate`. */
  mark(): number {
    this.markedNulls = this.nulls;
    return this.length;
  }

  /** Drops the values appended since `mark()` returned `length`. */
  truncate(length: number): void {
    this.length = length;
    this.nulls = this.markedNulls;
  }

  private markedNulls = 0;

  /** Removes the last value (its row failed on a later column). */
  pop(): void {
    if (this.length === 0) throw new Error(`${this.field.name}: nothing to take back`);
    const i = --this.length;
    if (this.nulls !== 0 && (this.validity[i >> 3]! & (1 << (i & 7))) === 0) this.nulls--;
  }

  /**
   * Claims the next slot as non-null and returns its index. The validity bits are kept only while the batch
   * has a null (most columns never do): the first null sets the bits of every value before it.
   */
  protected next(): number {
    if (this.length === this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    const i = this.length++;
    if (this.nulls !== 0) this.validity[i >> 3] |= 1 << (i & 7);
    return i;
  }

  append(value: Converted): void {
    if (value !== null) return this.set(this.next(), value);
    if (this.length === this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    const i = this.length++;
    if (this.nulls === 0) {
      // The values before the first null are all valid: their bits were not kept until now.
      this.validity.fill(0xff, 0, i >> 3);
      this.validity[i >> 3] = (1 << (i & 7)) - 1;
    } else this.validity[i >> 3] &= ~(1 << (i & 7));
    this.nulls++;
    this.set(i, this.zero());
  }

  /** The Arrow data of the rows appended since the last reset. */
  abstract toData(): Data;

  /**
   * Whether Parquet should try dictionary encoding for this column. Dictionaries pay off for repeated values
   * (codes, states, flags, dates) and cost ~40% of the write for unique ones (ids, measures, timestamps, free
   * text), where the writer builds a dictionary only to fall back to plain encoding.
   */
  dictionary(): boolean {
    return this.dictionaryByDefault;
  }

  dictionaryByDefault = true;

  reset(): void {
    this.length = 0;
    this.nulls = 0;
  }

  protected abstract set(i: number, value: Converted): void;
  protected abstract zero(): Converted;

  protected grow(capacity: number): void {
    const validity = new Uint8Array(Math.ceil(capacity / 8));
    validity.set(this.validity);
    this.validity = validity;
    this.capacity = capacity;
  }

  protected nullBitmap(): Uint8Array | undefined {
    return this.nulls === 0 ? undefined : this.validity.subarray(0, Math.ceil(this.length / 8));
  }
}
