/** The Pulumi entrypoint (`main` in Pulumi.yaml). Pulumi calls the exported function and exports its result. */
import { runProgram } from "./program";

export = runProgram;
