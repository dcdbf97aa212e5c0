'use strict';
/**
 * Least-privilege IAM statements for the stage, rendered from its parameters (serverless.yml:
 * `statements: ${file(infra/aws/iam.js):statements}`). Only what the configured stage needs:
 * - Secrets Manager: GetSecretValue on the configured secrets only.
 * - MSK IAM: the `kafka-cluster:*` data-plane actions, scoped to this cluster, its source topics,
 *   the DLQ topic (write only) and the functions' consumer groups. For plain `msk` events the
 *   framework itself adds `kafka:DescribeCluster(V2)`, `kafka:GetBootstrapBrokers` and the VPC
 *   network-interface actions; for the raw provisioned-mode mappings this file adds them.
 */
const { stageSettings, TOPICS } = require('./event-sources');

/** arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID → arn:aws:kafka:REGION:ACCOUNT:KIND/NAME/UUID/RESOURCE */
const mskResourceArn = (clusterArn, kind, resource) => `${clusterArn.replace(':cluster/', `:${kind}/`)}/${resource}`;

// Lambda's pollers attach to the cluster's VPC through ENIs. EC2 offers no resource-level scoping
// for these Describe*/CreateNetworkInterface calls as Lambda makes them, hence the one "*" here.
const VPC_NETWORKING = {
  Effect: 'Allow',
  Action: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DeleteNetworkInterface', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
  Resource: '*',
};

async function statements({ resolveVariable }) {
  const s = await stageSettings(resolveVariable);
  const clickhouseSecretArn = await resolveVariable('param:clickhouseSecretArn');
  const result = [];

  const secretArns = [clickhouseSecretArn, s.scramSecretArn, s.rootCaSecretArn, s.clientCertificateSecretArn].filter(Boolean);
  if (secretArns.length) result.push({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: secretArns });

  const rawMappings = s.failurePolicy === 'dlq-after-retries';
  if (rawMappings && s.kind === 'msk') {
    result.push({ Effect: 'Allow', Action: ['kafka:DescribeCluster', 'kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'], Resource: [s.clusterArn] }, VPC_NETWORKING);
  }
  if (rawMappings && s.kind === 'kafka' && s.subnets.length) result.push(VPC_NETWORKING);

  if (s.kind === 'msk' && s.auth === 'iam') {
    result.push(
      { Effect: 'Allow', Action: ['kafka-cluster:Connect'], Resource: [s.clusterArn] },
      { Effect: 'Allow', Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], Resource: Object.values(TOPICS).map((topic) => mskResourceArn(s.clusterArn, 'topic', topic)) },
      // The DLQ publisher, and in provisioned mode Lambda's on-failure destination, write here.
      { Effect: 'Allow', Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], Resource: [mskResourceArn(s.clusterArn, 'topic', s.dlqTopic)] },
      { Effect: 'Allow', Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], Resource: [mskResourceArn(s.clusterArn, 'group', `${s.consumerGroupPrefix}-*`)] },
    );
  }
  return result;
}

module.exports = { statements, mskResourceArn };
