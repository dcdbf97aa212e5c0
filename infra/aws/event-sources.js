'use strict';
/**
 * Renders each table function's Kafka event source for the stage (serverless.yml loads it as
 * `${file(infra/aws/event-sources.js):users}` and `…:resources`).
 *
 * - `sourceKind`: `msk` (Amazon MSK) or `kafka` (self-managed Kafka).
 * - `failurePolicy`:
 *   - `retry-until-success` (default): plain `msk` / `kafka` events. A failing batch is retried
 *     until it succeeds; the partition waits, nothing is lost. Right for a ClickHouse outage:
 *     the handler already dead-letters poison itself, so only transient failures reach here.
 *   - `dlq-after-retries`: raw `AWS::Lambda::EventSourceMapping` resources in provisioned mode
 *     (Serverless v3 events cannot express these settings) with retry limits, batch bisection and
 *     an on-failure destination `kafka://<dlqTopic>` on the same cluster. A last-resort net: a
 *     partition never stalls for long, but a batch that keeps failing (e.g. ClickHouse down for
 *     longer than the retries last) goes to the DLQ topic in Lambda's own format and must be
 *     replayed by an operator.
 */

const TABLES = ['users', 'products', 'orders'];
const TOPICS = { users: 'users-topic', products: 'products-topic', orders: 'orders-topic' };
const POLICIES = ['retry-until-success', 'dlq-after-retries'];

const list = (value) => String(value || '').split(',').map((s) => s.trim()).filter(Boolean);
const capitalised = (name) => name.charAt(0).toUpperCase() + name.slice(1);

async function stageSettings(resolveVariable) {
  const param = (name) => resolveVariable(`param:${name}`);
  const settings = {
    kind: await param('sourceKind'),
    failurePolicy: await param('failurePolicy'),
    clusterArn: await param('mskClusterArn'),
    brokers: list(await param('kafkaBrokers')),
    auth: await param('kafkaAuth'),
    scramSecretArn: await param('kafkaSecretArn'),
    subnets: list(await param('vpcSubnetIds')),
    securityGroup: await param('vpcSecurityGroupId'),
    rootCaSecretArn: await param('serverRootCaSecretArn'),
    clientCertificateSecretArn: await param('clientCertificateSecretArn'),
    batchSize: Number(await param('batchSize')),
    batchWindowSeconds: Number(await param('batchWindowSeconds')),
    startingPosition: await param('startingPosition'),
    consumerGroupPrefix: await param('consumerGroupPrefix'),
    enabled: String(await param('eventSourceEnabled')) !== 'false',
    dlqTopic: await param('dlqTopic'),
    maxRetryAttempts: Number(await param('maxRetryAttempts')),
    maxRecordAgeSeconds: Number(await param('maxRecordAgeSeconds')),
    minPollers: Number(await param('minPollers')),
    maxPollers: Number(await param('maxPollers')),
  };
  if (!['msk', 'kafka'].includes(settings.kind)) throw new Error(`stage parameter sourceKind must be "msk" or "kafka" (got ${JSON.stringify(settings.kind)})`);
  if (!POLICIES.includes(settings.failurePolicy)) throw new Error(`stage parameter failurePolicy must be one of ${POLICIES.join(', ')} (got ${JSON.stringify(settings.failurePolicy)})`);
  if (settings.kind === 'kafka' && settings.brokers.length === 0) throw new Error('stage parameter kafkaBrokers is required when sourceKind=kafka');
  return settings;
}

const useScram = (s) => s.auth === 'scram-sha-512' && Boolean(s.scramSecretArn);

/** The serverless `msk` / `kafka` event of one table (default failure policy). */
function event(table, s) {
  const common = {
    topic: TOPICS[table],
    batchSize: s.batchSize,
    maximumBatchingWindow: s.batchWindowSeconds,
    startingPosition: s.startingPosition,
    consumerGroupId: `${s.consumerGroupPrefix}-${table}`,
    enabled: s.enabled,
  };
  if (s.kind === 'msk') return { msk: { arn: s.clusterArn, ...common, ...(useScram(s) ? { saslScram512: s.scramSecretArn } : {}) } };
  const access = {};
  if (useScram(s)) access.saslScram512Auth = s.scramSecretArn;
  if (s.subnets.length) access.vpcSubnet = s.subnets;
  if (s.securityGroup) access.vpcSecurityGroup = s.securityGroup;
  if (s.rootCaSecretArn) access.serverRootCaCertificate = s.rootCaSecretArn;
  if (s.clientCertificateSecretArn) access.clientCertificateTlsAuth = s.clientCertificateSecretArn;
  return { kafka: { bootstrapServers: s.brokers, accessConfigurations: access, ...common } };
}

/** SourceAccessConfigurations of a raw event source mapping (same choices as the events). */
function accessConfigurations(s) {
  const access = [];
  if (useScram(s)) access.push({ Type: 'SASL_SCRAM_512_AUTH', URI: s.scramSecretArn });
  if (s.kind === 'kafka') {
    for (const subnet of s.subnets) access.push({ Type: 'VPC_SUBNET', URI: `subnet:${subnet}` });
    if (s.securityGroup) access.push({ Type: 'VPC_SECURITY_GROUP', URI: `security_group:${s.securityGroup}` });
    if (s.rootCaSecretArn) access.push({ Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: s.rootCaSecretArn });
    if (s.clientCertificateSecretArn) access.push({ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: s.clientCertificateSecretArn });
  }
  return access;
}

/** A provisioned-mode event source mapping with retry limits and a Kafka on-failure destination. */
function provisionedMapping(table, s) {
  const consumerGroup = `${s.consumerGroupPrefix}-${table}`;
  const access = accessConfigurations(s);
  return {
    Type: 'AWS::Lambda::EventSourceMapping',
    DependsOn: ['IamRoleLambdaExecution'],
    Properties: {
      FunctionName: { 'Fn::GetAtt': [`${capitalised(table)}LambdaFunction`, 'Arn'] },
      Topics: [TOPICS[table]],
      StartingPosition: s.startingPosition,
      BatchSize: s.batchSize,
      MaximumBatchingWindowInSeconds: s.batchWindowSeconds,
      Enabled: s.enabled,
      ...(s.kind === 'msk'
        ? { EventSourceArn: s.clusterArn, AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: consumerGroup } }
        : { SelfManagedEventSource: { Endpoints: { KafkaBootstrapServers: s.brokers } }, SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: consumerGroup } }),
      ...(access.length ? { SourceAccessConfigurations: access } : {}),
      ProvisionedPollerConfig: { MinimumPollers: s.minPollers, MaximumPollers: s.maxPollers },
      MaximumRetryAttempts: s.maxRetryAttempts,
      MaximumRecordAgeInSeconds: s.maxRecordAgeSeconds,
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: `kafka://${s.dlqTopic}` } },
    },
  };
}

async function eventsFor(table, { resolveVariable }) {
  const s = await stageSettings(resolveVariable);
  return s.failurePolicy === 'retry-until-success' ? [event(table, s)] : [];
}

async function resources({ resolveVariable }) {
  const s = await stageSettings(resolveVariable);
  if (s.failurePolicy !== 'dlq-after-retries') return {};
  return Object.fromEntries(TABLES.map((table) => [`${capitalised(table)}KafkaEventSourceMapping`, provisionedMapping(table, s)]));
}

module.exports = {
  users: (ctx) => eventsFor('users', ctx),
  products: (ctx) => eventsFor('products', ctx),
  orders: (ctx) => eventsFor('orders', ctx),
  resources,
  stageSettings,
  TOPICS,
};
