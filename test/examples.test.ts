import { runUnderMocks } from "../infra/preview/harness";
import { previewMocks } from "../infra/preview/mocks";

describe("examples/single-layer", () => {
  it("runs under mocks and grants the adopted role read on the gold prefix only", async () => {
    const program = (await import("../examples/single-layer")).default as unknown as () => Record<
      string,
      unknown
    >;
    const { resources, outputs } = await runUnderMocks({
      project: "example",
      stack: "dev",
      config: {},
      mocks: previewMocks({ awsRegion: "eu-west-1" }),
      program,
    });
    expect(outputs.goldLocation).toBe("s3://marketing-analytics-dev-gold-123456789012-eu-west-1/");
    const grant = resources.find((r) => r.name === "marketing-gold-read-analyst-campaigns");
    expect(JSON.parse(grant?.inputs.policy as string).Statement[1].Resource).toBe(
      "arn:aws:s3:::marketing-analytics-dev-gold-123456789012-eu-west-1/campaigns/*",
    );
    expect(resources.filter((r) => r.type === "aws:s3/bucket:Bucket")).toHaveLength(2);
  });
});
