import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { Kafka, logLevel, Partitioners, type KafkaConfig as KafkaJsConfig, type Producer, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../config';
import { ConfigError } from '../errors';
import { getJsonSecret } from '../secrets';

/** kafkajs SASL options for the configured auth mode; SCRAM credentials come from Secrets Manager. */
export async function saslOptions(config: KafkaConfig): Promise<SASLOptions | undefined> {
  switch (config.auth) {
    case 'none':
      return undefined;
    case 'iam': {
      const region = config.region;
      if (!region) throw new ConfigError('AWS_REGION', 'is required when KAFKA_AUTH=iam');
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

/** The kafkajs options shared by the DLQ publisher, the sample-data producer and local tools. */
export async function kafkaClientOptions(config: KafkaConfig, overrides: Partial<KafkaJsConfig> = {}): Promise<KafkaJsConfig> {
  const sasl = await saslOptions(config);
  return {
    clientId: config.clientId,
    brokers: [...config.brokers],
    ssl: config.ssl,
    ...(sasl ? { sasl } : {}),
    connectionTimeout: 5_000,
    requestTimeout: 15_000,
    // Short retries: inside Lambda a failed publish should fail the invocation, not eat its timeout.
    retry: { retries: 4, initialRetryTime: 200, maxRetryTime: 3_000 },
    logLevel: logLevel.ERROR,
    ...overrides,
  };
}

export async function createKafka(config: KafkaConfig, overrides: Partial<KafkaJsConfig> = {}): Promise<Kafka> {
  return new Kafka(await kafkaClientOptions(config, overrides));
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
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}
