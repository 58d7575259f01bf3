/** `medallion schema [--spec]`: prints the stack-file JSON Schema (or the spec's alone). */
import { printSchema } from "../components/spec";

printSchema({ spec: process.argv.includes("--spec") });
