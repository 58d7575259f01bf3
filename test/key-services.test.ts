import { checkKeyServices, keyServiceUses } from "../infra/policy/key-services";
import { preview } from "./helpers";

/** Every log group of the AWS stacks is encrypted with a key whose policy admits CloudWatch Logs. */
describe.each(["dev", "prod"])("the %s stack's customer keys", (stack) => {
  it("admit CloudWatch Logs for every log group encrypted with them", async () => {
    const { plan } = await preview(stack);
    // The transform jobs' and workflows' groups (artifacts key) and the ingestion groups (logs key).
    expect(keyServiceUses(plan).length).toBeGreaterThanOrEqual(10);
    expect(await checkKeyServices(plan)).toEqual([]);
  });
});
