/**
 * The CrossGuard policy pack: `pulumi preview --policy-pack infra/policy` (with the real CLI).
 * Offline, `npm run policy` runs the same rules over the preview plan; the rules live in ./rules so
 * tests import them without starting a policy server.
 */
import { PolicyPack } from "@pulumi/policy";
import { crossGuardPolicies } from "./pack";

new PolicyPack("medallion-lakehouse", { policies: crossGuardPolicies() });
