/* eslint-disable @typescript-eslint/no-explicit-any -- stack documents are mutated as plain YAML data */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { specReference, STACK_SCHEMA_FILE, stackFileJsonSchema } from ".";

const root = path.join(__dirname, "..", "..");
const stackFiles = fs.readdirSync(root).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
// Formats (email, uri) are zod's to check; ajv without ajv-formats would only warn about them.
const validator = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(
  stackFileJsonSchema(),
);
const readStack = (file: string) =>
  parse(fs.readFileSync(path.join(root, file), "utf8")) as Record<string, any>;

describe("the stack-file JSON Schema (ajv, draft 2020-12)", () => {
  it("finds the shipped stack files", () => expect(stackFiles.length).toBeGreaterThanOrEqual(3));

  it.each(stackFiles)("validates %s", (file) => {
    expect(validator(readStack(file)) ? [] : validator.errors).toEqual([]);
  });

  it.each(stackFiles)(
    "%s names the schema on its first line, and that file is the generated schema",
    (file) => {
      const first = fs.readFileSync(path.join(root, file), "utf8").split("\n")[0];
      expect(first).toBe(`# yaml-language-server: $schema=./${STACK_SCHEMA_FILE}`);
      const target = path.join(root, STACK_SCHEMA_FILE);
      expect(JSON.parse(fs.readFileSync(target, "utf8"))).toEqual(stackFileJsonSchema());
    },
  );

  it.each([
    ["an hour out of range", (d: any) => (d.config["medallion:lakehouse"].schedules.daily = "30 25 * * *")],
    ["an unknown medallion: key", (d: any) => (d.config["medallion:lakehous"] = {})],
    ["an unknown spec field", (d: any) => (d.config["medallion:lakehouse"].tables[0].nulable = true)],
    ["a bad enum value", (d: any) => (d.config["medallion:lakehouse"].tables[1].format = "parquet")],
    ["AWS without Lake Formation admins", (d: any) => delete d.config["medallion:lakeFormationAdmins"]],
    [
      "a log retention CloudWatch refuses",
      (d: any) => (d.config["medallion:lakehouse"].retention.logDays = 45),
    ],
  ])("refuses %s", (_, change) => {
    const document = readStack("Pulumi.dev.yaml");
    change(document);
    expect(validator(document)).toBe(false);
  });

  it("keeps other providers' keys and Pulumi's own top-level keys", () => {
    const document = readStack("Pulumi.dev.yaml");
    document.config["aws:defaultTags"] = { tags: { team: "data" } };
    document.encryptionsalt = "v1:abc";
    expect(validator(document) ? [] : validator.errors).toEqual([]);
  });
});

/** Every field of the schema (config keys and spec), by path. */
function fields(node: any, at: string, out: [string, any][] = []): [string, any][] {
  for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
    out.push([`${at}.${key}`, child]);
    fields(child, `${at}.${key}`, out);
  }
  for (const variant of node.oneOf ?? node.anyOf ?? []) fields(variant, at, out);
  if (node.items) fields(node.items, `${at}[]`, out);
  return out;
}

describe("the reference", () => {
  const all = fields((stackFileJsonSchema() as any).properties.config, "config");

  it("describes every field", () => {
    expect(all.length).toBeGreaterThan(80);
    expect(
      all
        .filter(([, node]) => typeof node.description !== "string" || node.description === "")
        .map(([p]) => p),
    ).toEqual([]);
  });

  it("gives every value field an example or a default", () => {
    const valueField = (node: any) =>
      node.type !== "object" &&
      !(node.type === "array" && node.items?.type === "object") &&
      !node.oneOf &&
      !node.anyOf?.every((v: any) => v.type === "object");
    const bare = all.filter(
      ([, node]) => valueField(node) && !node.examples && !("default" in node) && !("const" in node),
    );
    expect(bare.map(([p]) => p)).toEqual([]);
  });

  it("docs/SPEC.md is what npm run docs:spec generates (regenerate it after changing the schema)", () => {
    expect(fs.readFileSync(path.join(root, "docs", "SPEC.md"), "utf8")).toBe(specReference());
  });

  it("the reference lists every field", () => {
    const reference = specReference();
    for (const [p] of all) {
      const leaf = p.split(".").pop() as string;
      expect(reference).toContain(leaf.replace(/\[\]$/, ""));
    }
  });
});
