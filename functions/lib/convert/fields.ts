/**
 * `out[i] = record[names[i]]` for every name, fast when the object's keys come in the columns' order (the
 * common case: every line written by the same producer). A for-in over such an object walks V8's enum cache
 * with fast property loads, where ten lookups by varying names are megamorphic keyed loads (~2.5x slower).
 * From the first key out of order on, it reads by name, so the result is always exactly the keyed read of the
 * object's own keys (a name it lacks is undefined, even `toString` or `__proto__`).
 */
export function readByName(record: Record<string, unknown>, names: readonly string[], out: unknown[]): void {
  let matched = 0;
  for (const key in record) {
    if (matched === names.length || key !== names[matched]) break;
    out[matched++] = record[key];
  }
  for (let i = matched; i < names.length; i++) out[i] = ownValue(record[names[i]!]);
}

/**
 * A keyed read's value unless it came from Object.prototype (a missing `toString`, `constructor` or
 * `__proto__` key): JSON values are never functions, and a parsed object's prototype is no value of its own.
 */
function ownValue(value: unknown): unknown {
  return typeof value === "function" || value === Object.prototype ? undefined : value;
}
