import type { Rule } from "../types";
import {
  lambdaCurrentRuntime,
  lambdaLogRetention,
  stepFunctionsErrorHandling,
  stepFunctionsLogging,
  stepFunctionsTracing,
} from "./aws-compute";
import {
  athenaWorkgroup,
  dynamoDbPointInTimeRecovery,
  firehoseEncryption,
  glueSecurityConfiguration,
  kinesisEncryption,
  secretRotation,
} from "./aws-data";
import { deployOrder } from "./aws-ordering";
import { serviceRoleTrust } from "./aws-trust";
import {
  ecsTaskPrivateNetwork,
  eventTargetDeadLetter,
  firehoseLogStream,
  logGroupRetention,
} from "./aws-observability";
import { iamPolicySize, noAwsManagedPolicies, noWildcardPermissions } from "./aws-iam";
import { queueRedriveSettings, snsTlsOnly, sqsDeadLetterQueue, sqsTlsOnly } from "./aws-messaging";
import { kmsRotation, s3AccessLogs, s3PublicAccessBlocked, s3TlsOnly } from "./aws-s3";
import {
  azureDatabricksRules,
  azureDiagnosticCategories,
  azureDiagnostics,
  azureKeyVaultRules,
  azureLogQuerySchema,
  azureStorageRules,
} from "./azure";
import { azureMessagingRules } from "./azure-messaging";
import { alarmsHaveActions, customerManagedKeys, protectedDataStores, tagsPresent } from "./general";
import {
  alarmEvaluationRange,
  azureWorkbookQuerySchema,
  budgetNotifiesTopic,
  tableDataAlarms,
} from "./observability";

/** Every rule of the pack, in the order the README lists them. */
export const RULES: readonly Rule[] = [
  s3AccessLogs,
  s3PublicAccessBlocked,
  s3TlsOnly,
  kmsRotation,
  sqsDeadLetterQueue,
  sqsTlsOnly,
  snsTlsOnly,
  stepFunctionsLogging,
  stepFunctionsTracing,
  lambdaCurrentRuntime,
  dynamoDbPointInTimeRecovery,
  kinesisEncryption,
  firehoseEncryption,
  glueSecurityConfiguration,
  athenaWorkgroup,
  secretRotation,
  noAwsManagedPolicies,
  noWildcardPermissions,
  iamPolicySize,
  serviceRoleTrust,
  ...azureStorageRules,
  ...azureKeyVaultRules,
  ...azureDatabricksRules,
  azureDiagnostics,
  azureDiagnosticCategories,
  azureLogQuerySchema,
  ...azureMessagingRules,
  customerManagedKeys,
  queueRedriveSettings,
  lambdaLogRetention,
  stepFunctionsErrorHandling,
  alarmsHaveActions,
  protectedDataStores,
  tagsPresent,
  deployOrder,
  logGroupRetention,
  eventTargetDeadLetter,
  firehoseLogStream,
  ecsTaskPrivateNetwork,
  alarmEvaluationRange,
  tableDataAlarms,
  budgetNotifiesTopic,
  azureWorkbookQuerySchema,
];
