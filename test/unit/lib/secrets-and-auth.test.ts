import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { resolveClickHouseCredentials } from '../../../lib/clickhouse/client';
import { loadConfig } from '../../../lib/config';
import { ConfigError } from '../../../lib/errors';
import { kafkaClientOptions } from '../../../lib/kafka/client';
import { resetSecretCache } from '../../../lib/secrets';

const secrets = mockClient(SecretsManagerClient);
const secretJson = (value: object) => ({ SecretString: JSON.stringify(value) });

beforeEach(() => {
  secrets.reset();
  resetSecretCache();
});

describe('ClickHouse credentials', () => {
  it('come from the environment when no secret is configured', async () => {
    const config = loadConfig({ CLICKHOUSE_USER: 'u', CLICKHOUSE_PASSWORD: 'p' }).clickhouse;
    await expect(resolveClickHouseCredentials(config)).resolves.toEqual({ url: 'http://localhost:8123', username: 'u', password: 'p', urlSource: 'CLICKHOUSE_URL' });
    expect(secrets.calls()).toHaveLength(0);
  });

  it('come from Secrets Manager, read once per container, with the secret url winning', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'arn:ch' }).resolves(secretJson({ url: 'https://abc.clickhouse.cloud:8443', username: 'svc', password: 'pw' }));
    const config = loadConfig({ CLICKHOUSE_SECRET_ARN: 'arn:ch' }).clickhouse;
    await resolveClickHouseCredentials(config);
    await expect(resolveClickHouseCredentials(config)).resolves.toEqual({ url: 'https://abc.clickhouse.cloud:8443', username: 'svc', password: 'pw', urlSource: 'the url of CLICKHOUSE_SECRET_ARN' });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('retries a failed secret read on the next call instead of caching the failure', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves(secretJson({ username: 'svc', password: 'pw' }));
    const config = loadConfig({ CLICKHOUSE_SECRET_ARN: 'arn:ch' }).clickhouse;
    await expect(resolveClickHouseCredentials(config)).rejects.toThrow('throttled');
    await expect(resolveClickHouseCredentials(config)).resolves.toMatchObject({ username: 'svc' });
  });

  it('fails with a message naming the variable when the secret is not JSON', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'plain text' });
    const config = loadConfig({ CLICKHOUSE_SECRET_ARN: 'arn:ch' }).clickhouse;
    await expect(resolveClickHouseCredentials(config)).rejects.toThrow(new ConfigError('CLICKHOUSE_SECRET_ARN', 'must name a secret whose value is a JSON object'));
  });
});

describe('Kafka client options', () => {
  it('are plain for KAFKA_AUTH=none', async () => {
    const options = await kafkaClientOptions(loadConfig({ KAFKA_BROKERS: 'a:1,b:2' }).kafka);
    expect(options).toMatchObject({ brokers: ['a:1', 'b:2'], ssl: false });
    expect(options.sasl).toBeUndefined();
  });

  it('use SCRAM-SHA-512 credentials from Secrets Manager', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'arn:kafka' }).resolves(secretJson({ username: 'alice', password: 'pw' }));
    const options = await kafkaClientOptions(loadConfig({ KAFKA_AUTH: 'scram-sha-512', KAFKA_SECRET_ARN: 'arn:kafka', KAFKA_SSL: 'true' }).kafka);
    expect(options).toMatchObject({ ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'pw' } });
  });

  it('use OAUTHBEARER over TLS for MSK IAM', async () => {
    const options = await kafkaClientOptions(loadConfig({ KAFKA_AUTH: 'iam', AWS_REGION: 'eu-west-1' }).kafka);
    expect(options.ssl).toBe(true);
    expect(options.sasl).toMatchObject({ mechanism: 'oauthbearer', oauthBearerProvider: expect.any(Function) });
  });

  it('require AWS_REGION for MSK IAM', async () => {
    await expect(kafkaClientOptions(loadConfig({ KAFKA_AUTH: 'iam' }).kafka)).rejects.toThrow(/AWS_REGION/);
  });
});
