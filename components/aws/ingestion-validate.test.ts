import * as pulumi from "@pulumi/pulumi";
import type { TableSpec } from "../spec";
import { validateApiPullsArgs, type AwsApiPullsArgs } from "./api-pulls";
import { validateCdcArgs, type AwsCdcStreamArgs } from "./cdc-stream";
import { validateEventJobsArgs, type AwsEventJobsArgs } from "./event-jobs";
import { validateFunctionArgs, type AwsFunctionArgs } from "./function";

const table = (name: string, source: TableSpec["source"]) => ({ name, source, overrides: {} }) as TableSpec;

describe("ingestion argument validation", () => {
  it("fails if a function's limits are out of range, naming every field", () => {
    const args = {
      functionName: "has spaces",
      timeoutSeconds: 901,
      memorySizeMb: 64,
      reservedConcurrency: 0,
      logRetentionDays: 31,
    } as AwsFunctionArgs;
    expect(() => validateFunctionArgs("fn", args)).toThrow(
      [
        "AwsFunction fn has invalid args:",
        "  - timeoutSeconds: must be a whole number of 1-900, got 901",
        "  - memorySizeMb: must be a whole number of 128-10240, got 64",
        "  - reservedConcurrency: must be a positive whole number, got 0",
        "  - logRetentionDays: CloudWatch Logs accepts 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; got 31",
        '  - functionName: 1-64 letters, digits, - or _, got "has spaces"',
      ].join("\n"),
    );
  });

  it("fails if the CDC stream gets non-CDC tables or bad capacity", () => {
    const args = {
      tables: [table("beer", { kind: "batch" })],
      shardCount: 0,
      retentionHours: 12,
    } as unknown as AwsCdcStreamArgs;
    expect(() => validateCdcArgs("cdc", args)).toThrow(
      [
        "AwsCdcStream cdc has invalid args:",
        "  - tables: not CDC tables: beer",
        "  - shardCount: must be a positive whole number, got 0",
        "  - retentionHours: must be a whole number of 24-8760, got 12",
      ].join("\n"),
    );
  });

  it("fails if the event jobs get no event table, or a bad job name, timeout or concurrency", () => {
    expect(() =>
      validateEventJobsArgs(
        "jobs",
        {
          tables: [table("beer", { kind: "batch" })],
          glueJobName: "bad name!",
        } as unknown as AwsEventJobsArgs,
        {
          triggerTimeoutSeconds: 1000,
          maxConcurrency: 1,
          jobTimeoutSeconds: 10,
        },
      ),
    ).toThrow(
      [
        "AwsEventJobs jobs has invalid args:",
        "  - tables: one or more tables, every one with source kind event",
        '  - glueJobName: 1-255 letters, digits, _ . or -, got "bad name!"',
        "  - triggerTimeoutSeconds: must be a whole number of 1-900 (a Lambda timeout), got 1000",
        "  - maxConcurrency: SQS event sources allow 2-1000, got 1",
        "  - jobTimeoutSeconds: must be a whole number of at least 60, got 10",
      ].join("\n"),
    );
  });

  it("fails if API pulls name an unknown secret or a cron Scheduler cannot express", () => {
    const args = {
      tables: [table("profile", { kind: "api", url: "https://x.example", secret: "missing" })],
      secrets: { references: { known: pulumi.output("arn") } },
      hourlyCron: "0 * * * *",
      dailyCron: "0 2 1 * 1",
    } as unknown as AwsApiPullsArgs;
    expect(() => validateApiPullsArgs("pulls", args)).toThrow(
      [
        "AwsApiPulls pulls has invalid args:",
        '  - tables.profile.source.secret: no secret "missing" in the secret store',
        '  - dailyCron: cron "0 2 1 * 1": EventBridge Scheduler cannot restrict both day-of-month and day-of-week; use * in one of them',
      ].join("\n"),
    );
  });
});
