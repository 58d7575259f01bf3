import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { evaluatePlan } from "../infra/policy/evaluate";
import { checkKeyServices } from "../infra/policy/key-services";
import { specWithTables } from "../scripts/bench-preview";
import { preview, ROOT } from "./helpers";

/**
 * A platform team's lakehouse grows: the dev stack with 100 tables must still preview and pass the whole
 * pack, IAM's policy-size quotas included (issue 13 item 10: the transform role listed every table twice).
 */
describe("the dev stack with 100 tables", () => {
  it("previews and passes the policy pack", async () => {
    const stackFile = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
    const spec = specWithTables(stackFile.config["medallion:lakehouse"], 100);
    const { plan } = await preview("dev", { overrides: { "medallion:lakehouse": JSON.stringify(spec) } });
    const violations = evaluatePlan(plan).map((v) => `${v.rule} ${v.urn}: ${v.message}`);
    expect(violations).toEqual([]);
    expect(await checkKeyServices(plan)).toEqual([]);
  }, 180_000);
});
