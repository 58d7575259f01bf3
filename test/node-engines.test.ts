import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as semver from "semver";

/**
 * `npm ci` warns EBADENGINE for every installed package whose `engines.node` excludes the running Node.
 * The README promises Node 20.19+, 22.13+ and 24, so every package in the lockfile must accept the lowest
 * release of each (the lockfile records each package's `engines` as published).
 */
const root = join(__dirname, "..");
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  engines: { node: string };
};

// 22.13: the first Node 22 release eslint 10 and its tree accept (`^20.19.0 || ^22.13.0 || >=24`).
const SUPPORTED = ["20.19.0", "22.13.0", "24.0.0"];

describe("Node engines", () => {
  it("the engines floor is the README's Node 20.19", () => {
    expect(semver.minVersion(manifest.engines.node)?.version).toBe("20.19.0");
  });

  it.each(SUPPORTED)("every locked package accepts Node %s (no EBADENGINE on npm ci)", (node) => {
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path !== "")
      .map(([path, entry]) => ({
        path,
        version: entry.version,
        range: Array.isArray(entry.engines) ? undefined : entry.engines?.node,
      }))
      .filter(({ range }) => range !== undefined && !semver.satisfies(node, range, { loose: true }))
      .map(({ path, version, range }) => `${path}@${version} wants node ${range}`);
    expect(refusing).toEqual([]);
  });
});
