import fc from "fast-check";
import { sequenceDiff, textDiff } from "./diff-text";
import { compareValues, matchLists } from "./diff-values";

/** Records with unique names, as tables, columns or steps are. */
const named = fc.uniqueArray(
  fc.record({ name: fc.stringMatching(/^[a-z]{1,6}$/), type: fc.constantFrom("int", "string", "bigint") }),
  { selector: (r) => r.name, maxLength: 12 },
);

describe("list matching by identity", () => {
  it("an item inserted anywhere is one added item and nothing else", () => {
    fc.assert(
      fc.property(named, fc.nat(), fc.constantFrom("int", "string"), (list, at, type) => {
        const item = { name: "zzzzzzz", type }; // longer than any generated name: never a duplicate
        const position = list.length === 0 ? 0 : at % (list.length + 1);
        const after = [...list.slice(0, position), item, ...list.slice(position)];
        expect(compareValues({ tables: list }, { tables: after })).toEqual([
          { path: 'tables[name="zzzzzzz"]', kind: "added", before: undefined, after: item },
        ]);
      }),
    );
  });

  it("an item removed anywhere is one removed item and nothing else", () => {
    fc.assert(
      fc.property(
        named.filter((l) => l.length > 0),
        fc.nat(),
        (list, at) => {
          const position = at % list.length;
          const after = list.filter((_, i) => i !== position);
          expect(compareValues(list, after, "columns")).toEqual([
            {
              path: `columns[name=${JSON.stringify(list[position].name)}]`,
              kind: "removed",
              before: list[position],
              after: undefined,
            },
          ]);
        },
      ),
    );
  });

  it("a reordering is one moved change listing both orders, never an add or remove", () => {
    fc.assert(
      fc.property(
        named.chain((list) =>
          fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length })),
        ),
        ([list, shuffled]) => {
          const changes = compareValues(list, shuffled, "columns");
          const same = list.every((item, i) => item.name === shuffled[i].name);
          expect(changes).toEqual(
            same
              ? []
              : [
                  {
                    path: "columns",
                    kind: "moved",
                    before: list.map((c) => c.name),
                    after: shuffled.map((c) => c.name),
                  },
                ],
          );
        },
      ),
    );
  });

  it("a changed field of one item is reported under that item's name, wherever it sits", () => {
    fc.assert(
      fc.property(
        named.filter((l) => l.length > 0),
        fc.nat(),
        (list, at) => {
          const position = at % list.length;
          const after = list.map((c, i) => (i === position ? { ...c, type: `${c.type}x` } : c));
          expect(compareValues(list, after)).toEqual([
            {
              path: `[name=${JSON.stringify(list[position].name)}].type`,
              kind: "changed",
              before: list[position].type,
              after: `${list[position].type}x`,
            },
          ]);
        },
      ),
    );
  });

  it("plain values are matched as a multiset: only what differs in count is added or removed", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 10 }),
        fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 10 }),
        (before, after) => {
          const changes = compareValues(before, after, "Resource");
          const count = (list: string[], v: string) => list.filter((x) => x === v).length;
          for (const v of ["a", "b", "c", "d"]) {
            const added = changes.filter((c) => c.kind === "added" && c.after === v).length;
            const removed = changes.filter((c) => c.kind === "removed" && c.before === v).length;
            expect(added - removed).toBe(count(after, v) - count(before, v));
            expect(Math.min(added, removed)).toBe(0);
          }
          expect(changes.every((c) => c.kind !== "changed")).toBe(true);
        },
      ),
    );
  });

  it("any value compared with itself has no changes", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) =>
        expect(compareValues(value, structuredClone(value))).toEqual([]),
      ),
    );
  });

  it("matches policy statements by Sid, and statements without one by content", () => {
    const deny = { Sid: "DenyInsecureTransport", Effect: "Deny", Action: "s3:*" };
    const read = { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::a/*"] };
    const write = { Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::a/*"] };
    expect(matchLists([deny, { ...deny, Sid: "Other" }], [{ ...deny, Sid: "Other" }, deny]).key).toBe("Sid");
    // A Sid names the statement even among statements without one (matched by content and similarity).
    expect(
      compareValues({ Statement: [deny, read] }, { Statement: [{ ...deny, Effect: "Allow" }, read] }),
    ).toEqual([
      {
        path: 'Statement[Sid="DenyInsecureTransport"].Effect',
        kind: "changed",
        before: "Deny",
        after: "Allow",
      },
    ]);
    // Without Sids: a statement added in front is one added statement; the others are matched by content.
    expect(
      compareValues(
        { Statement: [read, write] },
        { Statement: [{ Effect: "Deny", Action: "kms:*" }, read, write] },
      ),
    ).toEqual([
      { path: "Statement[]", kind: "added", before: undefined, after: { Effect: "Deny", Action: "kms:*" } },
    ]);
    // One changed field of a statement without a Sid pairs with its most similar statement.
    const widened = { ...read, Resource: ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"] };
    expect(compareValues({ Statement: [read, write] }, { Statement: [widened, write] })).toEqual([
      { path: "Statement[0].Resource[]", kind: "added", before: undefined, after: "arn:aws:s3:::b/*" },
    ]);
  });
});

describe("text diffs", () => {
  it("an LCS diff gives both texts back", () => {
    const lines = fc.array(fc.constantFrom("a", "b", "c", "SELECT 1", ""), { maxLength: 30 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const ops = sequenceDiff(a, b);
        expect(ops.filter((o) => o.op !== "+").map((o) => o.text)).toEqual(a);
        expect(ops.filter((o) => o.op !== "-").map((o) => o.text)).toEqual(b);
      }),
    );
  });

  it("shows a changed line of a multi-line text with its context, in full", () => {
    const before = ["def main():", "    x = 1", "    y = 2", "    z = 3", "    return x", "", "end"].join(
      "\n",
    );
    const after = before.replace("y = 2", "y = 20");
    expect(textDiff(before, after, 1)).toEqual([
      { op: " ", text: "…" },
      { op: " ", text: "    x = 1" },
      { op: "-", text: "    y = 2" },
      { op: "+", text: "    y = 20" },
      { op: " ", text: "    z = 3" },
      { op: " ", text: "…" },
    ]);
  });

  it("shows a changed word of a one-line SQL statement past any fixed width", () => {
    const column = (n: number) => `column_${n}`;
    const sql = (last: string) =>
      `SELECT ${Array.from({ length: 40 }, (_, i) => column(i)).join(", ")}, ${last} FROM silver.orders WHERE NOT _is_deleted`;
    const diff = textDiff(sql("amount"), sql("CAST(amount AS DECIMAL(12,2))"));
    expect(diff).toEqual([
      {
        op: "-",
        text: "… column_34, column_35, column_36, column_37, column_38, column_39, amount FROM silver.orders WHERE NOT _is_deleted",
      },
      {
        op: "+",
        text: "… column_34, column_35, column_36, column_37, column_38, column_39, CAST(amount AS DECIMAL(12,2)) FROM silver.orders WHERE NOT _is_deleted",
      },
    ]);
  });

  it("attaches a text diff to a changed long string", () => {
    const long = "x".repeat(200);
    const [change] = compareValues({ sql: `${long} a` }, { sql: `${long} b` });
    expect(change.path).toBe("sql");
    expect(change.text).toEqual([
      { op: "-", text: `${long} a` },
      { op: "+", text: `${long} b` },
    ]);
  });
});
