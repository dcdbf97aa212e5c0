'use strict';
/**
 * The stage's settings, read once from the `params` of serverless.yml and validated, so every
 * renderer in this folder (environment, event sources, roles, alarms, dashboard, outputs) is a pure
 * function of one plain object. A bad value ends any `sls` command with one line naming the
 * parameter, the value and what is allowed (`fromStage`).
 */

// The table → topic map has one definition, shared with the handlers (lib/schemas/topics.json).
const TOPICS = require('../../lib/schemas/topics.json');
const { StageParameterError, text, got, integer, number, oneOf, boolean, matching, listOf, url } = require('./parameter-values');
const { commandLineParams, checkCommandLineParams } = require('./command-line-parameters');
const TABLES = Object.keys(TOPICS);
const POLICIES = ['retry-until-success', 'dlq-after-retries'];
const AUTH_MODES = ['none', 'iam', 'scram-sha-512'];
const ESM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'];
// The handlers' own levels (lib/config.ts LOG_LEVEL).
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent', 'critical'];
const SOURCE_TOPICS = Object.values(TOPICS);

// Patterns of the identifiers a stage names. An ARN's account is 12 digits in every partition.
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/;
const MSK_CLUSTER_ARN = /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+$/;
// host:port, as the handlers' configuration accepts it (lib/config.ts KAFKA_BROKERS).
const BROKER = /^[^\s:,]+:\d{1,5}$/;
// Kafka's legal topic names (and consumer group ids used in IAM resource ARNs): letters, digits, . _ -
const KAFKA_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Which `aws kafka get-bootstrap-brokers` list the DLQ producer needs for each MSK auth mode
 * (https://docs.aws.amazon.com/msk/latest/developerguide/port-info.html).
 */
const MSK_BROKER_LISTS = {
  iam: 'BootstrapBrokerStringSaslIam (port 9098)',
  'scram-sha-512': 'BootstrapBrokerStringSaslScram (port 9096)',
  none: 'BootstrapBrokerStringTls (port 9094) or BootstrapBrokerString (9092, plaintext)',
};

// Lambda's event pollers for Amazon MSK and self-managed Kafka only invoke functions whose timeout
// is at most 14 minutes: https://docs.aws.amazon.com/lambda/latest/dg/with-msk-configure.html
const MAX_KAFKA_FUNCTION_TIMEOUT_SECONDS = 840;

const capitalised = (name) => name.charAt(0).toUpperCase() + name.slice(1);

/** CloudFormation logical ids of what the framework renders for a function (its naming rules). */
const logicalIds = (fn) => ({
  function: `${capitalised(fn)}LambdaFunction`,
  logGroup: `${capitalised(fn)}LogGroup`,
  role: `${capitalised(fn)}ExecutionRole`,
});

/**
 * -1 (never discard for age, Lambda's default) or 60–604800 s:
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 */
function recordAge(raw) {
  const age = integer(raw, 'maxRecordAgeSeconds', { min: -1, max: 604800, optional: true });
  if (age !== undefined && age !== -1 && age < 60) throw new StageParameterError('maxRecordAgeSeconds', `must be -1 or from 60 to 604800 ${got(raw)}`);
  return age;
}

/** The Kafka settings: source kind, brokers, and the one auth mode every renderer derives from. */
function kafkaSettings(raw, { local }) {
  const kind = oneOf(raw.sourceKind, 'sourceKind', ['msk', 'kafka']);
  const auth = oneOf(text(raw.kafkaAuth) || 'none', 'kafkaAuth', AUTH_MODES);
  const clusterArn = text(raw.mskClusterArn);
  if (kind === 'msk' && !MSK_CLUSTER_ARN.test(clusterArn)) {
    throw new StageParameterError('mskClusterArn', `must be an MSK cluster ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID) when sourceKind=msk ${got(raw.mskClusterArn)}`);
  }
  if (kind === 'kafka' && auth === 'iam') throw new StageParameterError('kafkaAuth', 'must be none or scram-sha-512 when sourceKind=kafka (got "iam": IAM auth is an Amazon MSK feature)');

  const brokers = listOf(raw.kafkaBrokers, 'kafkaBrokers', BROKER, 'host:port bootstrap brokers');
  // Every table function's DLQ producer (and the sample-data producer) connects to these brokers:
  // without them it would fall back to lib/config.ts's localhost default. Local commands
  // (`sls invoke local`, `sls offline`) read them from the shell or .local/stack.env instead.
  if (!brokers.length && !local) {
    const how = kind === 'msk'
      ? `for sourceKind=msk run \`aws kafka get-bootstrap-brokers --cluster-arn ${clusterArn}\` and use ${MSK_BROKER_LISTS[auth]} for kafkaAuth=${auth}`
      : 'for sourceKind=kafka list the bootstrap brokers the event source reads from';
    throw new StageParameterError('kafkaBrokers', `is required: the DLQ producer of every table function connects to these host:port bootstrap brokers; ${how} (--param="kafkaBrokers=host1:port,host2:port")`);
  }

  const rootCaSecretArn = matching(raw.serverRootCaSecretArn, 'serverRootCaSecretArn', SECRET_ARN, 'a Secrets Manager secret ARN (or empty)');
  const clientCertificateSecretArn = matching(raw.clientCertificateSecretArn, 'clientCertificateSecretArn', SECRET_ARN, 'a Secrets Manager secret ARN (or empty)');
  if (kind === 'msk' && (rootCaSecretArn || clientCertificateSecretArn)) {
    throw new StageParameterError(rootCaSecretArn ? 'serverRootCaSecretArn' : 'clientCertificateSecretArn', 'applies to self-managed Kafka (sourceKind=kafka) only; leave it empty for sourceKind=msk');
  }
  const scramSecretArn = matching(raw.kafkaSecretArn, 'kafkaSecretArn', SECRET_ARN, 'a Secrets Manager secret ARN (or empty)');
  if (auth === 'scram-sha-512' && !scramSecretArn) throw new StageParameterError('kafkaSecretArn', 'is required when kafkaAuth=scram-sha-512 (a Secrets Manager secret {"username", "password"})');
  if (auth !== 'scram-sha-512' && scramSecretArn) throw new StageParameterError('kafkaSecretArn', `applies to kafkaAuth=scram-sha-512 only (kafkaAuth is ${auth}): set kafkaAuth=scram-sha-512 or leave kafkaSecretArn empty`);

  const subnets = listOf(raw.vpcSubnetIds, 'vpcSubnetIds', /^subnet-[A-Za-z0-9]+$/, 'subnet ids (subnet-…)');
  const securityGroup = matching(raw.vpcSecurityGroupId, 'vpcSecurityGroupId', /^sg-[A-Za-z0-9]+$/, 'a security group id (sg-…) (or empty)');
  if (kind === 'msk' && (subnets.length || securityGroup)) {
    throw new StageParameterError(subnets.length ? 'vpcSubnetIds' : 'vpcSecurityGroupId', "applies to self-managed Kafka (sourceKind=kafka) only: Lambda finds an MSK cluster's VPC itself");
  }
  if (Boolean(subnets.length) !== Boolean(securityGroup)) {
    throw new StageParameterError(securityGroup ? 'vpcSubnetIds' : 'vpcSecurityGroupId', 'is required with the other VPC parameter (Lambda needs both to reach Kafka in a VPC)');
  }
  // A self-managed event source needs at least one way in: SASL, mTLS or the brokers' VPC
  // (https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-configure.html); with none of them
  // there is nothing to render (serverless rejects an empty accessConfigurations).
  if (kind === 'kafka' && auth === 'none' && !clientCertificateSecretArn && !subnets.length) {
    throw new StageParameterError('kafkaAuth', 'is none with sourceKind=kafka and neither clientCertificateSecretArn nor vpcSubnetIds/vpcSecurityGroupId is set: Lambda needs one of kafkaAuth=scram-sha-512, a client certificate (mTLS) or the brokers\' VPC');
  }

  const sslParam = boolean(raw.kafkaSsl, 'kafkaSsl', undefined);
  // TLS is not optional when the event source uses it: a private root CA or client certificate,
  // and MSK's SASL/SCRAM and IAM listeners, are TLS only.
  const tlsRequiredBy = rootCaSecretArn ? 'serverRootCaSecretArn' : clientCertificateSecretArn ? 'clientCertificateSecretArn' : kind === 'msk' && auth !== 'none' ? `kafkaAuth=${auth} on MSK` : '';
  if (sslParam === false && tlsRequiredBy) throw new StageParameterError('kafkaSsl', `must be true or empty with ${tlsRequiredBy} (TLS only) (got "false")`);
  if (kind === 'kafka' && auth === 'scram-sha-512' && sslParam === false) throw new StageParameterError('kafkaSsl', 'must be true or empty with kafkaAuth=scram-sha-512: Lambda supports SASL/SCRAM over TLS only (got "false")');

  return {
    kind,
    clusterArn,
    brokers,
    auth,
    // Only the mode that reads it keeps the SCRAM secret, so roles, event sources and the
    // functions' environment cannot disagree about it.
    scramSecretArn: auth === 'scram-sha-512' ? scramSecretArn : '',
    rootCaSecretArn,
    clientCertificateSecretArn,
    subnets,
    securityGroup,
    ssl: tlsRequiredBy || (kind === 'kafka' && auth === 'scram-sha-512') ? true : sslParam,
    idempotent: boolean(raw.kafkaIdempotent, 'kafkaIdempotent', true),
  };
}

/**
 * Validates raw parameter values (strings or numbers, as serverless hands them over) into the
 * stage's settings. Pure: the tests call it with plain objects. `local`: a local command
 * (`sls invoke local`, `sls offline`), whose Kafka brokers may come from .local/stack.env.
 */
function parseStageSettings(raw, { local = false } = {}) {
  const kafka = kafkaSettings(raw, { local });
  const dlqTopic = text(raw.dlqTopic);
  if (!KAFKA_NAME.test(dlqTopic)) throw new StageParameterError('dlqTopic', `must be a Kafka topic name (letters, digits, ".", "_", "-"; at most 249) ${got(raw.dlqTopic)}`);
  // A dead letter written to a source topic would be read back as a (poison) record of that table.
  if (SOURCE_TOPICS.includes(dlqTopic)) throw new StageParameterError('dlqTopic', `must not be a source topic (${SOURCE_TOPICS.join(', ')}) ${got(raw.dlqTopic)}`);
  const s = {
    service: text(raw.service),
    stage: text(raw.stage),
    ...kafka,
    failurePolicy: oneOf(raw.failurePolicy, 'failurePolicy', POLICIES),
    functionSubnets: listOf(raw.functionSubnetIds, 'functionSubnetIds', /^subnet-[A-Za-z0-9]+$/, 'subnet ids (subnet-…)'),
    functionSecurityGroups: listOf(raw.functionSecurityGroupIds, 'functionSecurityGroupIds', /^sg-[A-Za-z0-9]+$/, 'security group ids (sg-…)'),
    clickhouseUrl: url(raw.clickhouseUrl, 'clickhouseUrl'),
    clickhouseDb: matching(raw.clickhouseDb, 'clickhouseDb', IDENTIFIER, 'a plain identifier (letters, digits, _) (or empty)'),
    clickhouseSecretArn: matching(raw.clickhouseSecretArn, 'clickhouseSecretArn', SECRET_ARN, 'a Secrets Manager secret ARN (or empty)'),
    secretsKmsKeyArns: listOf(raw.secretsKmsKeyArns, 'secretsKmsKeyArns', KMS_KEY_ARN, 'KMS key ARNs (arn:aws:kms:REGION:ACCOUNT:key/ID)'),
    batchSize: integer(raw.batchSize, 'batchSize', { min: 1, max: 10000 }),
    batchWindowSeconds: integer(raw.batchWindowSeconds, 'batchWindowSeconds', { min: 0, max: 300 }),
    startingPosition: oneOf(raw.startingPosition, 'startingPosition', ['TRIM_HORIZON', 'LATEST']),
    consumerGroupPrefix: matching(raw.consumerGroupPrefix, 'consumerGroupPrefix', KAFKA_NAME, 'letters, digits, ".", "_" or "-"'),
    enabled: boolean(raw.eventSourceEnabled, 'eventSourceEnabled', true),
    dlqTopic,
    // The handlers' bounds (lib/config.ts DLQ_MAX_MESSAGE_BYTES): room for a letter's metadata, at
    // most what a default broker accepts.
    dlqMaxMessageBytes: integer(raw.dlqMaxMessageBytes, 'dlqMaxMessageBytes', { min: 16384, max: 1000000 }),
    logLevel: oneOf(text(raw.logLevel).toLowerCase() || 'info', 'logLevel', LOG_LEVELS),
    maxRetryAttempts: integer(raw.maxRetryAttempts, 'maxRetryAttempts', { min: -1, max: 10000 }),
    maxRecordAgeSeconds: recordAge(raw.maxRecordAgeSeconds),
    bisectBatchOnError: boolean(raw.bisectBatchOnError, 'bisectBatchOnError', true),
    minPollers: integer(raw.minPollers, 'minPollers', { min: 1, max: 200 }),
    maxPollers: integer(raw.maxPollers, 'maxPollers', { min: 1, max: 2000 }),
    esmLogLevel: oneOf(text(raw.esmLogLevel).toUpperCase() || 'WARN', 'esmLogLevel', ESM_LOG_LEVELS),
    reservedConcurrency: integer(raw.reservedConcurrency, 'reservedConcurrency', { min: 1, max: 10000 }),
    functionTimeout: integer(raw.functionTimeout, 'functionTimeout', { min: 1, max: MAX_KAFKA_FUNCTION_TIMEOUT_SECONDS }),
    deployProducer: boolean(raw.deployProducer, 'deployProducer', true),
    alarms: {
      email: matching(raw.alarmEmail, 'alarmEmail', /^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an email address (or empty)'),
      topicArn: matching(raw.alarmTopicArn, 'alarmTopicArn', SNS_TOPIC_ARN, 'an SNS topic ARN (or empty)'),
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

  // Deployed functions read ClickHouse's address and credentials from this secret; without it they
  // would fall back to http://localhost:8123 and fail every batch.
  if (!local && !s.clickhouseSecretArn) {
    throw new StageParameterError('clickhouseSecretArn', 'is required to deploy: the ARN of a Secrets Manager secret holding {"url": "https://host:8443", "username": "…", "password": "…"} (url may instead come from clickhouseUrl); create one with `aws secretsmanager create-secret --name clickhouse --secret-string \'{…}\'`');
  }
  if (!s.consumerGroupPrefix) throw new StageParameterError('consumerGroupPrefix', 'is required (letters, digits, ".", "_" or "-")');
  if (s.maxRecordAgeSeconds !== undefined && s.failurePolicy !== 'dlq-after-retries') {
    throw new StageParameterError('maxRecordAgeSeconds', 'applies to failurePolicy=dlq-after-retries only (retry-until-success never discards a record); leave it empty');
  }
  if (Boolean(s.functionSubnets.length) !== Boolean(s.functionSecurityGroups.length)) {
    throw new StageParameterError(s.functionSubnets.length ? 'functionSecurityGroupIds' : 'functionSubnetIds', 'is required with the other function VPC parameter');
  }
  if (s.minPollers > s.maxPollers) throw new StageParameterError('minPollers', `must not exceed maxPollers (${s.maxPollers}) ${got(raw.minPollers)}`);
  if (s.alarms.datapointsToAlarm > s.alarms.evaluationMinutes) throw new StageParameterError('alarmDatapointsToAlarm', `must not exceed alarmEvaluationMinutes (${s.alarms.evaluationMinutes}) ${got(raw.alarmDatapointsToAlarm)}`);
  return Object.freeze(s);
}

const PARAMS = [
  'sourceKind', 'failurePolicy', 'mskClusterArn', 'kafkaBrokers', 'kafkaAuth', 'kafkaSsl', 'kafkaSecretArn', 'kafkaIdempotent',
  'vpcSubnetIds', 'vpcSecurityGroupId', 'functionSubnetIds', 'functionSecurityGroupIds', 'serverRootCaSecretArn', 'clientCertificateSecretArn',
  'clickhouseUrl', 'clickhouseDb', 'clickhouseSecretArn', 'secretsKmsKeyArns',
  'batchSize', 'batchWindowSeconds', 'startingPosition', 'consumerGroupPrefix', 'eventSourceEnabled', 'dlqTopic', 'dlqMaxMessageBytes', 'logLevel',
  'maxRetryAttempts', 'maxRecordAgeSeconds', 'bisectBatchOnError', 'minPollers', 'maxPollers', 'esmLogLevel', 'reservedConcurrency',
  'functionTimeout', 'deployProducer', 'alarmEmail', 'alarmTopicArn', 'alarmOffsetLag', 'alarmOffsetLagMinutes',
  'alarmEvaluationMinutes', 'alarmDatapointsToAlarm', 'alarmErrorsPerMinute', 'alarmThrottlesPerMinute',
  'alarmDurationRatio', 'alarmDeadLettersPerMinute', 'alarmAuditFailuresPerMinute',
];

// serverless evaluates every `${file(infra/aws/…)}` reference on its own (nine of them): the
// stage is parsed once per set of raw values and every reference shares the result or the error.
const parsed = new Map();

function parseOnce(raw, options) {
  const key = JSON.stringify([raw, options]);
  if (!parsed.has(key)) {
    try {
      parsed.set(key, { settings: parseStageSettings(raw, options) });
    } catch (error) {
      parsed.set(key, { error });
    }
  }
  const { settings, error } = parsed.get(key);
  if (error) throw error;
  return settings;
}

/** `sls invoke local …` or `sls offline …`: the functions run here, with the shell's connection settings. */
const isLocalCommand = (argv = process.argv.slice(2)) => {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'offline' || (words[0] === 'invoke' && words[1] === 'local');
};

/**
 * The stage's settings from serverless's variable resolver (`${file(infra/aws/….js):…}` entry points).
 * `argv`'s `--param` names must be stage parameters or names serverless.yml's `params` blocks
 * define (read only when a name is not in PARAMS).
 */
async function stageSettings(resolveVariable, { local = isLocalCommand(), argv = process.argv.slice(2) } = {}) {
  const configured = commandLineParams(argv).every(({ name }) => PARAMS.includes(name))
    ? []
    : Object.values((await resolveVariable('self:params')) ?? {}).flatMap((block) => Object.keys(block ?? {}));
  checkCommandLineParams(argv, [...PARAMS, ...configured]);
  const raw = { service: await resolveVariable('self:service'), stage: await resolveVariable('sls:stage') };
  for (const name of PARAMS) raw[name] = await resolveVariable(`param:${name}`);
  return parseOnce(raw, { local });
}

// Parameters whose serverless.yml default is a shell variable: what an error line names too.
const SHELL_DEFAULTS = {
  mskClusterArn: 'MSK_CLUSTER_ARN', kafkaBrokers: 'KAFKA_BROKERS', kafkaAuth: 'KAFKA_AUTH', kafkaSsl: 'KAFKA_SSL', kafkaIdempotent: 'KAFKA_IDEMPOTENT',
  kafkaSecretArn: 'KAFKA_SECRET_ARN', clickhouseUrl: 'CLICKHOUSE_URL', clickhouseDb: 'CLICKHOUSE_DB', clickhouseSecretArn: 'CLICKHOUSE_SECRET_ARN', logLevel: 'LOG_LEVEL',
};

/** The one line a bad parameter ends a command with (the CLIs' "error: " form). */
const errorLine = (error) => `error: ${error.message}${SHELL_DEFAULTS[error.param] ? ` [without --param="${error.param}=…", serverless.yml takes it from ${SHELL_DEFAULTS[error.param]}]` : ''}`;

/**
 * A serverless.yml entry point rendered from the stage's settings. A bad parameter ends the command
 * with its one line and status 1: rethrown, serverless would list it once per reference (nine
 * times), each wrapped in its own "Cannot resolve variable" sentence.
 */
const fromStage = (render) => async ({ resolveVariable }) => {
  let settings;
  try {
    settings = await stageSettings(resolveVariable);
  } catch (error) {
    if (!(error instanceof StageParameterError)) throw error;
    process.stderr.write(`${errorLine(error)}\n`);
    process.exit(1);
  }
  return render(settings, resolveVariable);
};

/** `functionName` of a function as the framework names it. */
const functionName = (s, fn) => `${s.service}-${s.stage}-${fn}`;

/** The Kafka secrets the stage uses: SCRAM credentials (kafkaAuth=scram-sha-512), private root CA, mTLS client certificate. */
const kafkaSecretArns = (s) => [s.scramSecretArn, s.rootCaSecretArn, s.clientCertificateSecretArn].filter(Boolean);

/** The functions' own VPC attachment (`provider.vpc`), or null when they run outside a VPC. */
const functionVpc = (s) => (s.functionSubnets.length ? { subnetIds: s.functionSubnets, securityGroupIds: s.functionSecurityGroups } : null);

module.exports = {
  TABLES,
  TOPICS,
  MAX_KAFKA_FUNCTION_TIMEOUT_SECONDS,
  StageParameterError,
  parseStageSettings,
  stageSettings,
  checkCommandLineParams,
  fromStage,
  errorLine,
  isLocalCommand,
  logicalIds,
  functionName,
  kafkaSecretArns,
  functionVpc,
  capitalised,
  // serverless.yml entry points
  functionTimeout: fromStage((s) => s.functionTimeout),
  reservedConcurrency: fromStage((s) => s.reservedConcurrency),
  vpc: fromStage(functionVpc),
};
