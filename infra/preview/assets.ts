/**
 * Assets and archives as the plan records them: where they come from and a SHA-256 of their content,
 * so changed function code shows in a diff as a changed hash (the engine uploads the bytes, not the path).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** A recorded asset or archive: the source, the content hash, and for an archive each member's hash. */
export interface RecordedAsset {
  readonly asset?: string;
  readonly archive?: string;
  /** SHA-256 (hex) of the content; `unreadable: <code>` when the file is missing; absent for a URI. */
  readonly sha256?: string;
  /** Archive members by name: their own hashes, so the diff names the file that changed. */
  readonly files?: Record<string, string>;
}

/** An asset from Pulumi's wire form (`path`, `text` or `uri`). */
export function recordAsset(wire: Record<string, unknown>): RecordedAsset {
  if (typeof wire.path === "string") return { asset: wire.path, sha256: hashPath(wire.path) };
  if (typeof wire.text === "string") return { asset: "[text]", sha256: sha256(wire.text) };
  return { asset: String(wire.uri ?? "[unknown]") };
}

/** An archive from Pulumi's wire form (`assets` map, `path` or `uri`). */
export function recordArchive(wire: Record<string, unknown>): RecordedAsset {
  if (wire.assets && typeof wire.assets === "object") {
    const files: Record<string, string> = {};
    for (const name of Object.keys(wire.assets).sort()) {
      const member = (wire.assets as Record<string, Record<string, unknown>>)[name];
      const recorded = "assets" in member ? recordArchive(member) : recordAsset(member);
      files[name] = recorded.sha256 ?? recorded.asset ?? recorded.archive ?? "[unknown]";
    }
    return { archive: "[assets]", sha256: sha256(JSON.stringify(Object.entries(files))), files };
  }
  if (typeof wire.path === "string") return { archive: wire.path, sha256: hashPath(wire.path) };
  return { archive: String(wire.uri ?? "[unknown]") };
}

/** A file's hash, or a directory's: over its relative file names and their hashes, sorted. */
function hashPath(file: string): string {
  try {
    const stat = fs.statSync(file);
    if (!stat.isDirectory()) return sha256(fs.readFileSync(file));
    const entries = listFiles(file).map((f) => [path.relative(file, f), sha256(fs.readFileSync(f))]);
    return sha256(JSON.stringify(entries));
  } catch (error) {
    return `unreadable: ${(error as NodeJS.ErrnoException).code ?? "error"}`;
  }
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => (d.isDirectory() ? listFiles(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
