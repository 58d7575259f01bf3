/**
 * Loads a Pulumi Node.js project's program the way the language host does: `main` from Pulumi.yaml (a
 * file, or a folder whose package.json `main` or index.ts/index.js is the entry; the project folder when
 * absent), then the module's export: a function is called and its result is the stack outputs, anything
 * else is the outputs. TypeScript programs load through the project's own `tsx` when it has one (what
 * this repository's Pulumi.yaml uses), else through its `typescript` compiler (transpile only, as
 * Pulumi's `typescript: true` does): the medallion bin itself is plain JavaScript and needs neither.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { parse } from "yaml";
import { StackFileError } from "./stack-file";

/** The file Pulumi would run for the project in `root`. */
export function programEntry(root: string): string {
  const project = (parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) ?? {}) as { main?: string };
  const main = path.resolve(root, project.main ?? ".");
  if (!fs.existsSync(main))
    throw new StackFileError(`Pulumi.yaml main ${project.main} does not exist in ${root}`);
  if (!fs.statSync(main).isDirectory()) return main;
  const manifest = path.join(main, "package.json");
  const fromManifest = fs.existsSync(manifest)
    ? (JSON.parse(fs.readFileSync(manifest, "utf8")) as { main?: string }).main
    : undefined;
  for (const candidate of [fromManifest, "index.ts", "index.js"]) {
    if (candidate && fs.existsSync(path.resolve(main, candidate))) return path.resolve(main, candidate);
  }
  throw new StackFileError(`no program in ${main}: set main in Pulumi.yaml, or add index.ts or index.js`);
}

/** A program function that requires the project's entry (under the mocks already in place) and runs it. */
export function loadProgram(root: string): () => unknown {
  const entry = programEntry(root);
  return () => {
    if (/\.[cm]?tsx?$/.test(entry)) registerTypeScript(root, entry);
    // The module's own `require`, not createRequire: under jest it is jest's (which transforms .ts and
    // shares the test's @pulumi/pulumi instance, the one the mocks are set on).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(entry) as unknown;
    const exported = (loaded as { default?: unknown })?.default ?? loaded;
    return typeof exported === "function" ? (exported as () => unknown)() : exported;
  };
}

let registered = false;

/** Makes `require` understand .ts files of the project, unless something (tsx, jest) already does. */
function registerTypeScript(root: string, entry: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const extensions = (require("node:module") as { _extensions: Record<string, unknown> })._extensions;
  if (registered || extensions[".ts"]) return;
  registered = true;
  // Resolved from the program's own folder (its real path: a linked program finds its own packages).
  const projectRequire = createRequire(fs.realpathSync(entry));
  try {
    (projectRequire("tsx/cjs/api") as { register(): void }).register();
    return;
  } catch {
    // no tsx in the project: fall back to its TypeScript compiler
  }
  let ts: typeof import("typescript");
  try {
    ts = projectRequire("typescript") as typeof import("typescript");
  } catch {
    throw new StackFileError(
      `the program is TypeScript but ${root} has neither tsx nor typescript installed (npm install --save-dev typescript)`,
    );
  }
  extensions[".ts"] = (
    module: NodeJS.Module & { _compile(code: string, file: string): void },
    file: string,
  ) => {
    const source = fs.readFileSync(file, "utf8");
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        sourceMap: false,
      },
    });
    module._compile(outputText, file);
  };
}
