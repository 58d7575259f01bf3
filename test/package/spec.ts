/** One spec with every kind of source, so every runtime bundle the package ships is deployed. */
import { parseLakehouseSpec } from "medallion-lakehouse/spec";

export const spec = parseLakehouseSpec({
  name: "consumer",
  alerts: { emails: ["data@example.com"] },
  secrets: [{ name: "profiles-api" }],
  tables: [
    {
      name: "orders",
      source: { kind: "batch" },
      format: "csv",
      columns: [
        { name: "order_id", type: "bigint", nullable: false },
        { name: "amount", type: "decimal(10,2)" },
      ],
      primaryKey: ["order_id"],
    },
    {
      name: "profiles",
      source: { kind: "api", url: "https://api.example.com/v1/profiles", secret: "profiles-api" },
      format: "json",
      columns: [{ name: "profile_id", type: "bigint", nullable: false }],
      primaryKey: ["profile_id"],
    },
    {
      name: "reviews",
      source: { kind: "cdc", operationField: "operation" },
      format: "json",
      columns: [
        { name: "review_id", type: "bigint", nullable: false },
        { name: "stars", type: "int" },
      ],
      primaryKey: ["review_id"],
    },
    {
      name: "payments",
      source: { kind: "event" },
      format: "json",
      columns: [
        { name: "transaction_id", type: "string", nullable: false },
        { name: "amount", type: "decimal(10,2)" },
      ],
      primaryKey: ["transaction_id"],
    },
  ],
});

/** The same spec on Azure: every source kind has an ingestion path there too (components/capabilities.ts). */
export const azureSpec = spec;
