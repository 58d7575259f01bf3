// tsconfig resolves modules the node10 way, which ignores package "exports"; point at the Node build's types.
declare module "parquet-wasm/node" {
  export * from "parquet-wasm/node/parquet_wasm";
}
