/**
 * `npm run docs:spec`: writes docs/SPEC.md, docs/stack.schema.json and components/spec/types.generated.ts
 * (the spec's types with doc comments, for the published .d.ts) from the zod schema.
 * `npm run docs:spec -- --check` only compares, and exits 1 when either committed file is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { specReference, STACK_SCHEMA_FILE, stackFileJsonSchema } from "../components/spec";
import { specTypesSource } from "../components/spec/type-source";

const root = path.join(__dirname, "..");
const files: Record<string, string> = {
  "docs/SPEC.md": specReference(),
  [STACK_SCHEMA_FILE]: `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`,
  "components/spec/types.generated.ts": specTypesSource(),
};
const check = process.argv.includes("--check");
let stale = 0;
for (const [file, text] of Object.entries(files)) {
  const target = path.join(root, file);
  const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined;
  if (current === text) continue;
  if (check) {
    console.error(`${file} is stale: run npm run docs:spec`);
    stale++;
  } else {
    fs.writeFileSync(target, text);
    console.log(`wrote ${file}`);
  }
}
process.exit(stale > 0 ? 1 : 0);
