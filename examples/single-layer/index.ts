/**
 * Drop one hardened medallion layer into your own Pulumi program: a "gold" bucket for a team's
 * analytics, its access-log bucket, a secret, and a read grant for an existing role of yours.
 *
 *   import { AwsMedallionLayer, ... } from "medallion-lakehouse";
 */
import * as iam from "@pulumi/aws/iam";
import { Provider } from "@pulumi/aws/provider";
import {
  AwsAccessLogBucket,
  AwsMedallionLayer,
  AwsSecretStore,
  parseLakehouseSpec,
  standardTags,
} from "medallion-lakehouse";

export = () => {
  const environment = "analytics-dev";
  // The spec is validated once, here; a bad field fails before anything registers.
  const spec = parseLakehouseSpec({
    name: "marketing",
    alerts: { emails: ["marketing-data@example.com"] },
    secrets: [{ name: "ads-api" }],
    tables: [
      {
        name: "campaign",
        source: { kind: "batch" },
        columns: [{ name: "campaign_id", type: "bigint" }],
        primaryKey: ["campaign_id"],
      },
    ],
  });
  const tags = standardTags({ project: spec.name, environment });
  const provider = new Provider("aws", { region: "eu-west-1", defaultTags: { tags } });
  const opts = { providers: { aws: provider } };

  const logs = new AwsAccessLogBucket("marketing-logs", { nameParts: [spec.name, environment], tags }, opts);
  const gold = new AwsMedallionLayer(
    "marketing-gold",
    { layer: "gold", product: spec.name, environment, accessLogs: logs, tags: { ...tags, layer: "gold" } },
    opts,
  );
  const secrets = new AwsSecretStore(
    "marketing-secrets",
    { product: spec.name, environment, secrets: spec.secrets, tags },
    opts,
  );

  // An existing role of yours, adopted by name: the grant writes an inline policy on it.
  const analyst = iam.Role.get("analyst", "marketing-analyst", undefined, { provider });
  gold.grantRead({ name: "analyst", role: analyst }, { prefix: "campaigns/" });
  secrets.grantRead({ name: "analyst", role: analyst }, ["ads-api"]);

  return {
    goldLocation: gold.location,
    goldDatabase: gold.catalogNamespace,
    adsApiSecret: secrets.references["ads-api"],
  };
};
