/**
 * Inputs whose change makes the provider replace the resource (delete and create) instead of updating it.
 * @pulumi/aws bridges the Terraform AWS provider, whose schema marks these `ForceNew`; each registry page
 * says "(Forces new resource)" on them (registry.terraform.io/providers/hashicorp/aws/latest/docs), and
 * the CloudFormation reference says "Update requires: Replacement" for the same service fields (e.g.
 * AWS::Glue::Table DatabaseName). Names: the physical name of a resource is immutable in every AWS API
 * listed. `*` means every input: the resource has no update call (an ECS task definition revision,
 * a Lake Formation grant, a Lambda permission statement). Types not listed are never marked: the
 * offline preview does not know, and says so in the summary line.
 */
const REPLACE_ON_CHANGE: Readonly<Record<string, readonly string[]>> = {
  "aws:s3/bucket:Bucket": ["bucket"],
  "aws:s3/bucketObjectv2:BucketObjectv2": ["bucket", "key"],
  "aws:sns/topic:Topic": ["name"],
  "aws:sqs/queue:Queue": ["name"],
  "aws:iam/role:Role": ["name"],
  "aws:iam/rolePolicy:RolePolicy": ["name", "role"],
  "aws:lambda/function:Function": ["name"],
  "aws:lambda/permission:Permission": ["*"],
  "aws:dynamodb/table:Table": ["name", "hashKey", "rangeKey"],
  "aws:kinesis/stream:Stream": ["name"],
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": ["name", "destination"],
  "aws:glue/catalogDatabase:CatalogDatabase": ["name", "catalogId"],
  "aws:glue/catalogTable:CatalogTable": ["name", "databaseName", "catalogId"],
  "aws:glue/job:Job": ["name"],
  "aws:glue/securityConfiguration:SecurityConfiguration": ["*"],
  "aws:cloudwatch/logGroup:LogGroup": ["name"],
  "aws:cloudwatch/logStream:LogStream": ["name", "logGroupName"],
  "aws:cloudwatch/eventRule:EventRule": ["name"],
  "aws:kms/alias:Alias": ["name"],
  "aws:secretsmanager/secret:Secret": ["name"],
  "aws:sfn/stateMachine:StateMachine": ["name"],
  "aws:ecr/repository:Repository": ["name"],
  "aws:ecs/cluster:Cluster": ["name"],
  "aws:ecs/taskDefinition:TaskDefinition": ["*"],
  "aws:athena/workgroup:Workgroup": ["name"],
  "aws:scheduler/schedule:Schedule": ["name", "groupName"],
  "aws:scheduler/scheduleGroup:ScheduleGroup": ["name"],
  "aws:lakeformation/permissions:Permissions": ["*"],
  "aws:ec2/vpc:Vpc": ["cidrBlock"],
  "aws:ec2/subnet:Subnet": ["vpcId", "cidrBlock", "availabilityZone"],
  "aws:ec2/securityGroup:SecurityGroup": ["name", "vpcId", "description"],
  "aws:ec2/vpcEndpoint:VpcEndpoint": ["vpcId", "serviceName", "vpcEndpointType"],
  // Azure resource IDs hold the name and resource group (ARM has no rename): a new name is a new resource.
  "azure-native:resources:ResourceGroup": ["resourceGroupName", "location"],
  "azure-native:storage:StorageAccount": ["accountName", "resourceGroupName", "location"],
  "azure-native:storage:BlobContainer": ["containerName", "accountName", "resourceGroupName"],
  "azure-native:keyvault:Vault": ["vaultName", "resourceGroupName", "location"],
};

/** The changed top-level inputs of `type` that force a replacement (sorted), or [] when none do. */
export function replacingInputs(type: string, changedInputs: readonly string[]): string[] {
  const fields = REPLACE_ON_CHANGE[type];
  if (!fields) return [];
  const all = fields.includes("*");
  return [...new Set(changedInputs.filter((input) => all || fields.includes(input)))].sort();
}
