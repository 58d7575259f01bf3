/**
 * Writes a fresh consumer project's package.json and package-lock.json for `npm run test:package`:
 * medallion-lakehouse from the packed tarball, the @pulumi peers and the TypeScript toolchain at this
 * repository's locked versions, and every transitive package at the exact version and tree position
 * this repository's lockfile holds. So `npm ci` in the consumer installs from the npm cache `npm ci`
 * filled here, with no resolution and no registry metadata: what is tested is the tarball, not today's
 * registry.
 *
 *   tsx scripts/package-consumer.ts <consumer dir> <tarball>
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/** What the consumer installs beside the tarball: the peers and what compiles and types the program. */
const CONSUMER_PACKAGES = {
  dependencies: [
    "@pulumi/pulumi",
    "@pulumi/aws",
    "@pulumi/azure-native",
    "@pulumi/databricks",
    "@pulumi/docker-build",
  ],
  devDependencies: ["typescript", "@types/node"],
};

function main(consumerDir: string, tarball: string): void {
  const root = path.resolve(__dirname, "..");
  const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const packages = lock.packages;
  const packed = readPackedManifest(root);
  const tarballSpec = `file:${path.relative(consumerDir, tarball)}`;
  const version = (name: string) => {
    const entry = packages[`node_modules/${name}`];
    if (!entry?.version) throw new Error(`${name} is not in package-lock.json`);
    return entry.version;
  };
  const manifest = {
    name: "medallion-consumer",
    version: "0.0.0",
    private: true,
    dependencies: {
      "medallion-lakehouse": tarballSpec,
      ...Object.fromEntries(CONSUMER_PACKAGES.dependencies.map((n) => [n, version(n)])),
    },
    devDependencies: Object.fromEntries(CONSUMER_PACKAGES.devDependencies.map((n) => [n, version(n)])),
  };

  // Node's lookup: a package's own node_modules first, then each enclosing one up to the root.
  const resolve = (from: string, name: string): string | undefined => {
    let base = from;
    for (;;) {
      const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
      if (packages[candidate]) return candidate;
      if (!base) return undefined;
      const i = base.lastIndexOf("/node_modules/");
      base = i < 0 ? "" : base.slice(0, i);
    }
  };
  const needs = (entry: LockEntry): string[] => [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...Object.keys(entry.peerDependencies ?? {}).filter((n) => !entry.peerDependenciesMeta?.[n]?.optional),
  ];
  const chosen = new Map<string, LockEntry>();
  const queue: [string, string][] = [
    ...Object.keys(manifest.dependencies)
      .filter((n) => n !== "medallion-lakehouse")
      .map((n) => ["", n] as [string, string]),
    ...Object.keys(manifest.devDependencies).map((n) => ["", n] as [string, string]),
    ...Object.keys(packed.dependencies ?? {}).map((n) => ["", n] as [string, string]),
  ];
  while (queue.length > 0) {
    const [from, name] = queue.pop() as [string, string];
    const at = resolve(from, name);
    if (!at) {
      if (from === "") throw new Error(`${name} is not in package-lock.json`);
      continue; // an optional dependency of another platform, absent from the lockfile
    }
    if (chosen.has(at)) continue;
    const entry = packages[at];
    chosen.set(at, entry);
    for (const dep of needs(entry)) queue.push([at, dep]);
  }

  const integrity = `sha512-${createHash("sha512").update(fs.readFileSync(tarball)).digest("base64")}`;
  const entries: Record<string, LockEntry> = {
    "": {
      name: manifest.name,
      version: manifest.version,
      dependencies: manifest.dependencies,
      devDependencies: manifest.devDependencies,
    },
    "node_modules/medallion-lakehouse": {
      version: packed.version,
      resolved: tarballSpec,
      integrity,
      license: packed.license,
      dependencies: packed.dependencies,
      peerDependencies: packed.peerDependencies,
      peerDependenciesMeta: packed.peerDependenciesMeta,
      engines: packed.engines,
      // npm ci links a package's bins from its lockfile entry: without it there is no node_modules/.bin/medallion.
      bin: packed.bin,
    },
  };
  for (const at of [...chosen.keys()].sort()) {
    // Dev/peer flags describe this repository's tree, not the consumer's; drop them.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = chosen.get(at) as LockEntry;
    entries[at] = rest;
  }
  fs.writeFileSync(path.join(consumerDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(
    path.join(consumerDir, "package-lock.json"),
    `${JSON.stringify({ name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages: entries }, null, 2)}\n`,
  );
  console.log(`consumer: ${chosen.size + 1} packages locked`);
}

/** The package.json as packed (npm pack ships it as is). */
function readPackedManifest(
  root: string,
): LockEntry & { license?: string; engines?: unknown; bin?: Record<string, string> } {
  return JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
}

const [consumerDir, tarball] = process.argv.slice(2);
if (!consumerDir || !tarball) {
  console.error("usage: tsx scripts/package-consumer.ts <consumer dir> <tarball>");
  process.exit(2);
}
main(path.resolve(consumerDir), path.resolve(tarball));
