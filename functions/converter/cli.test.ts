import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { main } from "./cli";

const ROOT = path.resolve(__dirname, "..", "..");
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "convert-cli-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("npm run convert", () => {
  it("converts a local file with the dev stack's table spec and prints exactly the three counts", async () => {
    const input = path.join(dir, "breweries.csv.gz");
    fs.writeFileSync(
      input,
      gzipSync('brewery_id,name,city,state,country\n1,"Hill, Farmstead",Greensboro,VT,US\nx,bad,a,b,c\n'),
    );
    const line = await main(
      ["--stack", "dev", "--table", "brewery", "--input", input, "--output", path.join(dir, "out")],
      ROOT,
    );
    expect(line).toBe('{"rowsIn":2,"rowsWritten":1,"rowsQuarantined":1}');
    const partitions = fs.readdirSync(path.join(dir, "out", "brewery"));
    expect(partitions).toHaveLength(1);
    expect(partitions[0]).toMatch(/^ingest_date=\d{4}-\d{2}-\d{2}$/);
  });

  it("fails if the table is not in the stack, listing the tables", async () => {
    await expect(
      main(["--stack", "dev", "--table", "nope", "--input", "x", "--output", dir], ROOT),
    ).rejects.toThrow(/^no table "nope" in stack dev; tables: brewery, beer, .*review/);
  });

  it("fails if an option is missing, naming it", async () => {
    await expect(main(["--stack", "dev"], ROOT)).rejects.toThrow("missing --table, --input, --output");
  });
});
