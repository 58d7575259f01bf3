import { z } from "zod";
import { lakehouseSpec } from "./schema";
import { REQUIRED_BY_CLOUD, stackConfigKeys, stackDocument } from "./stack-document";

/** A JSON Schema document (draft 2020-12), as plain data. */
export type JsonSchema = { [key: string]: unknown };

/** Where the generated stack-file schema is kept in this repository and in the published package. */
export const STACK_SCHEMA_FILE = "docs/stack.schema.json";

/** The stack-file schema's `$id`: the published package's copy on a CDN that serves npm files. */
export const STACK_SCHEMA_ID = "https://cdn.jsdelivr.net/npm/medallion-lakehouse/docs/stack.schema.json";

const OPTIONS = { target: "draft-2020-12", io: "input", unrepresentable: "any" } as const;

/** The JSON Schema of `medallion:lakehouse` alone (what a person writes: defaults are optional). */
export function lakehouseJsonSchema(): JsonSchema {
  return z.toJSONSchema(lakehouseSpec, OPTIONS) as JsonSchema;
}

/**
 * The JSON Schema of a whole stack file, `Pulumi.<stack>.yaml`: the spec sits under `config:` →
 * `medallion:lakehouse`, beside the other keys, so an editor (`# yaml-language-server: $schema=...`) checks
 * the file as Pulumi reads it. Keys of other namespaces pass; an unknown `medallion:` key does not.
 */
export function stackFileJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(stackDocument, OPTIONS) as unknown as JsonSchema & {
    properties: { config: JsonSchema & { required?: string[] } };
  };
  const config = schema.properties.config;
  config.propertyNames = {
    anyOf: [{ not: { pattern: "^medallion:" } }, { enum: Object.keys(stackConfigKeys) }],
  };
  // zod's superRefine (the per-cloud required keys) has no JSON Schema form; say it the JSON Schema way.
  config.allOf = Object.entries(REQUIRED_BY_CLOUD).map(([cloud, keys]) => requiredWhen(cloud, [...keys]));
  return { ...schema, $id: STACK_SCHEMA_ID };
}

function requiredWhen(cloud: string, keys: string[]): JsonSchema {
  return {
    if: { properties: { "medallion:cloud": { const: cloud } }, required: ["medallion:cloud"] },
    then: { required: keys },
  };
}

/** `medallion schema`: prints the stack-file JSON Schema (or the spec's alone with `spec: true`). */
export function printSchema(
  options: { spec?: boolean } = {},
  write: (text: string) => void = (text) => process.stdout.write(text),
): void {
  write(`${JSON.stringify(options.spec ? lakehouseJsonSchema() : stackFileJsonSchema(), null, 2)}\n`);
}
