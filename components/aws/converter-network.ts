import * as ec2 from "@pulumi/aws/ec2";
import { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
import * as pulumi from "@pulumi/pulumi";
import { vpcEndpointService, type AwsContext } from "./context";

/** Interface endpoints a Fargate task pulling from ECR and logging through awslogs needs (platform 1.4+). */
export const CONVERTER_INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs"] as const;
/** Gateway endpoints: S3 (data and ECR's image layers) and DynamoDB (the control table). */
export const CONVERTER_GATEWAY_ENDPOINTS = ["s3", "dynamodb"] as const;

export interface AwsConverterNetworkArgs {
  readonly context: AwsContext;
  /** The VPC's address range: two /25 private subnets are carved from it. @default "10.80.0.0/24" */
  readonly cidrBlock?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A small private network of the stack for the Fargate converter, for accounts without (or without a
 * usable) default VPC: two private subnets in two zones with no internet route, S3 and DynamoDB gateway
 * endpoints, the interface endpoints ECR image pulls and awslogs need
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html), a task security group that
 * may reach only those, and nothing inbound.
 */
export class AwsConverterNetwork extends pulumi.ComponentResource {
  readonly vpc: ec2.Vpc;
  readonly subnetIds: pulumi.Output<string[]>;
  readonly taskSecurityGroup: ec2.SecurityGroup;

  constructor(name: string, args: AwsConverterNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:ConverterNetwork", name, {}, opts);
    const cidrBlock = args.cidrBlock ?? "10.80.0.0/24";
    const { context } = args;
    const tags = { ...args.tags };
    const zones = getAvailabilityZonesOutput({ state: "available" }, { parent: this });

    this.vpc = new ec2.Vpc(
      `${name}-vpc`,
      // Private DNS of interface endpoints needs both DNS settings.
      { cidrBlock, enableDnsSupport: true, enableDnsHostnames: true, tags },
      { parent: this },
    );
    const routes = new ec2.RouteTable(
      `${name}-private-routes`,
      { vpcId: this.vpc.id, tags },
      { parent: this },
    );
    const subnets = [0, 1].map((i) => {
      const subnet = new ec2.Subnet(
        `${name}-private-${i}`,
        {
          vpcId: this.vpc.id,
          cidrBlock: halves(cidrBlock)[i],
          availabilityZone: zones.names[i],
          mapPublicIpOnLaunch: false,
          tags,
        },
        { parent: this },
      );
      new ec2.RouteTableAssociation(
        `${name}-private-${i}-routes`,
        { subnetId: subnet.id, routeTableId: routes.id },
        { parent: this },
      );
      return subnet;
    });
    this.subnetIds = pulumi.all(subnets.map((s) => s.id));

    const gateways = CONVERTER_GATEWAY_ENDPOINTS.map(
      (service) =>
        new ec2.VpcEndpoint(
          `${name}-${service}-endpoint`,
          {
            vpcId: this.vpc.id,
            serviceName: vpcEndpointService(context, service),
            vpcEndpointType: "Gateway",
            routeTableIds: [routes.id],
            tags,
          },
          { parent: this },
        ),
    );
    this.taskSecurityGroup = new ec2.SecurityGroup(
      `${name}-task`,
      {
        vpcId: this.vpc.id,
        description: "Converter tasks: HTTPS to the VPC endpoints only, nothing in",
        egress: [
          {
            description: "HTTPS to the interface endpoints",
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: [cidrBlock],
          },
          {
            description: "HTTPS to S3 and DynamoDB through their gateway endpoints",
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            prefixListIds: gateways.map((g) => g.prefixListId),
          },
        ],
        tags,
      },
      { parent: this },
    );
    const endpointGroup = new ec2.SecurityGroup(
      `${name}-endpoints`,
      {
        vpcId: this.vpc.id,
        description: "Interface endpoints: HTTPS from the converter tasks",
        ingress: [
          {
            description: "HTTPS from the converter tasks",
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            securityGroups: [this.taskSecurityGroup.id],
          },
        ],
        tags,
      },
      { parent: this },
    );
    for (const service of CONVERTER_INTERFACE_ENDPOINTS) {
      new ec2.VpcEndpoint(
        `${name}-${service.replace(".", "-")}-endpoint`,
        {
          vpcId: this.vpc.id,
          serviceName: vpcEndpointService(context, service),
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: subnets.map((s) => s.id),
          securityGroupIds: [endpointGroup.id],
          tags,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ vpcId: this.vpc.id, subnetIds: this.subnetIds });
  }
}

/** The two halves of an IPv4 CIDR block (`10.80.0.0/24` → `10.80.0.0/25`, `10.80.0.128/25`). */
export function halves(cidr: string): [string, string] {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  const bits = match ? Number(match[5]) : NaN;
  if (!match || !(bits >= 16 && bits <= 27))
    throw new Error(`cidrBlock must be an IPv4 /16 to /27, got ${cidr}`);
  const base = match.slice(1, 5).reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - bits);
  const start = base - (base % size);
  const ip = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
  return [`${ip(start)}/${bits + 1}`, `${ip(start + size / 2)}/${bits + 1}`];
}
