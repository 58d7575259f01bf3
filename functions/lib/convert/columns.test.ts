import fc from "fast-check";
import { makeVector } from "apache-arrow";
import { columnType } from "./coerce";
import { columnBuffer } from "./columns";

describe("ColumnBuffer (property: appends, nulls and take-backs read back as a plain array would)", () => {
  const op = fc.oneof(fc.constant<"pop">("pop"), fc.constant(null), fc.integer({ min: -1000, max: 1000 }));
  for (const type of ["int", "bigint", "double", "string", "boolean"] as const) {
    it(`keeps ${type} values and validity exact across batches`, () => {
      fc.assert(
        fc.property(fc.array(fc.array(op, { maxLength: 40 }), { maxLength: 3 }), (batches) => {
          const buffer = columnBuffer("c", columnType(type), true);
          for (const ops of batches) {
            const expected: unknown[] = [];
            for (const o of ops) {
              if (o === "pop") {
                if (expected.length === 0) continue;
                buffer.pop();
                expected.pop();
                continue;
              }
              const value =
                o === null ? null : type === "string" ? String(o) : type === "boolean" ? o > 0 : o;
              buffer.append(value);
              expected.push(value);
            }
            const got = [...makeVector(buffer.toData())].map((v) => (typeof v === "bigint" ? Number(v) : v));
            expect(got).toEqual(expected);
            expect(buffer.toData().nullCount).toBe(expected.filter((v) => v === null).length);
            buffer.reset();
          }
        }),
      );
    });
  }
});
