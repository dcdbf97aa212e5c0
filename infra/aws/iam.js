'use strict';
/**
 * Least-privilege IAM statements for the stage, rendered from its parameters (serverless.yml:
 * `statements: ${file(infra/aws/iam.js):statements}`). Only what the configured auth needs:
 * - Secrets Manager: GetSecretValue on the configured secrets only.
 * - MSK IAM: the `kafka-cluster:*` data-plane actions, scoped to this cluster, its source topics,
 *   the DLQ topic (write only) and the functions' consumer groups. The framework itself adds
 *   `kafka:DescribeCluster(V2)`, `kafka:GetBootstrapBrokers` and the VPC network-interface actions.
 */

const TOPICS = ['users-topic', 'products-topic', 'orders-topic'];

/** arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID → arn:aws:kafka:REGION:ACCOUNT:KIND/NAME/UUID/RESOURCE */
const mskResourceArn = (clusterArn, kind, resource) => `${clusterArn.replace(':cluster/', `:${kind}/`)}/${resource}`;

async function statements({ resolveVariable }) {
  const param = (name) => resolveVariable(`param:${name}`);
  const result = [];

  const secretArns = [await param('clickhouseSecretArn'), await param('kafkaSecretArn')].filter(Boolean);
  if (secretArns.length) result.push({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: secretArns });

  if ((await param('sourceKind')) === 'msk' && (await param('kafkaAuth')) === 'iam') {
    const cluster = await param('mskClusterArn');
    const dlqTopic = await param('dlqTopic');
    const groupPrefix = await param('consumerGroupPrefix');
    result.push(
      { Effect: 'Allow', Action: ['kafka-cluster:Connect'], Resource: [cluster] },
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        Resource: TOPICS.map((topic) => mskResourceArn(cluster, 'topic', topic)),
      },
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        Resource: [mskResourceArn(cluster, 'topic', dlqTopic)],
      },
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        Resource: [mskResourceArn(cluster, 'group', `${groupPrefix}-*`)],
      },
    );
  }
  return result;
}

module.exports = { statements, mskResourceArn };
