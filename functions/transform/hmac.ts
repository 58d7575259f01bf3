import { createHash } from "node:crypto";

/** SHA-256's block size: HMAC pads the key to it (RFC 2104 §2). */
const BLOCK_BYTES = 64;

/**
 * The HMAC-SHA256 pads of a key (RFC 2104): a key longer than a block is hashed first, then zero-padded to
 * the block; the inner pad is it XOR 0x36, the outer pad XOR 0x5c. HMAC(K, m) = H(outer || H(inner || m)).
 * The runners compute them (SQL has no XOR over bytes) and hand them to the plan's SQL as a relation.
 */
export function hmacPads(key: string | Buffer): { inner: Buffer; outer: Buffer } {
  let bytes = typeof key === "string" ? Buffer.from(key, "utf8") : key;
  if (bytes.length === 0) throw new Error("transform: the hash key is empty");
  if (bytes.length > BLOCK_BYTES) bytes = createHash("sha256").update(bytes).digest();
  const padded = Buffer.alloc(BLOCK_BYTES);
  bytes.copy(padded);
  return {
    inner: Buffer.from(padded.map((b) => b ^ 0x36)),
    outer: Buffer.from(padded.map((b) => b ^ 0x5c)),
  };
}
