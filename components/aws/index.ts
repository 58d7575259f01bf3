export { AwsLakehouse, type AwsLakehouseArgs } from "./lakehouse";
export { AwsMedallionLayer, type AwsMedallionLayerArgs, type AwsPrincipal } from "./medallion-layer";
export { AwsSecretStore, type AwsSecretStoreArgs } from "./secret-store";
export { AwsAlertTopic, type AwsAlertTopicArgs } from "./alert-topic";
export { AwsAccessLogBucket, type AwsAccessLogBucketArgs } from "./access-log-bucket";
export { AwsCustomerKey, type AwsCustomerKeyArgs } from "./customer-key";
export { awsContext, type AwsContext } from "./context";
export { standardTags, type StandardTagInputs } from "./tags";
