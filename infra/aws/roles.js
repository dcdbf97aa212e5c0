'use strict';
/**
 * One execution role per function, each with only what that function does (serverless.yml gives
 * every function `role: <Name>ExecutionRole`, so the framework renders no shared role and adds no
 * statements of its own: this file renders all of them).
 *
 * A table function (users, products, orders):
 * - writes its own log group (the provisioned-mode mapping's system logs go there too:
 *   https://docs.aws.amazon.com/lambda/latest/dg/esm-logging.html);
 * - reads the secrets it uses: ClickHouse credentials, and the Kafka SCRAM, root CA and client
 *   certificate secrets shared by its event source and its DLQ producer;
 * - for Amazon MSK, describes the cluster and manages the pollers' network interfaces, as
 *   AWSLambdaMSKExecutionRole lists (https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html);
 *   for self-managed Kafka in a VPC, the network interfaces only (and its own, when the functions
 *   run in a VPC: functionSubnetIds);
 * - with MSK IAM auth, what the event source's pollers do as the function: connect, describe the
 *   cluster's dynamic configuration, read its own topic in its own consumer group ("Configuring
 *   Amazon MSK event sources for Lambda", IAM role-based authentication:
 *   https://docs.aws.amazon.com/lambda/latest/dg/with-msk-configure.html); and write the DLQ topic
 *   (its DLQ producer, and Lambda's kafka:// on-failure destination, which writes as the function:
 *   kafka-cluster:WriteData per "Capturing discarded batches for Amazon MSK and self-managed Apache
 *   Kafka event sources", https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html).
 * The producer writes the three source topics and nothing else.
 *
 * MSK IAM actions and their resources: https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html
 */
const { TABLES, TOPICS, fromStage, logicalIds, functionName, kafkaSecretArns } = require('./stage');
const { consumerGroupId } = require('./event-sources');

/** arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID → arn:aws:kafka:REGION:ACCOUNT:KIND/NAME/UUID/RESOURCE */
const mskResourceArn = (clusterArn, kind, resource) => `${clusterArn.replace(':cluster/', `:${kind}/`)}/${resource}`;

const allow = (actions, resources) => ({ Effect: 'Allow', Action: actions, Resource: resources });

// Network interfaces, with "*" as the only resource: EC2 offers no resource-level scoping for
// these calls as Lambda makes them, so this is the only "*" in any role.
// - The event source's pollers attach to the cluster's VPC (MSK always; self-managed Kafka with
//   vpcSubnetIds): AWSLambdaMSKExecutionRole's EC2 actions.
// - A function in a VPC (functionSubnetIds) gets its own interfaces: AWSLambdaVPCAccessExecutionRole's,
//   https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
const POLLER_NETWORKING = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DeleteNetworkInterface', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'];
const FUNCTION_NETWORKING = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];

function networkInterfaces({ pollers, fn }) {
  const actions = [...new Set([...(pollers ? POLLER_NETWORKING : []), ...(fn ? FUNCTION_NETWORKING : [])])];
  return actions.length ? [allow(actions, '*')] : [];
}

/** The function's own log group (created by the stack, so no logs:CreateLogGroup). */
const ownLogs = (s, fn) =>
  allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [{ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName(s, fn)}:*` }]);


/**
 * GetSecretValue on exactly these secrets; and, for secrets encrypted with a customer-managed key
 * (MSK requires one for SCRAM secrets), kms:Decrypt on the stage's keys, only through Secrets Manager.
 */
function readSecrets(s, arns) {
  if (!arns.length) return [];
  const statements = [allow(['secretsmanager:GetSecretValue'], arns)];
  if (s.secretsKmsKeyArns.length) {
    statements.push({ ...allow(['kms:Decrypt'], s.secretsKmsKeyArns), Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' } } } });
  }
  return statements;
}

/**
 * MSK IAM, on the cluster: connect, and produce idempotently when the producer is idempotent (a
 * cluster-level permission; https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control-use-cases.html).
 * `consumer`: the event source's pollers also describe the cluster's dynamic configuration, one of
 * the six actions "Configuring Amazon MSK event sources for Lambda" lists for IAM role-based
 * authentication (https://docs.aws.amazon.com/lambda/latest/dg/with-msk-configure.html).
 */
const mskCluster = (s, { consumer }) => {
  // Lambda's kafka:// on-failure destination produces as the function too; its producer's
  // idempotence is not documented (Kafka producers default to it since 3.0), so it may always.
  const idempotent = s.idempotent || (consumer && s.failurePolicy === 'dlq-after-retries');
  return allow(['kafka-cluster:Connect', ...(consumer ? ['kafka-cluster:DescribeClusterDynamicConfiguration'] : []), ...(idempotent ? ['kafka-cluster:WriteDataIdempotently'] : [])], [s.clusterArn]);
};

/** Statements of one table function's role. */
function tableFunctionStatements(table, s) {
  const statements = [ownLogs(s, table), ...readSecrets(s, [s.clickhouseSecretArn, ...kafkaSecretArns(s)].filter(Boolean))];
  if (s.kind === 'msk') statements.push(allow(['kafka:DescribeCluster', 'kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'], [s.clusterArn]));
  statements.push(...networkInterfaces({ pollers: s.kind === 'msk' || s.subnets.length > 0, fn: s.functionSubnets.length > 0 }));
  if (s.auth === 'iam') {
    const topic = (name) => mskResourceArn(s.clusterArn, 'topic', name);
    statements.push(
      mskCluster(s, { consumer: true }),
      allow(['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], [topic(TOPICS[table])]),
      allow(['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], [mskResourceArn(s.clusterArn, 'group', consumerGroupId(s, table))]),
      allow(['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], [topic(s.dlqTopic)]),
    );
  }
  return statements;
}

/** Statements of the sample-data producer's role: write (and describe) the source topics. */
function producerStatements(s) {
  const statements = [ownLogs(s, 'producer'), ...readSecrets(s, kafkaSecretArns(s)), ...networkInterfaces({ pollers: false, fn: s.functionSubnets.length > 0 })];
  if (s.auth === 'iam') {
    statements.push(mskCluster(s, { consumer: false }), allow(['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], TABLES.map((table) => mskResourceArn(s.clusterArn, 'topic', TOPICS[table]))));
  }
  return statements;
}

const role = (description, statements) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    Description: description,
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
    },
    // Inline, so the permissions exist as soon as the role does: Lambda checks them when it
    // creates an event source mapping.
    Policies: [{ PolicyName: 'least-privilege', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
  },
});

/** Logical id → AWS::IAM::Role for every deployed function. */
function roleResources(s) {
  const resources = {};
  for (const table of TABLES) resources[logicalIds(table).role] = role(`${functionName(s, table)}: ${TOPICS[table]} to ClickHouse ${table}`, tableFunctionStatements(table, s));
  if (s.deployProducer) resources[logicalIds('producer').role] = role(`${functionName(s, 'producer')}: sample data to the source topics`, producerStatements(s));
  return resources;
}

module.exports = {
  resources: fromStage(roleResources),
  roleResources,
  tableFunctionStatements,
  producerStatements,
  mskResourceArn,
};
