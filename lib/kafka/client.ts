import type { KafkaConfig as KafkaJsConfig, Kafka, Producer, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig } from '../config';
import { ConfigError } from '../errors';
import { forgetSecret, getJsonSecret } from '../secrets';

// kafkajs and the MSK signer are loaded when a Kafka client is first built: a clean batch never
// needs them, and a cold start should not pay for them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const kafkajs = (): typeof import('kafkajs') => require('kafkajs') as typeof import('kafkajs');

/** kafkajs SASL options for the configured auth mode; SCRAM credentials come from Secrets Manager. */
export async function saslOptions(config: KafkaConfig): Promise<SASLOptions | undefined> {
  switch (config.auth) {
    case 'none':
      return undefined;
    case 'iam': {
      const region = config.region;
      if (!region) throw new ConfigError('AWS_REGION', 'is required when KAFKA_AUTH=iam');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { generateAuthToken } = require('aws-msk-iam-sasl-signer-js') as typeof import('aws-msk-iam-sasl-signer-js');
      return {
        mechanism: 'oauthbearer',
        // Called on every (re)authentication: the signer caches nothing, tokens last 15 minutes.
        oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region })).token }),
      };
    }
    case 'scram-sha-512': {
      const secret = await getJsonSecret(config.secretArn ?? '', 'KAFKA_SECRET_ARN');
      if (typeof secret.username !== 'string' || typeof secret.password !== 'string') {
        throw new ConfigError('KAFKA_SECRET_ARN', 'must name a secret with string fields username and password');
      }
      return { mechanism: 'scram-sha-512', username: secret.username, password: secret.password };
    }
  }
}

/**
 * TLS options: `true` for public CAs, or the private root CA and the client certificate from
 * Secrets Manager — the same secrets a self-managed event source uses
 * (`{"certificate": PEM}` and `{"certificate": PEM, "privateKey": PEM, "privateKeyPassword"?}`).
 */
export async function tlsOptions(config: KafkaConfig): Promise<boolean | ConnectionOptions> {
  if (!config.ssl) return false;
  if (!config.rootCaSecretArn && !config.clientCertSecretArn) return true;
  const tls: ConnectionOptions = { rejectUnauthorized: true };
  if (config.rootCaSecretArn) {
    const ca = await getJsonSecret(config.rootCaSecretArn, 'KAFKA_ROOT_CA_SECRET_ARN');
    if (typeof ca.certificate !== 'string') throw new ConfigError('KAFKA_ROOT_CA_SECRET_ARN', 'must name a secret with a string field certificate (PEM)');
    tls.ca = [ca.certificate];
  }
  if (config.clientCertSecretArn) {
    const cert = await getJsonSecret(config.clientCertSecretArn, 'KAFKA_CLIENT_CERT_SECRET_ARN');
    if (typeof cert.certificate !== 'string' || typeof cert.privateKey !== 'string') {
      throw new ConfigError('KAFKA_CLIENT_CERT_SECRET_ARN', 'must name a secret with string fields certificate and privateKey (PEM)');
    }
    tls.cert = cert.certificate;
    tls.key = cert.privateKey;
    if (typeof cert.privateKeyPassword === 'string') tls.passphrase = cert.privateKeyPassword;
  }
  return tls;
}

/** Forgets the Kafka secrets after the broker refused them, so the next client reads them again. */
export function forgetKafkaSecrets(config: KafkaConfig): void {
  for (const arn of [config.secretArn, config.rootCaSecretArn, config.clientCertSecretArn]) if (arn) forgetSecret(arn);
}

/** The kafkajs options shared by the DLQ publisher, the sample-data producer and local tools. */
export async function kafkaClientOptions(config: KafkaConfig, overrides: Partial<KafkaJsConfig> = {}): Promise<KafkaJsConfig> {
  const sasl = await saslOptions(config);
  return {
    clientId: config.clientId,
    brokers: [...config.brokers],
    ssl: await tlsOptions(config),
    ...(sasl ? { sasl } : {}),
    connectionTimeout: 5_000,
    requestTimeout: 15_000,
    // Short retries: inside Lambda a failed publish should fail the invocation, not eat its timeout.
    retry: { retries: 4, initialRetryTime: 200, maxRetryTime: 3_000 },
    logLevel: kafkajs().logLevel.NOTHING,
    ...overrides,
  };
}

export async function createKafka(config: KafkaConfig, overrides: Partial<KafkaJsConfig> = {}): Promise<Kafka> {
  return new (kafkajs().Kafka)(await kafkaClientOptions(config, overrides));
}

/**
 * A producer for the DLQ and sample data: idempotent unless `KAFKA_IDEMPOTENT=false` (only the
 * local mock broker needs that), never creating topics by accident.
 */
export async function createProducer(config: KafkaConfig, overrides: Partial<KafkaJsConfig> = {}): Promise<Producer> {
  const kafka = await createKafka(config, overrides);
  return kafka.producer({
    idempotent: config.idempotent,
    // Idempotence keeps order only with one request in flight per connection.
    maxInFlightRequests: config.idempotent ? 1 : 5,
    allowAutoTopicCreation: false,
    createPartitioner: kafkajs().Partitioners.DefaultPartitioner,
  });
}
