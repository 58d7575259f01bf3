import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "./pipeline-local";

/** Helpers of the pipeline:local CLI tests: the command in-process with its output captured, raw folders. */

let clock = new Date("2024-07-01T02:00:00Z");

/** The clock the next runs read their arrival times from. */
export function setClock(at: string): void {
  clock = new Date(at);
}

/** Runs the command in-process: its exit code and what it printed on stdout and stderr, line by line. */
export function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  return cliWith({}, ...argv);
}

/** {@link cli} with other stack files (`root`) or another current directory (`cwd`). */
export async function cliWith(
  options: { root?: string; cwd?: string },
  ...argv: string[]
): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const error = jest
    .spyOn(console, "error")
    .mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  try {
    return { code: await main(argv, { now: () => clock, ...options }), out, err };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** Writes files (path relative to `root` → content) and returns `root`. */
export function write(root: string, files: Record<string, string | Buffer>): string {
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), body);
  }
  return root;
}

export const jsonl = (...rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";

/** Customers 1 good, 2 with a CPF of repeated digits (quality gate), 3 with a total that is no decimal (converter). */
export const CUSTOMERS =
  "customer_id,name,cpf,email,card_number,store_location,total_purchases,created_at\n" +
  "1,Ana,529.982.247-25,ana@example.com,4111 1111 1111 1111,SP,10.50,2024-01-01T00:00:00Z\n" +
  "2,Bia,111.111.111-11,bia@example.com,4111 1111 1111 2222,RJ,5.00,2024-01-02T00:00:00Z\n" +
  "3,Caio,529.982.247-25,caio@example.com,4111 1111 1111 3333,MG,lots,2024-01-03T00:00:00Z\n";
