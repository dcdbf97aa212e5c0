'use strict';
/**
 * What the functions see of the stage (serverless.yml: `provider.environment` and the table
 * functions' `environment`), rendered from the same parsed settings as the event sources and roles:
 * the DLQ producer cannot disagree with the event source about brokers, auth, TLS or secrets.
 */
const { fromStage } = require('./stage');

/**
 * How every function reaches Kafka (`provider.environment`), from the same parsed values as the
 * event sources and roles. An unset value stays empty, so local commands fall back to the shell
 * and .local/stack.env (lib/config.ts defaults: no TLS, idempotent).
 */
const kafkaEnvironment = (s) => ({
  POWERTOOLS_SERVICE_NAME: s.service,
  LOG_LEVEL: s.logLevel,
  KAFKA_BROKERS: s.brokers.join(','),
  KAFKA_AUTH: s.auth,
  KAFKA_SSL: s.ssl === undefined ? '' : String(s.ssl),
  KAFKA_SECRET_ARN: s.scramSecretArn,
  KAFKA_ROOT_CA_SECRET_ARN: s.rootCaSecretArn,
  KAFKA_CLIENT_CERT_SECRET_ARN: s.clientCertificateSecretArn,
  KAFKA_IDEMPOTENT: s.idempotent ? '' : 'false',
});

/** The table functions' own settings: ClickHouse and the dead-letter topic. */
const tableEnvironment = (s) => ({
  CLICKHOUSE_URL: s.clickhouseUrl,
  CLICKHOUSE_DB: s.clickhouseDb,
  // Credentials never live in plain env: the function reads this secret at cold start.
  CLICKHOUSE_SECRET_ARN: s.clickhouseSecretArn,
  DLQ_TOPIC: s.dlqTopic,
  DLQ_MAX_MESSAGE_BYTES: String(s.dlqMaxMessageBytes),
});

/**
 * TLS towards the brokers for the handlers' DLQ producer, as the event source uses it: always with
 * a private root CA or a client certificate, and for Amazon MSK with any authentication (MSK serves
 * SASL/SCRAM and IAM on TLS listeners only); otherwise the `kafkaSsl` parameter decides.
 */
const kafkaSsl = (s) => kafkaEnvironment(s).KAFKA_SSL;

module.exports = {
  kafkaEnvironment,
  tableEnvironment,
  kafkaSsl,
  // serverless.yml entry points
  providerEnvironment: fromStage(kafkaEnvironment),
  tableFunctionEnvironment: fromStage(tableEnvironment),
};
