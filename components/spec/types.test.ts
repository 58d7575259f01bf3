import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { specTypesSource } from "./type-source";

const generated = path.join(__dirname, "types.generated.ts");
const buildConfig = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "..", "tsconfig.build.json"), "utf8"),
) as {
  compilerOptions: { removeComments?: boolean };
};

/** The declaration tsc emits for the generated types with the package build's comment setting. */
function declaration(removeComments: boolean | undefined): string {
  return ts.transpileDeclaration(fs.readFileSync(generated, "utf8"), {
    compilerOptions: { declaration: true, removeComments },
  }).outputText;
}

describe("doc comments in the published .d.ts", () => {
  it("types.generated.ts is what npm run docs:spec generates", () => {
    expect(fs.readFileSync(generated, "utf8")).toBe(specTypesSource());
  });

  it("the package build keeps comments (tsconfig.build.json removeComments is false)", () => {
    expect(buildConfig.compilerOptions.removeComments).toBe(false);
  });

  it("the emitted declaration documents each field, with its default and example", () => {
    const dts = declaration(buildConfig.compilerOptions.removeComments);
    expect(dts).toContain("Days before raw objects move to infrequent access");
    expect(dts).toMatch(/rawTransitionDays: number;/);
    expect(dts).toContain("@default 30");
    expect(dts).toContain('@example "brewery"');
    // The control: the same emit with comments removed has none of it, so the check above can fail.
    expect(declaration(true)).not.toContain("Days before raw objects move to infrequent access");
  });
});
