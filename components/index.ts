/** The public surface of medallion-lakehouse: re-exports only. */
export * from "./spec";
export * from "./contracts";
export { LAYERS, type LayerName } from "./naming";
export * as naming from "./naming";
export * from "./aws";
export * from "./azure";
