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
 *     (Serverless v3 events cannot express these settings) with a retry limit and an on-failure
 *     destination `kafka://<dlqTopic>` on the same cluster. A batch that keeps failing (e.g.
 *     ClickHouse down for longer than the retries last) goes to the DLQ topic in Lambda's own
 *     format and must be replayed by an operator. Records are never diverted for their age unless
 *     the stage sets `maxRecordAgeSeconds` (see docs/operations.md: age vs starting position).
 *
 * Property names and values: AWS::Lambda::EventSourceMapping,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventsourcemapping.html
 */
const { TABLES, TOPICS, fromStage, logicalIds, capitalised } = require('./stage');

const consumerGroupId = (s, table) => `${s.consumerGroupPrefix}-${table}`;

/** The serverless `msk` / `kafka` event of one table (default failure policy). */
function event(table, s) {
  const common = {
    topic: TOPICS[table],
    batchSize: s.batchSize,
    maximumBatchingWindow: s.batchWindowSeconds,
    startingPosition: s.startingPosition,
    consumerGroupId: consumerGroupId(s, table),
    enabled: s.enabled,
  };
  const scram = s.auth === 'scram-sha-512';
  if (s.kind === 'msk') return { msk: { arn: s.clusterArn, ...common, ...(scram ? { saslScram512: s.scramSecretArn } : {}) } };
  const access = {};
  if (scram) access.saslScram512Auth = s.scramSecretArn;
  if (s.subnets.length) access.vpcSubnet = s.subnets;
  if (s.securityGroup) access.vpcSecurityGroup = s.securityGroup;
  if (s.rootCaSecretArn) access.serverRootCaCertificate = s.rootCaSecretArn;
  if (s.clientCertificateSecretArn) access.clientCertificateTlsAuth = s.clientCertificateSecretArn;
  return { kafka: { bootstrapServers: s.brokers, accessConfigurations: access, ...common } };
}

/** SourceAccessConfigurations of a raw event source mapping (same choices as the events). */
function accessConfigurations(s) {
  const access = [];
  if (s.auth === 'scram-sha-512') access.push({ Type: 'SASL_SCRAM_512_AUTH', URI: s.scramSecretArn });
  if (s.kind === 'kafka') {
    for (const subnet of s.subnets) access.push({ Type: 'VPC_SUBNET', URI: `subnet:${subnet}` });
    if (s.securityGroup) access.push({ Type: 'VPC_SECURITY_GROUP', URI: `security_group:${s.securityGroup}` });
    if (s.rootCaSecretArn) access.push({ Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: s.rootCaSecretArn });
    if (s.clientCertificateSecretArn) access.push({ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: s.clientCertificateSecretArn });
  }
  return access;
}

/** A provisioned-mode event source mapping with a retry limit and a Kafka on-failure destination. */
function provisionedMapping(table, s) {
  const ids = logicalIds(table);
  const access = accessConfigurations(s);
  return {
    Type: 'AWS::Lambda::EventSourceMapping',
    // Lambda checks the execution role's permissions when it creates the mapping.
    DependsOn: [ids.role],
    Properties: {
      FunctionName: { 'Fn::GetAtt': [ids.function, 'Arn'] },
      Topics: [TOPICS[table]],
      StartingPosition: s.startingPosition,
      BatchSize: s.batchSize,
      MaximumBatchingWindowInSeconds: s.batchWindowSeconds,
      Enabled: s.enabled,
      ...(s.kind === 'msk'
        ? { EventSourceArn: s.clusterArn, AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: consumerGroupId(s, table) } }
        : { SelfManagedEventSource: { Endpoints: { KafkaBootstrapServers: s.brokers } }, SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: consumerGroupId(s, table) } }),
      ...(access.length ? { SourceAccessConfigurations: access } : {}),
      // Provisioned mode is what enables the error handling controls below for Kafka:
      // https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
      ProvisionedPollerConfig: { MinimumPollers: s.minPollers, MaximumPollers: s.maxPollers },
      // Lambda caps infinite retries at 10 when an on-failure destination is set, so the limit is
      // explicit: https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html
      MaximumRetryAttempts: s.maxRetryAttempts,
      // No MaximumRecordAgeInSeconds by default: Lambda's default (-1) never discards a record for
      // its age. With an age limit, records older than it (a TRIM_HORIZON start over a topic with
      // history, or a backlog after an outage) would go straight to the destination unprocessed.
      ...(s.maxRecordAgeSeconds !== undefined ? { MaximumRecordAgeInSeconds: s.maxRecordAgeSeconds } : {}),
      // Halves a failing batch before retrying, so a record that crashes the function (not one the
      // handler dead-letters itself) ends up alone in the destination instead of its whole batch.
      BisectBatchOnFunctionError: s.bisectBatchOnError,
      DestinationConfig: { OnFailure: { Destination: `kafka://${s.dlqTopic}` } },
      // No FunctionResponseTypes (ReportBatchItemFailures): the handler succeeds or fails a batch as
      // a whole (poison is dead-lettered by the handler; a transient failure concerns every record)
      // and returns a summary, not `batchItemFailures`.
      // Event, error and Kafka consumer metrics of the mapping itself:
      // https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingMetricsConfig.html
      MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
      // The pollers' system logs, in the function's log group under a stream named after the mapping:
      // https://docs.aws.amazon.com/lambda/latest/dg/esm-logging.html
      LoggingConfig: { SystemLogLevel: s.esmLogLevel },
    },
  };
}

/** `msk`/`kafka` events of one table function: one under the default policy, none otherwise. */
const eventsOf = (table, s) => (s.failurePolicy === 'retry-until-success' ? [event(table, s)] : []);

/** Raw mappings (logical id → resource) under `dlq-after-retries`; none under the default policy. */
function mappingResources(s) {
  if (s.failurePolicy !== 'dlq-after-retries') return {};
  return Object.fromEntries(TABLES.map((table) => [`${capitalised(table)}KafkaEventSourceMapping`, provisionedMapping(table, s)]));
}

const eventsFor = (table) => fromStage((s) => eventsOf(table, s));

module.exports = {
  // One entry per table of lib/schemas/topics.json, for `${file(infra/aws/event-sources.js):<table>}`.
  ...Object.fromEntries(TABLES.map((table) => [table, eventsFor(table)])),
  resources: fromStage(mappingResources),
  eventsOf,
  mappingResources,
  consumerGroupId,
  TOPICS,
};
