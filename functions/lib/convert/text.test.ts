import { crc32, deflateRawSync, gunzipSync, gzipSync } from "node:zlib";
import * as fc from "fast-check";
import { chunks } from "../../test/fixtures";
import { byteLines, inputInfo, InputError, type ByteLinesOptions, type InputInfo } from "./text";

interface Out {
  text: string;
  valid: boolean;
  oversized?: string;
}

async function collect(source: AsyncIterable<Uint8Array>, options: ByteLinesOptions = {}): Promise<Out[]> {
  const out: Out[] = [];
  for await (const { bytes, valid, oversized } of byteLines(source, options)) {
    out.push({
      text: bytes.toString("latin1"),
      valid,
      ...(oversized ? { oversized: oversized.reason } : {}),
    });
  }
  return out;
}

/** The lines byteLines yields, as UTF-8 text (each chunk checked to end with a newline). */
async function linesOf(source: AsyncIterable<Uint8Array>, options: ByteLinesOptions = {}): Promise<string[]> {
  const out = await collect(source, options);
  expect(out.every((c) => c.text.endsWith("\n"))).toBe(true);
  return Buffer.from(out.map((c) => c.text).join(""), "latin1")
    .toString()
    .split("\n")
    .slice(0, -1);
}

/** Runs byteLines to its end; the lines it yielded and what it threw. */
async function settle(source: AsyncIterable<Uint8Array>): Promise<{ lines: string[]; error: unknown }> {
  const parts: string[] = [];
  try {
    for await (const { bytes } of byteLines(source)) parts.push(bytes.toString());
    return { lines: parts.join("").split("\n").slice(0, -1), error: undefined };
  } catch (error) {
    return { lines: parts.join("").split("\n").slice(0, -1), error };
  }
}

/** A gzip member (RFC 1952) with the optional header fields given, as gzip(1) and other writers make them. */
function gzipMember(m: {
  text: string;
  extra: Uint8Array | null;
  name: string | null;
  comment: string | null;
  headerCrc: boolean;
}): Buffer {
  const data = Buffer.from(m.text);
  const flags =
    (m.headerCrc ? 2 : 0) | (m.extra ? 4 : 0) | (m.name !== null ? 8 : 0) | (m.comment !== null ? 16 : 0);
  const parts: Buffer[] = [Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3])];
  if (m.extra) parts.push(Buffer.from([m.extra.length & 0xff, m.extra.length >> 8]), Buffer.from(m.extra));
  if (m.name !== null) parts.push(Buffer.from(m.name + "\0", "latin1"));
  if (m.comment !== null) parts.push(Buffer.from(m.comment + "\0", "latin1"));
  if (m.headerCrc) {
    const crc = Buffer.alloc(2);
    crc.writeUInt16LE(crc32(Buffer.concat(parts)) & 0xffff);
    parts.push(crc);
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data) >>> 0, 0);
  trailer.writeUInt32LE(data.length, 4);
  return Buffer.concat([...parts, deflateRawSync(data), trailer]);
}

describe("byteLines", () => {
  it("yields whole lines only, whatever the source's chunk sizes, and strips a BOM split across chunks", async () => {
    const text = "\uFEFFa,b\r\nccc\n\nlast";
    for (const size of [1, 2, 3, 5, 64]) {
      const out = await collect(chunks(text, size));
      expect(out.every((c) => c.text.endsWith("\n") && c.valid)).toBe(true);
      expect(Buffer.from(out.map((c) => c.text).join(""), "latin1").toString()).toBe("a,b\r\nccc\n\nlast\n");
    }
  });

  it("gunzips by the magic bytes and flags a chunk that is not UTF-8", async () => {
    const out = await collect(chunks(gzipSync(Buffer.from([0x61, 0x0a, 0xff, 0x0a])), 3));
    expect(out.map((c) => c.valid)).toContain(false);
    expect(out.map((c) => c.text).join("")).toBe("a\n\xff\n");
  });

  it("fails with InputError on a truncated gzip, after the lines before it", async () => {
    const gz = gzipSync(Buffer.from("x\n".repeat(100_000)));
    const { lines, error } = await settle(chunks(gz.subarray(0, gz.length - 40), 4096));
    expect(error).toBeInstanceOf(InputError);
    expect(lines.length).toBeGreaterThan(0);
  });
});

describe("byteLines: line endings (defect 1, CR-only files)", () => {
  it("ends lines at a lone CR in a file with CRs and no LF, whatever the chunk sizes", async () => {
    const info = inputInfo();
    expect(await linesOf(chunks("id,name\r1,a\r2,b\r", 64), { info })).toEqual(["id,name", "1,a", "2,b"]);
    expect(info.lineEnding).toBe("cr");
    for (const size of [1, 2, 3, 7]) {
      expect(await linesOf(chunks("id,name\r1,a\r\r2,b", size))).toEqual(["id,name", "1,a", "", "2,b"]);
    }
  });

  it("decides the line ending by exactly the first 64 KiB, whatever the chunk sizes", async () => {
    const crFirst = "a\r".repeat(40_000) + "b\nc\n";
    const lfFirst = "a\n" + "b\r".repeat(40_000);
    for (const size of [1000, 65536, 1 << 20]) {
      expect(await linesOf(chunks(crFirst, size))).toEqual([...Array(40_000).fill("a"), "b", "c"]);
      expect(await linesOf(chunks(lfFirst, size))).toEqual(["a", "b\r".repeat(40_000)]);
    }
  });

  it("keeps a CRLF split across chunks (even by an empty chunk) as one line ending, and flags the chunks", async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      // 80 KB without an LF decide CR endings before the CRLF comes.
      for (const part of ["a\r".repeat(40_000), "x\r", "", "\nz\r"]) yield Buffer.from(part);
    }
    const out: { text: string; lineEnding?: string }[] = [];
    for await (const { bytes, lineEnding } of byteLines(source()))
      out.push({ text: bytes.toString(), lineEnding });
    expect(out.map((c) => c.text).join("")).toBe("a\n".repeat(40_000) + "x\r\nz\n");
    expect(new Set(out.map((c) => c.lineEnding))).toEqual(new Set(["cr"]));
  });

  it("keeps a lone CR as data in a file with LF line endings (CRLF stays one line ending)", async () => {
    const info = inputInfo();
    expect(await linesOf(chunks('a,"x\ry"\r\nb\n', 3), { info })).toEqual(['a,"x\ry"\r', "b"]);
    expect(info.lineEnding).toBe("lf");
  });

  it("reads the same lines from CR, LF and CRLF files (property: any lines, any chunk size)", async () => {
    const line = fc.string({ unit: fc.constantFrom("a", "é", ",", '"', " "), maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 40 }),
        async (lines, size) => {
          for (const ending of ["\r", "\n", "\r\n"]) {
            const got = await linesOf(chunks(lines.join(ending) + ending, size));
            // The readers drop the CR of a CRLF.
            expect(got.map((l) => l.replace(/\r$/, ""))).toEqual(lines);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("byteLines: gzip", () => {
  it("detects gzip when the source yields one byte at a time (defect 9)", async () => {
    const info = inputInfo();
    expect(await linesOf(chunks(gzipSync("a\nb\n"), 1), { info })).toEqual(["a", "b"]);
    expect(info).toMatchObject({ gzip: true, gzipMembers: 1 });
  });

  it("decodes every member of a multi-member gzip, as gzip(1) and `cat a.gz b.gz` do (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(
            fc.string({ maxLength: 8 }).map((s) => s.replace(/[\r\n]/g, "")),
            { maxLength: 6 },
          ),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        fc.integer({ min: 1, max: 50 }),
        async (members, size) => {
          const texts = members.map((lines) => lines.map((l) => l + "\n").join(""));
          const info = inputInfo();
          const gz = Buffer.concat(texts.map((t) => gzipSync(t)));
          expect(await linesOf(chunks(gz, size), { info })).toEqual(members.flat());
          expect(info.gzipMembers).toBe(members.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("reads member headers with every optional field as zlib's gunzip does (property: flags, chunk sizes)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            text: fc.string({ maxLength: 30 }),
            extra: fc.option(fc.uint8Array({ maxLength: 20 })),
            name: fc.option(fc.stringMatching(/^[a-z.]{0,12}$/)),
            comment: fc.option(fc.stringMatching(/^[a-z ]{0,12}$/)),
            headerCrc: fc.boolean(),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        fc.integer({ min: 1, max: 17 }),
        async (members, size) => {
          const gz = Buffer.concat(members.map((m) => gzipMember(m)));
          const expected = gunzipSync(gz).toString();
          const got = await linesOf(chunks(gz, size));
          expect(got.join("\n")).toBe(expected.endsWith("\n") ? expected.slice(0, -1) : expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("fails with InputError on a member whose header CRC does not match, as zlib's gunzip does", async () => {
    const gz = gzipMember({ text: "a\n", extra: null, name: "a.csv", comment: null, headerCrc: true });
    gz[gz.indexOf(0, 10) + 1] ^= 1;
    expect(() => gunzipSync(gz)).toThrow(/header crc mismatch/);
    const { error } = await settle(chunks(gz, 3));
    expect([error instanceof InputError, (error as Error).message]).toEqual([
      true,
      "gzip input is corrupt: header crc mismatch (member at byte 0)",
    ]);
  });

  it("yields every line of the complete member, then fails with InputError at the garbage's offset (defect 4)", async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `row ${i}`);
    const gz = gzipSync(rows.join("\n") + "\n");
    for (const size of [1, 100, 65536]) {
      const { lines, error } = await settle(chunks(Buffer.concat([gz, Buffer.from("garbage\n")]), size));
      expect(lines).toEqual(rows);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toBe(
        `gzip input has data that is not gzip after its last complete member, at byte ${gz.length}`,
      );
    }
  });

  it("keeps all 100,000 rows of a large member followed by garbage (defect 4)", async () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `{"id":${i},"name":"beer ${i % 977}"}\n`).join("");
    const { lines, error } = await settle(chunks(Buffer.concat([gzipSync(text), Buffer.from("xyz")]), 65536));
    expect(lines.length).toBe(100_000);
    expect(error).toBeInstanceOf(InputError);
  });

  it("ignores zero bytes padding the last member, as Node's gunzip and gzip(1) do", async () => {
    const { lines, error } = await settle(chunks(Buffer.concat([gzipSync("a\n"), Buffer.alloc(512)]), 100));
    expect([lines, error]).toEqual([["a"], undefined]);
  });

  it("fails with InputError on a member whose CRC-32 does not match, as zlib's gunzip does", async () => {
    const gz = gzipSync("a\nb\n");
    gz[gz.length - 8] ^= 1;
    const { error } = await settle(chunks(gz, 5));
    expect((error as Error).message).toMatch(/incorrect data check/);
    expect(error).toBeInstanceOf(InputError);
  });

  it("rethrows an error of the source stream as it is, gzip or plain, so the caller retries", async () => {
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    for (const data of [gzipSync("a\n".repeat(50_000)), Buffer.from("a\n".repeat(50_000))]) {
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield data.subarray(0, 1000);
        throw reset;
      }
      const { error } = await settle(failing());
      expect(error).toBe(reset);
    }
  });

  it("fails with InputError, not the source's error, on corrupt deflate data", async () => {
    const gz = gzipSync("a\n".repeat(1000));
    gz.fill(0xff, 12, 20);
    const { error } = await settle(chunks(gz, 7));
    expect(error).toBeInstanceOf(InputError);
  });
});

describe("byteLines: long lines (defects 10, 11)", () => {
  it("assembles a line spanning many chunks with one copy, not one per chunk", async () => {
    // Counts the bytes Buffer.concat copies: joining the line to the carry on every chunk copies it ~n²/2 times.
    const concat = Buffer.concat;
    let copied = 0;
    const spy = jest.spyOn(Buffer, "concat").mockImplementation((list, total) => {
      const joined = concat(list, total);
      copied += joined.length;
      return joined;
    });
    try {
      const line = "x".repeat(1024 * 1024);
      expect(await linesOf(chunks(`${line}\nend\n`, 1024))).toEqual([line, "end"]);
    } finally {
      spy.mockRestore();
    }
    expect(copied).toBeLessThan(2 * 1024 * 1024);
  });

  it("skips a line over the maximum record size unbuffered and yields it as one oversized blank line", async () => {
    const info = inputInfo();
    const long = "y".repeat(5000);
    const out = await collect(chunks(`a\n${long}\nb\n${long}`, 333), { maxRecordBytes: 4096, info });
    expect(out.filter((c) => c.oversized).map((c) => [c.text, c.oversized])).toEqual([
      ["\n", "record exceeds 4096 bytes (a line of 5000 bytes, not read)"],
      ["\n", "record exceeds 4096 bytes (a line of 5000 bytes, not read)"],
    ]);
    expect(out.map((c) => c.text).join("")).toBe("a\n\nb\n\n");
    expect(info.oversizedLines).toBe(2);
  });

  it("keeps every line up to the maximum and skips every longer one, line numbers kept (property)", async () => {
    const max = 16;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        async (lengths, size, lastNewline) => {
          const lines = lengths.map((n, i) => String.fromCharCode(97 + (i % 26)).repeat(n));
          // Without a final newline, a last empty line would not be a line.
          const text = lines.join("\n") + (lastNewline || lines.at(-1) === "" ? "\n" : "");
          const out = await collect(chunks(text, size), { maxRecordBytes: max });
          const got = out
            .map((c) => c.text)
            .join("")
            .split("\n")
            .slice(0, -1);
          expect(got).toEqual(lines.map((l) => (l.length > max ? "" : l)));
          expect(out.filter((c) => c.oversized).length).toBe(lines.filter((l) => l.length > max).length);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("reports the skipped line's first 64 KiB for its quarantine entry", async () => {
    const info: InputInfo = inputInfo();
    const seen: number[] = [];
    for await (const { oversized } of byteLines(chunks("z".repeat(200_000), 4096), {
      maxRecordBytes: 1000,
      info,
    }))
      if (oversized) seen.push(oversized.head.length, oversized.bytes);
    expect(seen).toEqual([64 * 1024, 200_000]);
  });
});

describe("byteLines: encodings and empty input", () => {
  it("decodes UTF-16 by its byte-order mark, little or big endian, across odd chunk boundaries", async () => {
    const text = "id,name\r\n1,Bière 😀\r\n";
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(le).swap16();
    for (const [bytes, encoding] of [
      [le, "utf-16le"],
      [be, "utf-16be"],
    ] as const) {
      for (const size of [1, 3, 64]) {
        const info = inputInfo();
        expect(await linesOf(chunks(bytes, size), { info })).toEqual(["id,name\r", "1,Bière 😀\r"]);
        expect(info.encoding).toBe(encoding);
      }
    }
  });

  it("tells an empty input (or one holding only a byte-order mark) by textBytes 0", async () => {
    for (const input of ["", "\uFEFF", gzipSync("")]) {
      const info = inputInfo();
      expect(await collect(chunks(input, 1), { info })).toEqual([]);
      expect(info.textBytes).toBe(0);
    }
  });
});
