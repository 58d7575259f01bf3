import type * as pulumi from "@pulumi/pulumi";
import type { LayerName } from "./naming";
import type { LakehouseSpec } from "./spec";

/**
 * Cloud-neutral contracts. Each cloud implements them (components/aws, components/azure); components
 * refer to each other through these interfaces, never through raw ARNs or resource IDs, and one
 * contract test suite runs against every implementation.
 *
 * `P` is the cloud's principal type (an IAM role on AWS, a managed identity on Azure).
 */

export type { LayerName } from "./naming";

/** Narrows a grant to part of a layer. */
export interface GrantOptions {
  /** Object key prefix (a table folder such as `customers/`). @default the whole layer */
  readonly prefix?: string;
}

/** One medallion layer: storage, a catalog namespace, encryption, lifecycle and intent-level grants. */
export interface MedallionLayer<P> {
  readonly layer: LayerName;
  /** URI of the layer's root (`s3://bucket/`, `abfss://container@account.dfs.core.windows.net/`). */
  readonly location: pulumi.Output<string>;
  /** Catalog namespace holding the layer's tables (Glue database, Unity Catalog schema). */
  readonly catalogNamespace: pulumi.Output<string>;
  /** Identifier of the customer-managed key the layer is encrypted with. */
  readonly encryptionKeyId: pulumi.Output<string>;
  /** Lets `principal` list and read objects (and decrypt them), nothing else. */
  grantRead(principal: P, options?: GrantOptions): pulumi.Resource;
  /** Lets `principal` write objects (and encrypt them), nothing else. */
  grantWrite(principal: P, options?: GrantOptions): pulumi.Resource;
}

/** Holds named source credentials and hands out references, never values. */
export interface SecretStore<P> {
  /** Secret name (from the spec) → a reference a workload resolves at run time (ARN, Key Vault URI). */
  readonly references: Readonly<Record<string, pulumi.Output<string>>>;
  /** Lets `principal` read the named secrets (all of them when `names` is omitted). */
  grantRead(principal: P, names?: readonly string[]): pulumi.Resource;
}

/** The single alert channel every failure path ends in. */
export interface Monitoring {
  /** Identifier of the alert channel (SNS topic ARN, action group ID). */
  readonly alertChannel: pulumi.Output<string>;
}

/** A retry policy with exponential backoff. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly intervalSeconds: number;
  readonly backoffRate: number;
}

/** Cloud-neutral workflow steps, rendered as Step Functions on AWS and Databricks Job tasks on Azure. */
export type WorkflowStep =
  | {
      readonly kind: "task";
      readonly name: string;
      readonly run: string;
      readonly retry?: RetryPolicy;
      readonly timeoutSeconds?: number;
    }
  | {
      readonly kind: "map";
      readonly name: string;
      readonly over: readonly string[];
      readonly step: WorkflowStep;
      readonly maxConcurrency?: number;
    }
  | {
      readonly kind: "parallel";
      readonly name: string;
      readonly branches: readonly (readonly WorkflowStep[])[];
    }
  | {
      readonly kind: "choice";
      readonly name: string;
      readonly when: string;
      readonly then: WorkflowStep;
      readonly otherwise: WorkflowStep;
    };

/** A trigger that starts a workflow. */
export type WorkflowTrigger =
  | { readonly kind: "schedule"; readonly cron: string }
  | { readonly kind: "objectArrival"; readonly layer: LayerName; readonly prefix?: string }
  | { readonly kind: "message"; readonly source: string };

/** A workflow definition: ordered steps; every failure notifies the alert channel. */
export interface WorkflowDefinition {
  readonly name: string;
  readonly steps: readonly WorkflowStep[];
  readonly triggers: readonly WorkflowTrigger[];
  readonly timeoutSeconds: number;
}

/** Renders workflows on one cloud. */
export interface Orchestrator {
  /** Workflow name → cloud identifier (state machine ARN, job ID). */
  readonly workflows: Readonly<Record<string, pulumi.Output<string>>>;
}

/** Arguments shared by every cloud's Lakehouse component: the same spec builds the same lakehouse. */
export interface LakehouseArgs {
  /** The parsed spec (see `parseLakehouseSpec`). */
  readonly spec: LakehouseSpec;
  /** Environment name (dev, prod, ...). */
  readonly environment: string;
  /**
   * Secret values by spec secret name, from Pulumi secret config. Every value is wrapped with
   * `pulumi.secret` so it never appears in state, plans or logs.
   */
  readonly secretValues?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** The whole lakehouse on one cloud. */
export interface Lakehouse<P> {
  readonly layers: Readonly<Record<LayerName, MedallionLayer<P>>>;
  readonly secrets: SecretStore<P>;
  readonly monitoring: Monitoring;
}
