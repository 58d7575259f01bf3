import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ROOT } from "./helpers";

function stackFile(stack: string): Record<string, unknown> {
  return parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config;
}

/** Environments differ by config only, and only in the settings an environment should change. */
describe("stack files", () => {
  it("prod carries the same lakehouse as dev except protection and retention", () => {
    const dev = stackFile("dev");
    const prod = stackFile("prod");
    const strip = (config: Record<string, unknown>) => {
      const {
        protect: _protect,
        retention: _retention,
        ...rest
      } = config["medallion:lakehouse"] as Record<string, unknown>;
      return rest;
    };
    expect(strip(prod)).toEqual(strip(dev));
    expect({ ...prod, "medallion:lakehouse": undefined, "medallion:environment": undefined }).toEqual({
      ...dev,
      "medallion:lakehouse": undefined,
      "medallion:environment": undefined,
    });
    expect((prod["medallion:lakehouse"] as { protect: boolean }).protect).toBe(true);
    expect((dev["medallion:lakehouse"] as { protect: boolean }).protect).toBe(false);
  });

  it("keeps secret values out of the stack files", () => {
    for (const stack of ["dev", "prod", "azure-dev"]) {
      const secrets = stackFile(stack)["medallion:secrets"] as Record<string, unknown> | undefined;
      for (const value of Object.values(secrets ?? {})) expect(value).toEqual({ secure: expect.any(String) });
    }
  });
});
