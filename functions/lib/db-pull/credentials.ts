import { z } from "zod";

/**
 * A database connection secret, in the JSON shape RDS and Aurora write for managed credentials (`host`,
 * `port`, `username`, `password`, `dbname`; https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_secret_json_structure.html),
 * plus `ca` (a PEM bundle the server's certificate must chain to; the platform's roots otherwise) and `tls`.
 * TLS is always on: `verify-full` (default) checks the certificate and the host name; `require` encrypts
 * without checking them, an explicit loosening for servers with self-signed certificates.
 */
export const databaseCredentials = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().positive().optional(),
  username: z.string().min(1),
  password: z.string(),
  dbname: z.string().min(1).optional(),
  ca: z.string().optional(),
  tls: z.enum(["verify-full", "require"]).default("verify-full"),
});
export type DatabaseCredentials = z.output<typeof databaseCredentials>;

/** Parses the secret's value, naming the fields that are wrong and never echoing the value itself. */
export function parseCredentials(secretName: string, value: string): DatabaseCredentials {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new Error(`secret "${secretName}" is not JSON (expected host, port, username, password, dbname)`);
  }
  const parsed = databaseCredentials.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`secret "${secretName}" is not a database connection: ${fields.join("; ")}`);
  }
  return parsed.data;
}

/** Node TLS options for the credentials: verification on unless the secret explicitly says `require`. */
export function tlsOptions(credentials: DatabaseCredentials): {
  rejectUnauthorized: boolean;
  ca?: string;
  servername?: string;
} {
  return {
    rejectUnauthorized: credentials.tls === "verify-full",
    ...(credentials.ca ? { ca: credentials.ca } : {}),
    ...(credentials.tls === "verify-full" ? { servername: credentials.host } : {}),
  };
}
