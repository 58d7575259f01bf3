import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { parseLakehouseSpec, type LakehouseSpec } from "../../components/spec";

/** The lakehouse spec of a stack file at the repository root (`Pulumi.<stack>.yaml`). */
export function stackSpec(stack = "dev", root = path.resolve(__dirname, "..", "..")): LakehouseSpec {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  const document = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  return parseLakehouseSpec(
    document.config?.["medallion:lakehouse"],
    `${path.basename(file)}: medallion:lakehouse`,
  );
}
