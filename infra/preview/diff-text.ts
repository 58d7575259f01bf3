/**
 * Text diffs for long strings in a plan (SQL, scripts, JSON that did not parse): a reviewer must see the
 * whole change, never a string cut at a fixed width.
 */

/** One line of a text diff: kept (` `), removed (`-`) or added (`+`). */
export interface TextDiffLine {
  readonly op: " " | "-" | "+";
  readonly text: string;
}

/** Strings at least this long, or holding a newline, are shown as a text diff instead of two values. */
export const LONG_STRING = 100;

export function isLongString(value: unknown): value is string {
  return typeof value === "string" && (value.length >= LONG_STRING || value.includes("\n"));
}

/**
 * The changed hunks between two texts, `context` unchanged units around each. Multi-line texts are
 * compared line by line; a one-line text (generated SQL is one line) word by word, each hunk one line
 * shown as `-`/`+` around its context.
 */
export function textDiff(before: string, after: string, context = 2): TextDiffLine[] {
  if (before.includes("\n") || after.includes("\n")) {
    return hunks(sequenceDiff(before.split("\n"), after.split("\n")), context);
  }
  return wordHunks(before, after, 6);
}

type Op = { readonly op: " " | "-" | "+"; readonly text: string };

/**
 * Longest-common-subsequence diff of two sequences. The common prefix and suffix are stripped first, so
 * the quadratic table covers only the changed middle (plans change little between commits).
 */
export function sequenceDiff(a: readonly string[], b: readonly string[]): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  // lcs[i][j]: LCS length of midA[i..] and midB[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = midA[i] === midB[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: Op[] = a.slice(0, start).map((text) => ({ op: " ", text }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      ops.push({ op: " ", text: midA[i] });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.push({ op: "-", text: midA[i++] }); // removals first, as diff(1) shows them
    } else {
      ops.push({ op: "+", text: midB[j++] });
    }
  }
  for (const text of a.slice(endA)) ops.push({ op: " ", text });
  return ops;
}

/** Keeps changed lines and `context` unchanged lines around them; a gap is one `…` line. */
function hunks(ops: readonly Op[], context: number): TextDiffLine[] {
  const keep = ops.map(() => false);
  ops.forEach((o, index) => {
    if (o.op === " ") return;
    for (let k = Math.max(0, index - context); k <= Math.min(ops.length - 1, index + context); k++)
      keep[k] = true;
  });
  const out: TextDiffLine[] = [];
  let skipped = false;
  ops.forEach((o, index) => {
    if (keep[index]) {
      if (skipped) out.push({ op: " ", text: "…" });
      skipped = false;
      out.push(o);
    } else skipped = true;
  });
  if (skipped && out.length > 0) out.push({ op: " ", text: "…" });
  return out;
}

/** Word-level hunks of a one-line text: each hunk is a `-` line and a `+` line with the same context. */
function wordHunks(before: string, after: string, context: number): TextDiffLine[] {
  const ops = sequenceDiff(tokens(before), tokens(after));
  const out: TextDiffLine[] = [];
  let index = 0;
  while (index < ops.length) {
    if (ops[index].op === " ") {
      index++;
      continue;
    }
    let end = index;
    // A hunk runs until `context` words in a row are unchanged (whitespace tokens do not count).
    for (let quiet = 0, k = index; k < ops.length; k++) {
      if (ops[k].op !== " ") {
        end = k;
        quiet = 0;
      } else if (ops[k].text.trim() && ++quiet > context) break;
    }
    const lead = contextBefore(ops, index, context);
    const tail = contextAfter(ops, end, context);
    const middle = ops.slice(index, end + 1);
    const side = (op: "-" | "+") =>
      `${lead.prefix}${lead.text}${middle
        .filter((o) => o.op === " " || o.op === op)
        .map((o) => o.text)
        .join("")}${tail.text}${tail.suffix}`;
    out.push({ op: "-", text: side("-") }, { op: "+", text: side("+") });
    index = end + 1;
  }
  return out;
}

function contextBefore(ops: readonly Op[], index: number, words: number) {
  let k = index;
  let seen = 0;
  while (k > 0 && ops[k - 1].op === " " && (seen < words || !ops[k - 1].text.trim())) {
    k--;
    if (ops[k].text.trim()) seen++;
  }
  return {
    prefix: k > 0 ? "… " : "",
    text: ops
      .slice(k, index)
      .map((o) => o.text)
      .join("")
      .trimStart(),
  };
}

function contextAfter(ops: readonly Op[], end: number, words: number) {
  let k = end + 1;
  let seen = 0;
  while (k < ops.length && ops[k].op === " " && (seen < words || !ops[k].text.trim())) {
    if (ops[k].text.trim()) seen++;
    k++;
  }
  return {
    suffix: k < ops.length ? " …" : "",
    text: ops
      .slice(end + 1, k)
      .map((o) => o.text)
      .join(""),
  };
}

/** Words and the whitespace between them, so joining the tokens gives the text back. */
function tokens(text: string): string[] {
  return text.match(/\s+|[^\s]+/g) ?? [];
}
