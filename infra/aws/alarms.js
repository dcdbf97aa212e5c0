'use strict';
/**
 * CloudWatch alarms per table function, and where they notify (serverless.yml:
 * `${file(infra/aws/alarms.js):resources}`). Thresholds are stage parameters; docs/operations.md
 * says what each alarm means and what to do.
 *
 * - From Lambda (namespace AWS/Lambda, dimension FunctionName;
 *   https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html):
 *   `OffsetLag` (emitted for every MSK and self-managed Kafka event source, whatever its poller
 *   mode: records between the topic's end and what the function processed, at topic level),
 *   `Errors`, `Throttles`, `Duration`.
 * - From the handlers (EMF, namespace KafkaClickHouse, dimensions service and table; lib/metrics.ts):
 *   `RecordsSentToDlq`, `AuditWriteFailures`.
 *
 * Alarm properties: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html
 * SNS topic with an email subscription: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-topic.html
 */
const { TABLES, fromStage, logicalIds, functionName, capitalised } = require('./stage');

const HANDLER_NAMESPACE = 'KafkaClickHouse';
const SERVICE_DIMENSION = 'kafka-clickhouse-lambda';
const NOTIFICATION_TOPIC = 'AlarmNotificationTopic';
const RUNBOOK = 'docs/operations.md';

const lambdaMetric = (table, metricName) => ({
  Namespace: 'AWS/Lambda',
  MetricName: metricName,
  Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIds(table).function } }],
});

const handlerMetric = (table, metricName) => ({
  Namespace: HANDLER_NAMESPACE,
  MetricName: metricName,
  Dimensions: [
    { Name: 'service', Value: SERVICE_DIMENSION },
    { Name: 'table', Value: table },
  ],
});

/** The alarms of one table: suffix of the logical id → what to watch and when to fire. */
function alarmSpecs(table, s) {
  const a = s.alarms;
  // Most alarms fire when `datapointsToAlarm` of the last `evaluationMinutes` one-minute periods
  // breach: a failure that Lambda's own retry fixes within a minute or two stays quiet.
  const window = { Period: 60, EvaluationPeriods: a.evaluationMinutes, DatapointsToAlarm: a.datapointsToAlarm };
  return {
    OffsetLag: {
      name: 'offset-lag',
      description: `${table}: more than ${a.offsetLag} records behind the topic for ${a.offsetLagMinutes} min (a stalled partition or too little throughput)`,
      metric: lambdaMetric(table, 'OffsetLag'),
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: a.offsetLagMinutes,
      DatapointsToAlarm: a.offsetLagMinutes,
      Threshold: a.offsetLag,
      ComparisonOperator: 'GreaterThanThreshold',
    },
    Errors: {
      name: 'errors',
      description: `${table}: invocations keep failing (ClickHouse or Kafka unreachable, bad credentials, schema drift); the batch is retried`,
      metric: lambdaMetric(table, 'Errors'),
      Statistic: 'Sum',
      ...window,
      Threshold: a.errorsPerMinute,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    },
    Throttles: {
      name: 'throttles',
      description: `${table}: invocations are throttled (reserved or account concurrency exhausted)`,
      metric: lambdaMetric(table, 'Throttles'),
      Statistic: 'Sum',
      ...window,
      Threshold: a.throttlesPerMinute,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    },
    Duration: {
      name: 'duration-near-timeout',
      description: `${table}: an invocation took ${Math.round(a.durationRatio * 100)} % or more of the ${s.functionTimeout} s timeout`,
      metric: lambdaMetric(table, 'Duration'),
      Statistic: 'Maximum',
      ...window,
      Threshold: Math.round(a.durationRatio * s.functionTimeout * 1000),
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    },
    DeadLetters: {
      name: 'dead-letters',
      description: `${table}: ${a.deadLettersPerMinute} or more records a minute go to the dead-letter topic (a poison flood: a producer or schema change)`,
      metric: handlerMetric(table, 'RecordsSentToDlq'),
      Statistic: 'Sum',
      ...window,
      Threshold: a.deadLettersPerMinute,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    },
    AuditWriteFailures: {
      name: 'audit-write-failures',
      description: `${table}: batches are written but their migration_logs rows are not`,
      metric: handlerMetric(table, 'AuditWriteFailures'),
      Statistic: 'Sum',
      ...window,
      Threshold: a.auditFailuresPerMinute,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    },
  };
}

/** Where alarms notify: a topic this stack creates for `alarmEmail`, and/or `alarmTopicArn`. */
function alarmActions(s) {
  return [...(s.alarms.email ? [{ Ref: NOTIFICATION_TOPIC }] : []), ...(s.alarms.topicArn ? [s.alarms.topicArn] : [])];
}

function alarm(table, spec, s) {
  const actions = alarmActions(s);
  const { name, description, metric, ...evaluation } = spec;
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${functionName(s, table)}-${name}`,
      AlarmDescription: `${description}. Runbook: ${RUNBOOK}#${name}`,
      ...metric,
      ...evaluation,
      // No data means no invocations (or no lag reported): nothing is failing.
      TreatMissingData: 'notBreaching',
      ...(actions.length ? { AlarmActions: actions, OKActions: actions } : {}),
    },
  };
}

/** Logical id → resource: every table's alarms, plus the notification topic when `alarmEmail` is set. */
function alarmResources(s) {
  const resources = {};
  if (s.alarms.email) {
    resources[NOTIFICATION_TOPIC] = {
      Type: 'AWS::SNS::Topic',
      Properties: {
        DisplayName: `${s.service} ${s.stage} alarms`,
        // The address must confirm the subscription (AWS sends a link) before it receives anything.
        Subscription: [{ Protocol: 'email', Endpoint: s.alarms.email }],
      },
    };
  }
  for (const table of TABLES) {
    for (const [key, spec] of Object.entries(alarmSpecs(table, s))) resources[`${capitalised(table)}${key}Alarm`] = alarm(table, spec, s);
  }
  return resources;
}

module.exports = {
  resources: fromStage(alarmResources),
  alarmResources,
  alarmActions,
  HANDLER_NAMESPACE,
  SERVICE_DIMENSION,
  NOTIFICATION_TOPIC,
};
