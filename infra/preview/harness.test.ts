import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks } from "./harness";
import { previewMocks } from "./mocks";

class Box extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Box", name, {}, opts);
    this.registerOutputs({});
  }
}

const base = { project: "p", stack: "s", config: {}, mocks: previewMocks() };

describe("runUnderMocks", () => {
  it("captures parents, options and inputs, with secrets redacted", async () => {
    const { Topic } = await import("@pulumi/aws/sns");
    const result = await runUnderMocks({
      ...base,
      program: () => {
        const box = new Box("box");
        const topic = new Topic(
          "t",
          { name: pulumi.secret("hidden-name"), displayName: "shown" },
          { parent: box, protect: true },
        );
        return { arn: topic.arn };
      },
    });
    const topic = result.resources.find((r) => r.name === "t");
    expect(topic).toEqual({
      urn: "urn:pulumi:s::p::test:index:Box$aws:sns/topic:Topic::t",
      type: "aws:sns/topic:Topic",
      name: "t",
      parent: "urn:pulumi:s::p::pulumi:pulumi:Stack$test:index:Box::box",
      custom: true,
      protect: true,
      retainOnDelete: false,
      inputs: { name: "[secret]", displayName: "shown" },
      dependencies: {},
    });
    expect(result.outputs).toEqual({ arn: "arn:aws:sns:us-east-1:123456789012:hidden-name" });
  });

  it("records dependsOn apart from input dependencies, a component standing for its children", async () => {
    const { Topic } = await import("@pulumi/aws/sns");
    const result = await runUnderMocks({
      ...base,
      program: () => {
        const box = new Box("group");
        const inner = new Topic("inner", {}, { parent: box });
        const first = new Topic("first", {});
        new Topic("second", { displayName: first.name }, { dependsOn: [box] });
        return { inner: inner.arn };
      },
    });
    const second = result.resources.find((r) => r.name === "second")!;
    expect(second.dependencies).toEqual({
      displayName: ["urn:pulumi:s::p::pulumi:pulumi:Stack$aws:sns/topic:Topic::first"],
    });
    expect(second.dependsOn).toEqual(["urn:pulumi:s::p::test:index:Box$aws:sns/topic:Topic::inner"]);
    expect(result.resources.find((r) => r.name === "first")!.dependsOn).toBeUndefined();
  });

  it("rejects with the program's error instead of crashing the process", async () => {
    await expect(
      runUnderMocks({
        ...base,
        program: () => {
          new Box("before-failure");
          throw new Error("component args are invalid");
        },
      }),
    ).rejects.toThrow("component args are invalid");
  });

  // The default-VPC lookup is deliberately unmocked: accounts without a default VPC must not be assumed.
  it("fails loudly on an invoke it has no mock for", async () => {
    const { getVpcOutput } = await import("@pulumi/aws/ec2/getVpc");
    await expect(
      runUnderMocks({ ...base, program: () => ({ vpc: getVpcOutput({ default: true }).id }) }),
    ).rejects.toThrow("the offline preview has no mock for invoke aws:ec2/getVpc:getVpc");
  });

  it("gives the same capture on a second run in the same process", async () => {
    const program = () => {
      const box = new Box("b");
      new Box("c", { parent: box });
      return {};
    };
    const first = await runUnderMocks({ ...base, program });
    const second = await runUnderMocks({ ...base, program });
    expect(second.resources.map((r) => r.urn).sort()).toEqual(first.resources.map((r) => r.urn).sort());
    expect(first.resources).toHaveLength(3);
  });
});
