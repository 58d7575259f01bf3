import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { viaService, type ServiceEndpoints } from "./context";
import type { AwsPrincipal } from "./medallion-layer";
import { policyJson } from "./policy-documents";
import {
  KMS_DECRYPT_ACTIONS,
  KMS_ENCRYPT_ACTIONS,
  S3_LIST_ACTIONS,
  S3_READ_ACTIONS,
  S3_WRITE_ACTIONS,
} from "./perms";
import type { Statement } from "./policy-documents";

export type GrantAccess = "read" | "write";

export interface LayerGrantTarget {
  readonly bucketArn: pulumi.Input<string>;
  readonly keyArn: pulumi.Input<string>;
  /** Region and DNS suffix the key is used through S3 in. */
  readonly via: ServiceEndpoints;
  /** Normalised prefix (`customers/`) or empty for the whole layer. */
  readonly prefix: string;
}

/**
 * The statements of a layer grant: that bucket, that prefix, that key, and the key only through S3
 * (`kms:ViaService`), so a role that may read one layer can neither read nor decrypt another.
 */
export function layerGrantStatements(access: GrantAccess, target: LayerGrantTarget): Statement[] {
  const objects = pulumi.interpolate`${target.bucketArn}/${target.prefix}*`;
  const viaS3 = { StringEquals: { "kms:ViaService": viaService(target.via, "s3") } };
  if (access === "read") {
    return [
      {
        Sid: "ListLayer",
        Effect: "Allow",
        Action: [...S3_LIST_ACTIONS],
        Resource: target.bucketArn,
        ...(target.prefix ? { Condition: { StringLike: { "s3:prefix": [`${target.prefix}*`] } } } : {}),
      },
      { Sid: "ReadObjects", Effect: "Allow", Action: [...S3_READ_ACTIONS], Resource: objects },
      {
        Sid: "DecryptThroughS3",
        Effect: "Allow",
        Action: [...KMS_DECRYPT_ACTIONS],
        Resource: target.keyArn,
        Condition: viaS3,
      },
    ];
  }
  return [
    { Sid: "WriteObjects", Effect: "Allow", Action: [...S3_WRITE_ACTIONS], Resource: objects },
    {
      Sid: "EncryptThroughS3",
      Effect: "Allow",
      Action: [...KMS_ENCRYPT_ACTIONS],
      Resource: target.keyArn,
      Condition: viaS3,
    },
  ];
}

/**
 * `customers` → `customers/`, `/a/b` → `a/b/`, undefined or `""` → `""`. IAM wildcards are refused:
 * a prefix is a folder, never a pattern.
 */
export function normalisePrefix(prefix: string | undefined): string {
  if (prefix === undefined) return "";
  if (/[*?]/.test(prefix))
    throw new Error(`grant prefix "${prefix}" must not contain IAM wildcards (* or ?)`);
  const trimmed = prefix.replace(/^\/+/, "");
  if (trimmed === "") return "";
  return trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
}

/** What a bucket grant is on: the bucket, its key, and the region the key is used through S3 in. */
export interface GrantedBucket {
  /** Logical name of the bucket's component; grants are named `${owner}-${access}-${principal}[-prefix]`. */
  readonly owner: string;
  readonly bucketArn: pulumi.Input<string>;
  readonly keyArn: pulumi.Input<string>;
  readonly via: ServiceEndpoints;
  readonly parent: pulumi.Resource;
}

/** An inline policy on the principal's role with the {@link layerGrantStatements} of one access and prefix. */
export function grantOnBucket(
  target: GrantedBucket,
  access: GrantAccess,
  principal: AwsPrincipal,
  prefix: string | undefined,
): iam.RolePolicy {
  const normalised = normalisePrefix(prefix);
  const suffix = normalised ? `-${normalised.replace(/[^A-Za-z0-9]+/g, "-").replace(/-+$/, "")}` : "";
  return new iam.RolePolicy(
    `${target.owner}-${access}-${principal.name}${suffix}`,
    {
      role: principal.role.name,
      policy: policyJson(
        layerGrantStatements(access, {
          bucketArn: target.bucketArn,
          keyArn: target.keyArn,
          via: target.via,
          prefix: normalised,
        }),
      ),
    },
    { parent: target.parent },
  );
}
