import { Role } from "@pulumi/aws/iam/role";
import * as pulumi from "@pulumi/pulumi";
import { AwsLakehouse, AzureLakehouse, LAYERS, type Lakehouse, type LayerName } from "../components";
import { loadStack, type LoadedStack } from "../infra/config";
import { runUnderMocks, type CapturedResource } from "../infra/preview/harness";
import { previewMocks } from "../infra/preview/mocks";
import { readStackConfig } from "../infra/preview/stack-file";
import type { TransformPlan } from "../functions/transform";
import { ROOT } from "./helpers";

/**
 * The contract every cloud's Lakehouse keeps, run against AwsLakehouse (Pulumi.dev.yaml's spec) and
 * AzureLakehouse (Pulumi.azure-dev.yaml's spec). Each cloud supplies how to read its plan; the
 * assertions are the same.
 */

const SECRET_VALUE = "tok_contract-7f3e-never-in-a-plan";
const CONSUMER = "consumer";

interface Built {
  readonly resources: CapturedResource[];
  readonly outputs: Record<string, unknown>;
  readonly stack: LoadedStack;
}

interface CloudCase {
  readonly cloud: "aws" | "azure";
  readonly stackName: string;
  /** Workflows the cloud builds from the dev spec (state machines, Databricks and Container Apps jobs). */
  readonly workflows: number;
  /** Builds the lakehouse and a consumer granted read on gold; returns the lakehouse. */
  build(stack: LoadedStack): Lakehouse<unknown>;
  /** Whether the plan encrypts a layer's storage (its own key on AWS, double encryption on Azure). */
  encrypted(resources: CapturedResource[], layer: LayerName): boolean;
  /** Whether a layer's storage is closed to the public. */
  private(resources: CapturedResource[], layer: LayerName): boolean;
  /** The layers the consumer principal can read objects in. */
  consumerLayers(resources: CapturedResource[]): LayerName[];
  /** Every workflow and whether its failure notifies the spec's e-mails. */
  workflowNotifications(resources: CapturedResource[], emails: readonly string[]): Record<string, boolean>;
  /** E-mail addresses the alert channel reaches. */
  alertEmails(resources: CapturedResource[]): string[];
  /**
   * The transformation plans the cloud deploys, by stage, or undefined while the cloud deploys none
   * (AWS, until its Glue jobs land).
   */
  transformations(resources: CapturedResource[]): DeployedPlans | undefined;
}

interface DeployedPlans {
  readonly bronze: TransformPlan[];
  readonly silver: TransformPlan[];
  readonly gold: TransformPlan[];
}

const of = (resources: CapturedResource[], type: string) => resources.filter((r) => r.type === type);
const one = (resources: CapturedResource[], name: string) => {
  const found = resources.filter((r) => r.name === name && r.custom);
  if (found.length !== 1) throw new Error(`expected one ${name}, found ${found.length}`);
  return found[0];
};
const layerOf = (text: string): LayerName | undefined =>
  LAYERS.find((layer) => new RegExp(`(^|[-/])${layer}([-/]|$)`).test(text));

const aws: CloudCase = {
  cloud: "aws",
  stackName: "dev",
  workflows: 1,
  build(stack) {
    const lakehouse = new AwsLakehouse(stack.settings.spec.name, lakehouseArgs(stack));
    const role = new Role(CONSUMER, {
      assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
    });
    lakehouse.layers.gold.grantRead({ name: CONSUMER, role });
    return lakehouse;
  },
  encrypted: (resources, layer) => {
    const rules = one(resources, `brewery-${layer}-encryption`).inputs.rules as {
      applyServerSideEncryptionByDefault: { sseAlgorithm: string; kmsMasterKeyId?: string };
    }[];
    return (
      rules[0].applyServerSideEncryptionByDefault.sseAlgorithm === "aws:kms" &&
      Boolean(rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId)
    );
  },
  private: (resources, layer) => {
    const block = one(resources, `brewery-${layer}-public-access`).inputs;
    return ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every(
      (k) => block[k] === true,
    );
  },
  consumerLayers: (resources) =>
    of(resources, "aws:iam/rolePolicy:RolePolicy")
      .filter((p) => String(p.inputs.role).startsWith(CONSUMER))
      .flatMap(
        (p) =>
          (JSON.parse(p.inputs.policy as string) as { Statement: { Action: string[]; Resource: unknown }[] })
            .Statement,
      )
      .filter((s) => s.Action.some((a) => a.startsWith("s3:")))
      .flatMap((s) =>
        [s.Resource]
          .flat()
          .map((r) => layerOf(String(r).replace(/^arn:aws:s3:::brewery-dev-/, "")) ?? "other"),
      )
      .filter((v, i, all) => all.indexOf(v) === i) as LayerName[],
  workflowNotifications: (resources) => {
    const topic = String(of(resources, "aws:sns/topic:Topic")[0].inputs.name);
    const alarms = of(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    // A state machine notifies when its failed-executions alarm acts on the alert topic.
    return Object.fromEntries(
      of(resources, "aws:sfn/stateMachine:StateMachine").map((machine) => [
        machine.name,
        alarms.some(
          (alarm) =>
            alarm.inputs.metricName === "ExecutionsFailed" &&
            String((alarm.inputs.dimensions as { StateMachineArn?: string }).StateMachineArn).endsWith(
              `:stateMachine:${String(machine.inputs.name)}`,
            ) &&
            (alarm.inputs.alarmActions as string[]).some((action) => action.endsWith(`:${topic}`)),
        ),
      ]),
    );
  },
  transformations: () => undefined,
  alertEmails: (resources) =>
    of(resources, "aws:sns/topicSubscription:TopicSubscription")
      .filter((s) => s.inputs.protocol === "email")
      .map((s) => String(s.inputs.endpoint)),
};

const azure: CloudCase = {
  cloud: "azure",
  stackName: "azure-dev",
  workflows: 3,
  build(stack) {
    const azureSettings = stack.azure;
    if (!azureSettings) throw new Error("azure-dev must load Azure settings");
    const lakehouse = new AzureLakehouse(stack.settings.spec.name, {
      ...lakehouseArgs(stack),
      location: azureSettings.location,
      azureDatabricksObjectId: azureSettings.azureDatabricksObjectId,
      databricksAccountId: azureSettings.databricksAccountId,
    });
    lakehouse.layers.gold.grantRead({
      name: CONSUMER,
      principalId: CONSUMER_OBJECT_ID,
      principalType: "Group",
    });
    return lakehouse;
  },
  encrypted: (resources) => {
    const account = of(resources, "azure-native:storage:StorageAccount")[0].inputs.encryption as {
      requireInfrastructureEncryption: boolean;
      services: { blob: { enabled: boolean } };
    };
    return account.requireInfrastructureEncryption && account.services.blob.enabled;
  },
  private: (resources, layer) => {
    const account = of(resources, "azure-native:storage:StorageAccount")[0].inputs;
    const container = one(resources, `brewery-${layer}`).inputs;
    return (
      account.allowBlobPublicAccess === false &&
      account.allowSharedKeyAccess === false &&
      (account.networkRuleSet as { defaultAction: string }).defaultAction === "Deny" &&
      container.publicAccess === "None"
    );
  },
  consumerLayers: (resources) => {
    const blobLayers = of(resources, "azure-native:authorization:RoleAssignment")
      .filter((a) => a.inputs.principalId === CONSUMER_OBJECT_ID)
      .map((a) => layerOf(String(a.inputs.scope).replace(/^.*\/containers\//, "")) ?? "other");
    // The Unity Catalog consumer group is the Azure counterpart of the consumer role: its schema grants.
    const group = String(of(resources, "databricks:index/group:Group")[0].inputs.displayName);
    const schemaLayers = of(resources, "databricks:index/grants:Grants")
      .filter(
        (g) =>
          g.inputs.schema && (g.inputs.grants as { principal: string }[]).some((e) => e.principal === group),
      )
      .map((g) => layerOf(String(g.inputs.schema).split(".")[1]) ?? "other");
    const locationGrants = of(resources, "databricks:index/grants:Grants").filter(
      (g) =>
        g.inputs.externalLocation &&
        (g.inputs.grants as { principal: string }[]).some((e) => e.principal === group),
    );
    return [
      ...new Set([...blobLayers, ...schemaLayers, ...locationGrants.map(() => "other")]),
    ] as LayerName[];
  },
  workflowNotifications: (resources, emails) => {
    const actionGroup = of(resources, "azure-native:monitor:ActionGroup")[0];
    const alerts = of(resources, "azure-native:monitor:ScheduledQueryRule");
    const databricksJobs = of(resources, "databricks:index/job:Job").map((job) => {
      const onFailures =
        (job.inputs.emailNotifications as { onFailures?: string[] } | undefined)?.onFailures ?? [];
      const tasksNotify = (job.inputs.tasks as { emailNotifications?: { onFailures?: string[] } }[]).every(
        (t) => emails.every((e) => t.emailNotifications?.onFailures?.includes(e)),
      );
      const alerted = alerts.some((a) => JSON.stringify(a.inputs.criteria).includes("runFailed"));
      return [job.name, emails.every((e) => onFailures.includes(e)) && tasksNotify && alerted] as const;
    });
    const containerJobs = of(resources, "azure-native:app:Job").map((job) => {
      const alert = alerts.find((a) =>
        JSON.stringify(a.inputs.criteria).includes(String(job.inputs.jobName)),
      );
      const toGroup = (alert?.inputs.actions as { actionGroups?: string[] } | undefined)?.actionGroups ?? [];
      return [job.name, toGroup.length === 1 && Boolean(actionGroup)] as const;
    });
    return Object.fromEntries([...databricksJobs, ...containerJobs]);
  },
  transformations: (resources) => {
    const file = (task: string) =>
      (
        JSON.parse(
          Buffer.from(
            String(one(resources, `brewery-job-plan-${task}`).inputs.contentBase64),
            "base64",
          ).toString("utf8"),
        ) as { plans: TransformPlan[] }
      ).plans;
    return { bronze: file("bronze"), silver: file("silver"), gold: file("gold") };
  },
  alertEmails: (resources) =>
    (
      of(resources, "azure-native:monitor:ActionGroup")[0].inputs.emailReceivers as { emailAddress: string }[]
    ).map((r) => r.emailAddress),
};

const CONSUMER_OBJECT_ID = "44444444-4444-4444-a444-444444444444";

function lakehouseArgs(stack: LoadedStack) {
  return {
    spec: stack.settings.spec,
    environment: stack.settings.environment,
    secretValues: { "brewery-api": pulumi.secret(SECRET_VALUE) },
  };
}

async function build(cloud: CloudCase): Promise<Built> {
  const file = readStackConfig(ROOT, cloud.stackName);
  const stack = loadStack(
    (key) => file.config[key],
    (key) => file.secretKeys.includes(key),
  );
  let lakehouse: Lakehouse<unknown> | undefined;
  const { resources, outputs } = await runUnderMocks({
    project: file.project,
    stack: file.stack,
    config: file.config,
    mocks: previewMocks(),
    program: () => {
      lakehouse = cloud.build(stack);
      return {
        layers: Object.fromEntries(
          LAYERS.map((layer) => [
            layer,
            {
              location: lakehouse?.layers[layer].location,
              catalogNamespace: lakehouse?.layers[layer].catalogNamespace,
              encryptionKeyId: lakehouse?.layers[layer].encryptionKeyId,
            },
          ]),
        ),
        secrets: lakehouse?.secrets.references,
        alertChannel: lakehouse?.monitoring.alertChannel,
      };
    },
  });
  return { resources, outputs, stack };
}

describe("both stacks are built from the same spec", () => {
  it("Pulumi.dev.yaml and Pulumi.azure-dev.yaml carry the same medallion:lakehouse", () => {
    const spec = (stack: string) => readStackConfig(ROOT, stack).config["medallion:lakehouse"];
    expect(spec("azure-dev")).toBe(spec("dev"));
  });
});

describe.each([aws, azure])("the Lakehouse contract on $cloud", (cloud) => {
  let built: Built;
  let layers: Record<LayerName, { location: string; catalogNamespace: string; encryptionKeyId: string }>;

  beforeAll(async () => {
    built = await build(cloud);
    layers = built.outputs.layers as typeof layers;
  });

  it.each(LAYERS)("has the %s layer with a location, a catalog namespace and encryption", (layer) => {
    expect(layers[layer].location).toMatch(cloud.cloud === "aws" ? /^s3:\/\// : /^abfss:\/\//);
    expect(layers[layer].location).toContain(layer);
    expect(layers[layer].catalogNamespace).toMatch(new RegExp(`^brewery_dev[._]${layer}$`));
    expect(layers[layer].encryptionKeyId).toBeTruthy();
    expect(cloud.encrypted(built.resources, layer)).toBe(true);
  });

  it.each(LAYERS)("keeps the %s layer private", (layer) => {
    expect(cloud.private(built.resources, layer)).toBe(true);
  });

  it("gives every layer a distinct location and catalog namespace", () => {
    expect(new Set(LAYERS.map((l) => layers[l].location)).size).toBe(4);
    expect(new Set(LAYERS.map((l) => layers[l].catalogNamespace)).size).toBe(4);
  });

  it("never puts a secret value in the plan", () => {
    const text = JSON.stringify(built.resources);
    expect(text).not.toContain(SECRET_VALUE);
    expect(text).toContain('"[secret]"');
    expect(Object.keys(built.outputs.secrets as object)).toEqual(["brewery-api"]);
  });

  it("lets the gold-only consumer reach gold and nothing else", () => {
    expect(cloud.consumerLayers(built.resources)).toEqual(["gold"]);
  });

  it("sends alerts to every e-mail of the spec", () => {
    expect(cloud.alertEmails(built.resources).sort()).toEqual(
      [...built.stack.settings.spec.alerts.emails].sort(),
    );
    expect(built.outputs.alertChannel).toBeTruthy();
  });

  it("notifies on every workflow failure", () => {
    const notifications = cloud.workflowNotifications(
      built.resources,
      built.stack.settings.spec.alerts.emails,
    );
    expect(Object.keys(notifications)).toHaveLength(cloud.workflows);
    for (const [workflow, notifies] of Object.entries(notifications))
      expect({ workflow, notifies }).toEqual({ workflow, notifies: true });
  });
});

describe.each([aws, azure])("the transformations on $cloud", (cloud) => {
  let built: Built;
  let plans: DeployedPlans | undefined;

  beforeAll(async () => {
    built = await build(cloud);
    plans = cloud.transformations(built.resources);
  });

  const deployed = () => {
    if (!plans) throw new Error(`${cloud.cloud} deploys no transformation plans yet`);
    return plans;
  };

  if (cloud.cloud === "aws") {
    it.todo("aws: compare once the Glue jobs deploy the transformation plans (issue 4)");
    return;
  }

  it("loads every table of the spec into bronze and silver, and builds every gold model", () => {
    const spec = built.stack.settings.spec;
    expect(deployed().bronze.map((p) => p.name)).toEqual(spec.tables.map((t) => t.name));
    expect(
      deployed()
        .silver.filter((p) => p.stage === "silver")
        .map((p) => p.name),
    ).toEqual(spec.tables.map((t) => t.name));
    expect(
      deployed()
        .silver.filter((p) => p.stage === "views")
        .map((p) => p.name),
    ).toEqual(spec.views.map((v) => v.name));
    expect(deployed().gold.map((p) => p.name)).toEqual(spec.gold.map((m) => m.name));
  });

  it("masks every PII column of the spec on the way to silver, and only those", () => {
    for (const table of built.stack.settings.spec.tables) {
      const stage =
        deployed()
          .silver.find((p) => p.name === table.name)
          ?.steps.find((s) => s.name === `${table.name}.stage`)?.sql ?? "";
      // The stage's outer select list: a masked column is an expression aliased to the column.
      const outer = stage.slice(0, stage.indexOf(" FROM ("));
      const masked = table.columns
        .map((c) => c.name)
        .filter((column) => new RegExp(`(END|\\)) AS ${column}\\b`).test(outer));
      expect({ table: table.name, masked }).toEqual({ table: table.name, masked: Object.keys(table.pii) });
    }
  });

  it("checks every quality rule of the spec and quarantines failures with the rule", () => {
    for (const table of built.stack.settings.spec.tables) {
      const steps = deployed().silver.find((p) => p.name === table.name)?.steps ?? [];
      const sql = steps.map((s) => s.sql ?? "").join("\n");
      for (const rule of table.quality) expect(sql).toContain(`'${rule.rule}`);
      expect(steps.some((s) => s.target?.endsWith(`quarantine.${table.name}`))).toBe(true);
    }
  });
});
