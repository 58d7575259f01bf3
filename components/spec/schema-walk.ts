import { lakehouseSpec } from "./schema";

/**
 * Finds the part of the spec schema a path points at, so an error can list the fields or values that
 * would have been valid there ("did you mean"). Reads zod 4's schema definitions (`_zod.def`), which are
 * plain data: objects (`shape`), arrays (`element`), records (`valueType`), wrappers (`innerType`) and
 * discriminated unions (`options`, chosen by the input's discriminator value).
 */

interface Def {
  readonly type: string;
  readonly shape?: Record<string, unknown>;
  readonly element?: unknown;
  readonly valueType?: unknown;
  readonly innerType?: unknown;
  readonly options?: readonly unknown[];
  readonly discriminator?: string;
  readonly entries?: Record<string, unknown>;
  readonly values?: readonly unknown[];
}

function defOf(schema: unknown): Def | undefined {
  return (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

/** Removes default/optional/prefault/nullable wrappers. */
function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let def = defOf(current); def?.innerType !== undefined; def = defOf(current)) current = def.innerType;
  return current;
}

/** The value at `path` in `input`, or undefined. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const segment of path) {
    node =
      node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[segment] : undefined;
  }
  return node;
}

/** The schema at `path` under the spec root (the variant the input chose, for discriminated unions). */
export function schemaAt(
  path: readonly PropertyKey[],
  input: unknown,
  root: unknown = lakehouseSpec,
): unknown {
  let schema: unknown = root;
  let node: unknown = input;
  for (const segment of [...path, undefined]) {
    schema = chooseVariant(unwrap(schema), node);
    if (segment === undefined) break;
    const def = defOf(schema);
    if (!def) return undefined;
    if (def.type === "object") schema = def.shape?.[String(segment)];
    else if (def.type === "array") schema = def.element;
    else if (def.type === "record") schema = def.valueType;
    else return undefined;
    node = valueAt(node, [segment]);
  }
  return schema;
}

function chooseVariant(schema: unknown, node: unknown): unknown {
  const def = defOf(schema);
  if (def?.type !== "union" || !def.discriminator || !def.options) return schema;
  const tag = (node as Record<string, unknown> | undefined)?.[def.discriminator];
  const chosen = def.options.find((option) => {
    const field = defOf(unwrap(option))?.shape?.[def.discriminator as string];
    return defOf(field)?.values?.includes(tag);
  });
  return chosen ?? schema;
}

/** The field names an object schema takes (empty for anything else). */
export function knownKeys(schema: unknown): string[] {
  const def = defOf(unwrap(schema));
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

/** The named values a schema takes: an enum's entries, a literal's values, through unions. */
export function enumValues(schema: unknown): string[] {
  const def = defOf(unwrap(schema));
  if (!def) return [];
  if (def.type === "enum" && def.entries) return Object.values(def.entries).map(String);
  if (def.type === "literal" && def.values) return def.values.map(String);
  if (def.type === "union" && def.options) return def.options.flatMap(enumValues);
  return [];
}
