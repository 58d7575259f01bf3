import { z } from "zod";

/** The function's environment is missing or malformed; the message names every bad variable. */
export class EnvironmentError extends Error {
  constructor(problems: string[]) {
    super(`Invalid function environment: ${problems.join("; ")}`);
    this.name = "EnvironmentError";
  }
}

/**
 * Parses `env` (default `process.env`) with a zod object schema once, at cold start, so a missing or
 * malformed variable fails the first invocation with a message naming it instead of a later, vaguer error.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new EnvironmentError(envProblems(result.error.issues, env));
}

/** One line per bad variable: "X is required" when it is absent or empty, else "X <what is wrong>". */
export function envProblems(issues: readonly z.core.$ZodIssue[], env: NodeJS.ProcessEnv): string[] {
  return issues.map((issue) => {
    const name = issue.path.join(".");
    return env[name] === undefined || env[name] === "" ? `${name} is required` : `${name} ${issue.message}`;
  });
}

/** A required, non-empty variable. */
export const required = z.string().min(1);

/** A variable holding JSON (e.g. SECRET_ARNS), parsed and checked against `schema`. */
export function jsonVariable<T extends z.ZodType>(schema: T) {
  return z.string().transform((text, ctx) => {
    try {
      return schema.parse(JSON.parse(text)) as z.output<T>;
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        message: `must be JSON matching the expected shape (${String(error)})`,
      });
      return z.NEVER;
    }
  });
}
