/**
 * The policy results as SARIF 2.1.0 (OASIS), the format GitHub code scanning ingests
 * (docs.github.com "SARIF support for code scanning"): one run, the pack's rules as the tool's rules,
 * one result per violation at the stack file the resource comes from, with the resource's URN as its
 * logical location and a fingerprint so an alert stays the same alert across runs.
 */
import { createHash } from "node:crypto";
import type { Plan } from "../preview/plan";
import type { KeyServiceFinding } from "./key-services";
import { RULES } from "./rules";
import type { Rule, Violation } from "./types";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/** The rule the key-service simulation reports under (it is not in RULES: it runs the IAM simulator). */
const KEY_SERVICE_RULE = {
  id: "key-service-access",
  description:
    "Every service that uses a customer-managed key (a log group, an SNS topic encrypted with it) must be allowed by the key's policy, as the IAM policy simulator decides it.",
  enforcement: "mandatory",
} as const;

export interface SarifOptions {
  /** The file results point at, relative to the repository root. @default `Pulumi.<stack>.yaml` */
  readonly artifactUri?: string;
  /** The tool's version (the package version). */
  readonly version?: string;
}

export function toSarif(
  plan: Plan,
  violations: readonly Violation[],
  keyFindings: readonly KeyServiceFinding[],
  options: SarifOptions = {},
): Record<string, unknown> {
  const uri = options.artifactUri ?? `Pulumi.${plan.stack}.yaml`;
  const rules = [...RULES.map(describeRule), describeRule(KEY_SERVICE_RULE)];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const all: Violation[] = [
    ...violations,
    ...keyFindings.map((f) => ({
      rule: KEY_SERVICE_RULE.id,
      enforcement: "mandatory" as const,
      urn: f.urn,
      message: f.message,
    })),
  ];
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "medallion-policy",
            informationUri:
              "https://github.com/medallion-lakehouse/medallion-lakehouse#security-the-policy-pack",
            ...(options.version ? { version: options.version, semanticVersion: options.version } : {}),
            rules,
          },
        },
        automationDetails: { id: `medallion-policy/${plan.project}/${plan.stack}/` },
        results: all.map((v) => ({
          ruleId: v.rule,
          ruleIndex: index.get(v.rule) ?? -1,
          // Mandatory rules block a deploy: errors; advisory ones are warnings.
          level: v.enforcement === "mandatory" ? "error" : "warning",
          message: { text: `${v.message} (resource ${v.urn})` },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } },
              logicalLocations: [{ fullyQualifiedName: v.urn, kind: "resource" }],
            },
          ],
          partialFingerprints: {
            "medallionPolicy/v1": createHash("sha256").update(`${v.rule}\n${v.urn}`).digest("hex"),
          },
        })),
      },
    ],
  };
}

function describeRule(
  rule: Pick<Rule, "id" | "description" | "enforcement"> & Partial<Pick<Rule, "sources">>,
) {
  const summary = rule.description.split(/(?<=\.)\s/)[0];
  return {
    id: rule.id,
    name: rule.id,
    shortDescription: { text: summary },
    fullDescription: { text: rule.description },
    defaultConfiguration: { level: rule.enforcement === "mandatory" ? "error" : "warning" },
    properties: {
      enforcement: rule.enforcement,
      tags: ["security", ...(rule.sources ?? []).map((s) => `${s.source} ${s.id}`)],
    },
  };
}
