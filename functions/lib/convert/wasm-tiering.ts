import { setFlagsFromString } from "node:v8";

/**
 * How much a WebAssembly function runs in V8's baseline tier (Liftoff) before it is recompiled by the
 * optimizing tier (TurboFan), in V8's rough "bytes executed". With the default (1,800,000), writing the
 * first 1M rows sends 80 of parquet-wasm's large Rust functions through TurboFan (13 at this budget), on
 * background threads but on the same vCPU: ~0.2-0.3 CPU s more in the first 1M rows, more than the whole
 * Parquet encoding of 100,000 rows. At this budget only the hot loops (encoders, snappy) are optimized, within
 * the first batches, so a long conversion runs as fast as with the default (measured: 1e9 warms up as fast
 * but leaves some warm code unoptimized; above 2^31 the budget overflows).
 */
export const WASM_TIERING_BUDGET = 100_000_000;

// V8 reads the budget when a module is compiled, so this module is imported before parquet-wasm (which compiles
// its module when it loads); a module compiled earlier keeps the default, only slower to warm up.
setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
