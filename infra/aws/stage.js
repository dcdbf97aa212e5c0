'use strict';
/**
 * The stage's settings, read once from the `params` of serverless.yml and validated, so every
 * renderer in this folder (event sources, roles, alarms, dashboard, outputs) is a pure function of
 * one plain object. A bad value fails `sls package` with a message naming the parameter.
 */

// The table → topic map has one definition, shared with the handlers (lib/schemas/topics.json).
const TOPICS = require('../../lib/schemas/topics.json');
const TABLES = Object.keys(TOPICS);
const POLICIES = ['retry-until-success', 'dlq-after-retries'];
const AUTH_MODES = ['none', 'iam', 'scram-sha-512'];
const ESM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'];

// Lambda's event pollers for Amazon MSK and self-managed Kafka only invoke functions whose timeout
// is at most 14 minutes: https://docs.aws.amazon.com/lambda/latest/dg/with-msk-configure.html
const MAX_KAFKA_FUNCTION_TIMEOUT_SECONDS = 840;

const list = (value) => String(value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const text = (value) => String(value ?? '').trim();
const flag = (value, fallback) => {
  const v = text(value).toLowerCase();
  if (v === '') return fallback;
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  return undefined;
};
const capitalised = (name) => name.charAt(0).toUpperCase() + name.slice(1);

/** CloudFormation logical ids of what the framework renders for a function (its naming rules). */
const logicalIds = (fn) => ({
  function: `${capitalised(fn)}LambdaFunction`,
  logGroup: `${capitalised(fn)}LogGroup`,
  role: `${capitalised(fn)}ExecutionRole`,
});

class StageParameterError extends Error {
  constructor(param, message) {
    super(`stage parameter ${param} ${message}`);
    this.name = 'StageParameterError';
    this.param = param;
    // serverless prints an error's stack: the message is all an operator needs here.
    this.stack = `${this.name}: ${this.message}`;
  }
}

function integer(raw, param, { min, max, optional = false }) {
  const value = text(raw);
  if (value === '' && optional) return undefined;
  const n = Number(value);
  if (value === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new StageParameterError(param, `must be an integer from ${min} to ${max}${optional ? ' (or empty)' : ''} (got ${JSON.stringify(raw)})`);
  }
  return n;
}

function number(raw, param, { min, max }) {
  const n = Number(text(raw));
  if (text(raw) === '' || !Number.isFinite(n) || n < min || n > max) throw new StageParameterError(param, `must be a number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  return n;
}

function oneOf(raw, param, allowed) {
  const value = text(raw);
  if (!allowed.includes(value)) throw new StageParameterError(param, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(raw)})`);
  return value;
}

function boolean(raw, param, fallback) {
  const value = flag(raw, fallback);
  if (value === undefined) throw new StageParameterError(param, `must be true or false (got ${JSON.stringify(raw)})`);
  return value;
}

/**
 * -1 (never discard for age, Lambda's default) or 60–604800 s:
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 */
function recordAge(raw) {
  const age = integer(raw, 'maxRecordAgeSeconds', { min: -1, max: 604800, optional: true });
  if (age !== undefined && age !== -1 && age < 60) throw new StageParameterError('maxRecordAgeSeconds', `must be -1 or from 60 to 604800 (got ${JSON.stringify(raw)})`);
  return age;
}

/**
 * Validates raw parameter values (strings or numbers, as serverless hands them over) into the
 * stage's settings. Pure: the tests call it with plain objects.
 */
function parseStageSettings(raw) {
  const kind = oneOf(raw.sourceKind, 'sourceKind', ['msk', 'kafka']);
  const auth = oneOf(text(raw.kafkaAuth) || 'none', 'kafkaAuth', AUTH_MODES);
  const s = {
    service: text(raw.service),
    stage: text(raw.stage),
    kind,
    failurePolicy: oneOf(raw.failurePolicy, 'failurePolicy', POLICIES),
    clusterArn: text(raw.mskClusterArn),
    brokers: list(raw.kafkaBrokers),
    auth,
    scramSecretArn: text(raw.kafkaSecretArn),
    idempotent: boolean(raw.kafkaIdempotent, 'kafkaIdempotent', true),
    subnets: list(raw.vpcSubnetIds),
    securityGroup: text(raw.vpcSecurityGroupId),
    functionSubnets: list(raw.functionSubnetIds),
    functionSecurityGroups: list(raw.functionSecurityGroupIds),
    rootCaSecretArn: text(raw.serverRootCaSecretArn),
    clientCertificateSecretArn: text(raw.clientCertificateSecretArn),
    clickhouseSecretArn: text(raw.clickhouseSecretArn),
    secretsKmsKeyArns: list(raw.secretsKmsKeyArns),
    batchSize: integer(raw.batchSize, 'batchSize', { min: 1, max: 10000 }),
    batchWindowSeconds: integer(raw.batchWindowSeconds, 'batchWindowSeconds', { min: 0, max: 300 }),
    startingPosition: oneOf(raw.startingPosition, 'startingPosition', ['TRIM_HORIZON', 'LATEST']),
    consumerGroupPrefix: text(raw.consumerGroupPrefix),
    enabled: boolean(raw.eventSourceEnabled, 'eventSourceEnabled', true),
    dlqTopic: text(raw.dlqTopic),
    maxRetryAttempts: integer(raw.maxRetryAttempts, 'maxRetryAttempts', { min: -1, max: 10000 }),
    maxRecordAgeSeconds: recordAge(raw.maxRecordAgeSeconds),
    bisectBatchOnError: boolean(raw.bisectBatchOnError, 'bisectBatchOnError', true),
    minPollers: integer(raw.minPollers, 'minPollers', { min: 1, max: 200 }),
    maxPollers: integer(raw.maxPollers, 'maxPollers', { min: 1, max: 2000 }),
    esmLogLevel: oneOf(text(raw.esmLogLevel).toUpperCase() || 'WARN', 'esmLogLevel', ESM_LOG_LEVELS),
    functionTimeout: integer(raw.functionTimeout, 'functionTimeout', { min: 1, max: MAX_KAFKA_FUNCTION_TIMEOUT_SECONDS }),
    deployProducer: boolean(raw.deployProducer, 'deployProducer', true),
    alarms: {
      email: text(raw.alarmEmail),
      topicArn: text(raw.alarmTopicArn),
      offsetLag: integer(raw.alarmOffsetLag, 'alarmOffsetLag', { min: 1, max: 1e12 }),
      offsetLagMinutes: integer(raw.alarmOffsetLagMinutes, 'alarmOffsetLagMinutes', { min: 1, max: 1440 }),
      evaluationMinutes: integer(raw.alarmEvaluationMinutes, 'alarmEvaluationMinutes', { min: 1, max: 1440 }),
      datapointsToAlarm: integer(raw.alarmDatapointsToAlarm, 'alarmDatapointsToAlarm', { min: 1, max: 1440 }),
      errorsPerMinute: integer(raw.alarmErrorsPerMinute, 'alarmErrorsPerMinute', { min: 1, max: 1e6 }),
      throttlesPerMinute: integer(raw.alarmThrottlesPerMinute, 'alarmThrottlesPerMinute', { min: 1, max: 1e6 }),
      durationRatio: number(raw.alarmDurationRatio, 'alarmDurationRatio', { min: 0.1, max: 1 }),
      deadLettersPerMinute: integer(raw.alarmDeadLettersPerMinute, 'alarmDeadLettersPerMinute', { min: 1, max: 1e9 }),
      auditFailuresPerMinute: integer(raw.alarmAuditFailuresPerMinute, 'alarmAuditFailuresPerMinute', { min: 1, max: 1e6 }),
    },
  };

  if (s.kind === 'msk' && !/^arn:aws[a-z-]*:kafka:[^:]+:\d{12}:cluster\/[^/]+\/[^/]+$/.test(s.clusterArn)) {
    throw new StageParameterError('mskClusterArn', `must be an MSK cluster ARN when sourceKind=msk (got ${JSON.stringify(raw.mskClusterArn)})`);
  }
  if (s.kind === 'kafka' && s.brokers.length === 0) throw new StageParameterError('kafkaBrokers', 'is required when sourceKind=kafka');
  if (s.kind === 'kafka' && s.auth === 'iam') throw new StageParameterError('kafkaAuth', 'iam needs sourceKind=msk (IAM auth is an Amazon MSK feature)');
  if (s.auth === 'scram-sha-512' && !s.scramSecretArn) throw new StageParameterError('kafkaSecretArn', 'is required when kafkaAuth=scram-sha-512');
  if (s.kind === 'msk' && (s.rootCaSecretArn || s.clientCertificateSecretArn)) {
    throw new StageParameterError(s.rootCaSecretArn ? 'serverRootCaSecretArn' : 'clientCertificateSecretArn', 'applies to self-managed Kafka (sourceKind=kafka) only');
  }
  if (Boolean(s.subnets.length) !== Boolean(s.securityGroup)) {
    throw new StageParameterError(s.securityGroup ? 'vpcSubnetIds' : 'vpcSecurityGroupId', 'is required with the other VPC parameter (Lambda needs both to reach Kafka in a VPC)');
  }
  if (s.maxRecordAgeSeconds !== undefined && s.failurePolicy !== 'dlq-after-retries') {
    throw new StageParameterError('maxRecordAgeSeconds', 'applies to failurePolicy=dlq-after-retries only (retry-until-success never discards a record)');
  }
  if (Boolean(s.functionSubnets.length) !== Boolean(s.functionSecurityGroups.length)) {
    throw new StageParameterError(s.functionSubnets.length ? 'functionSecurityGroupIds' : 'functionSubnetIds', 'is required with the other function VPC parameter');
  }
  for (const arn of s.secretsKmsKeyArns) {
    if (!/^arn:aws[a-z-]*:kms:[^:]+:\d{12}:key\/.+$/.test(arn)) throw new StageParameterError('secretsKmsKeyArns', `must list KMS key ARNs (got ${JSON.stringify(arn)})`);
  }
  if (s.minPollers > s.maxPollers) throw new StageParameterError('minPollers', `must not exceed maxPollers (${s.maxPollers})`);
  if (s.alarms.datapointsToAlarm > s.alarms.evaluationMinutes) throw new StageParameterError('alarmDatapointsToAlarm', `must not exceed alarmEvaluationMinutes (${s.alarms.evaluationMinutes})`);
  if (s.alarms.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s.alarms.email)) throw new StageParameterError('alarmEmail', `must be an email address (got ${JSON.stringify(s.alarms.email)})`);
  if (s.alarms.topicArn && !/^arn:aws[a-z-]*:sns:/.test(s.alarms.topicArn)) throw new StageParameterError('alarmTopicArn', `must be an SNS topic ARN (got ${JSON.stringify(s.alarms.topicArn)})`);
  return Object.freeze(s);
}

const PARAMS = [
  'sourceKind', 'failurePolicy', 'mskClusterArn', 'kafkaBrokers', 'kafkaAuth', 'kafkaSecretArn', 'kafkaIdempotent',
  'vpcSubnetIds', 'vpcSecurityGroupId', 'functionSubnetIds', 'functionSecurityGroupIds', 'serverRootCaSecretArn', 'clientCertificateSecretArn', 'clickhouseSecretArn', 'secretsKmsKeyArns',
  'batchSize', 'batchWindowSeconds', 'startingPosition', 'consumerGroupPrefix', 'eventSourceEnabled', 'dlqTopic',
  'maxRetryAttempts', 'maxRecordAgeSeconds', 'bisectBatchOnError', 'minPollers', 'maxPollers', 'esmLogLevel',
  'functionTimeout', 'deployProducer', 'alarmEmail', 'alarmTopicArn', 'alarmOffsetLag', 'alarmOffsetLagMinutes',
  'alarmEvaluationMinutes', 'alarmDatapointsToAlarm', 'alarmErrorsPerMinute', 'alarmThrottlesPerMinute',
  'alarmDurationRatio', 'alarmDeadLettersPerMinute', 'alarmAuditFailuresPerMinute',
];

/** The stage's settings from serverless's variable resolver (`${file(infra/aws/….js):…}` entry points). */
async function stageSettings(resolveVariable) {
  const raw = { service: await resolveVariable('self:service'), stage: await resolveVariable('sls:stage') };
  for (const name of PARAMS) raw[name] = await resolveVariable(`param:${name}`);
  return parseStageSettings(raw);
}

/** `functionName` of a function as the framework names it. */
const functionName = (s, fn) => `${s.service}-${s.stage}-${fn}`;

/**
 * TLS towards the brokers for the handlers' DLQ producer, as the event source uses it: always with
 * a private root CA or a client certificate, and for Amazon MSK with any authentication (MSK serves
 * SASL/SCRAM and IAM on TLS listeners only); otherwise the `kafkaSsl` parameter decides.
 */
function kafkaSsl(s, param) {
  if (s.rootCaSecretArn || s.clientCertificateSecretArn) return 'true';
  if (s.kind === 'msk' && s.auth !== 'none') return 'true';
  return text(param);
}

/** The functions' own VPC attachment (`provider.vpc`), or null when they run outside a VPC. */
const functionVpc = (s) => (s.functionSubnets.length ? { subnetIds: s.functionSubnets, securityGroupIds: s.functionSecurityGroups } : null);

module.exports = {
  TABLES,
  TOPICS,
  MAX_KAFKA_FUNCTION_TIMEOUT_SECONDS,
  StageParameterError,
  parseStageSettings,
  stageSettings,
  logicalIds,
  functionName,
  kafkaSsl,
  functionVpc,
  capitalised,
  // serverless.yml entry points
  functionTimeout: async ({ resolveVariable }) => (await stageSettings(resolveVariable)).functionTimeout,
  vpc: async ({ resolveVariable }) => functionVpc(await stageSettings(resolveVariable)),
  kafkaSslFlag: async ({ resolveVariable }) => kafkaSsl(await stageSettings(resolveVariable), await resolveVariable('param:kafkaSsl')),
};
