import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initStackFile, validateStackFile } from "../components/spec";
import { previewStack } from "../infra/preview/preview";

/** `medallion init --cloud aws|azure` writes a stack file the offline preview builds a lakehouse from. */
describe("medallion init", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "medallion-init-"));
  // The project file with its program named absolutely, so the preview runs this repository's program.
  const project = fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8");
  fs.writeFileSync(
    path.join(root, "Pulumi.yaml"),
    project.replace(
      /^main: (.+)$/m,
      (_, main: string) => `main: ${path.resolve(__dirname, "..", main.trim())}`,
    ),
  );
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it.each(["aws", "azure"] as const)("the minimal %s stack file validates and previews", async (cloud) => {
    const file = initStackFile(cloud, { dir: root, stack: `init-${cloud}` });
    expect(validateStackFile(file).problems).toEqual([]);
    const { plan } = await previewStack({ root, stack: `init-${cloud}` });
    // The lakehouse is built (on AWS with resources named for the file's one table; Azure's tables are DDL).
    const provider = cloud === "aws" ? "aws:" : "azure-native:";
    expect(plan.resources.filter((r) => r.custom && r.type.startsWith(provider)).length).toBeGreaterThan(20);
    if (cloud === "aws") expect(plan.resources.some((r) => r.name.includes("orders"))).toBe(true);
  });
});
