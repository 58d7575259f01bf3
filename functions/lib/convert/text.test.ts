import { gzipSync } from "node:zlib";
import { chunks } from "../../test/fixtures";
import { byteLines, InputError } from "./text";

async function collect(source: AsyncIterable<Uint8Array>) {
  const out: { text: string; valid: boolean }[] = [];
  for await (const { bytes, valid } of byteLines(source)) out.push({ text: bytes.toString("latin1"), valid });
  return out;
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
    const lines: string[] = [];
    await expect(
      (async () => {
        for await (const { bytes } of byteLines(chunks(gz.subarray(0, gz.length - 40), 4096)))
          lines.push(bytes.toString());
      })(),
    ).rejects.toThrow(InputError);
    expect(lines.join("").length).toBeGreaterThan(0);
  });
});
