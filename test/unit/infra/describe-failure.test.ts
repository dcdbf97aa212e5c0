import { ClickHouseError, createClient } from '@clickhouse/client';
import fc from 'fast-check';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSSASLAuthenticationError, Kafka, logLevel } from 'kafkajs';
import { describeFailure, failureContext, UsageError } from '../../../infra/cli/describe-failure';
import { loadConfig } from '../../../lib/config';
import type { EnvOrigin } from '../../../lib/environment';
import { ConfigError, TransientError } from '../../../lib/errors';

const fromProcess = (variable: string): EnvOrigin => ({ source: 'environment', variable });
const fromStackFile: EnvOrigin = { source: '.local/stack.env', variable: 'CLICKHOUSE_URL', file: '/p/.local/stack.env' };

/** The context of an environment whose variables all came from the process, unless `origins` says otherwise. */
function context(env: Record<string, string>, origins: Record<string, EnvOrigin> = Object.fromEntries(Object.keys(env).map((n) => [n, fromProcess(n)]))) {
  return failureContext({ env, origins });
}

const refused = (port: number) => Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), { code: 'ECONNREFUSED', address: '127.0.0.1', port });

describe('describeFailure: an unreachable ClickHouse', () => {
  it('names the address and the variable the user set, and the fix', () => {
    const line = describeFailure(refused(1), context({ CLICKHOUSE_URL: 'http://127.0.0.1:1' }));
    expect(line).toBe(
      'cannot reach ClickHouse at http://127.0.0.1:1 (CLICKHOUSE_URL): connection refused. Is the server running? Start the local stack with `npm run stack:up`.',
    );
  });

  it('says when the address is only the default because no stack runs', () => {
    const line = describeFailure(refused(8123), context({}));
    expect(line).toBe(
      'cannot reach ClickHouse at http://localhost:8123 (the default: CLICKHOUSE_URL is not set and no local stack is running): connection refused. Start the local stack with `npm run stack:up` (or `docker compose up -d`), or set CLICKHOUSE_URL.',
    );
  });

  it('points at the stack commands when the address came from .local/stack.env', () => {
    const line = describeFailure(refused(34353), context({ CLICKHOUSE_URL: 'http://127.0.0.1:34353' }, { CLICKHOUSE_URL: fromStackFile }));
    expect(line).toMatch(/^cannot reach ClickHouse at http:\/\/127\.0\.0\.1:34353 \(CLICKHOUSE_URL in \.local\/stack\.env\): connection refused\. .*`npm run stack:status`.*`npm run stack:up`/);
  });

  it('tells a wrong host name from a server that is down, and reports timeouts', () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND ch.invalid'), { code: 'ENOTFOUND', hostname: 'ch.invalid' });
    expect(describeFailure(notFound, context({ CLICKHOUSE_URL: 'http://ch.invalid:8123' }))).toBe(
      'cannot reach ClickHouse at http://ch.invalid:8123 (CLICKHOUSE_URL): host "ch.invalid" not found. Check the host name in CLICKHOUSE_URL.',
    );
    expect(describeFailure(new Error('Timeout error.'), context({ CLICKHOUSE_URL: 'http://10.0.0.9:8123' }))).toMatch(/^cannot reach ClickHouse at http:\/\/10\.0\.0\.9:8123 \(CLICKHOUSE_URL\): no answer \(timed out\)\./);
  });

  it('reports a refused certificate as a TLS failure', () => {
    const tls = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect(describeFailure(tls, context({ CLICKHOUSE_URL: 'https://h:8443' }))).toMatch(/^cannot reach ClickHouse at https:\/\/h:8443 \(CLICKHOUSE_URL\): TLS failed \(self-signed certificate in certificate chain\)\./);
  });

  it('finds the socket error inside a wrapping library error', () => {
    const wrapped = new TransientError('ClickHouse insert failed', { cause: refused(1) });
    expect(describeFailure(wrapped, context({ CLICKHOUSE_URL: 'http://127.0.0.1:1' }))).toMatch(/^cannot reach ClickHouse at http:\/\/127\.0\.0\.1:1 \(CLICKHOUSE_URL\): connection refused/);
  });

  it('describes what @clickhouse/client really throws for a closed port', async () => {
    // Prepare
    const client = createClient({ url: 'http://127.0.0.1:1', request_timeout: 5_000, log: { level: 127 as never } });
    // Act
    const error = await client.command({ query: 'SELECT 1' }).catch((e: unknown) => e);
    await client.close();
    // Assess
    expect(describeFailure(error, context({ CLICKHOUSE_URL: 'http://127.0.0.1:1' }))).toMatch(/^cannot reach ClickHouse at http:\/\/127\.0\.0\.1:1 \(CLICKHOUSE_URL\): connection refused\./);
  });
});

describe('describeFailure: ClickHouse refusals', () => {
  it('asks for other credentials on AUTHENTICATION_FAILED (516)', () => {
    const error = new ClickHouseError({ message: 'default: Authentication failed: password is incorrect', code: '516', type: 'AUTHENTICATION_FAILED' });
    expect(describeFailure(error, context({ CLICKHOUSE_URL: 'http://h:8123' }))).toBe(
      'ClickHouse at http://h:8123 refused the credentials of user "default" (the default), code 516: set CLICKHOUSE_USER and CLICKHOUSE_PASSWORD (or CLICKHOUSE_SECRET_ARN) to an account of that server.',
    );
    const fromDotenv = { CLICKHOUSE_USER: { source: '.env', variable: 'CLICKHOUSE_USER', file: '/p/.env' } as EnvOrigin };
    expect(describeFailure(error, context({ CLICKHOUSE_USER: 'svc' }, fromDotenv))).toMatch(/refused the credentials of user "svc" \(CLICKHOUSE_USER in \.env\), code 516:/);
  });

  it('asks for `npm run migrate` when the database or a table is missing', () => {
    const noDb = new ClickHouseError({ message: 'Database test does not exist', code: '81', type: 'UNKNOWN_DATABASE' });
    expect(describeFailure(noDb, context({}))).toMatch(/has no database of that name \(CLICKHOUSE_DB, code 81\): run `npm run migrate`/);
    const noTable = new Error('Code: 60. DB::Exception: Table test.users does not exist. (UNKNOWN_TABLE)');
    expect(describeFailure(noTable, context({}))).toMatch(/lacks a table \(code 60, .*\): run `npm run migrate`\.$/);
  });
});

describe('describeFailure: an unreachable Kafka', () => {
  const connection = (code: string | undefined, message: string) => new KafkaJSConnectionError(message, { broker: '127.0.0.1:1', code });

  it('names KAFKA_BROKER when the alias supplied the address', () => {
    // What a producer's connect rejects with: the retrier's error around the socket's.
    const cause = connection('ECONNREFUSED', 'Connection error: connect ECONNREFUSED 127.0.0.1:1');
    const error = Object.assign(new KafkaJSNonRetriableError(cause), { cause });
    const ctx = context({ KAFKA_BROKERS: '127.0.0.1:1' }, { KAFKA_BROKERS: fromProcess('KAFKA_BROKER') });
    expect(describeFailure(error, ctx)).toBe(
      'cannot reach Kafka at 127.0.0.1:1 (KAFKA_BROKER): connection refused. Is the broker running? Start the local stack with `npm run stack:up`.',
    );
  });

  it('reports a connection timeout after the retries', () => {
    const error = new KafkaJSNumberOfRetriesExceeded(connection(undefined, 'Connection timeout'), { retryCount: 2, retryTime: 500 });
    expect(describeFailure(error, context({ KAFKA_BROKERS: '10.0.0.9:9092' }))).toMatch(/^cannot reach Kafka at 10\.0\.0\.9:9092 \(KAFKA_BROKERS\): no answer \(timed out\)\./);
  });

  it('says when the brokers are only the default', () => {
    expect(describeFailure(connection('ECONNREFUSED', 'Connection error: connect ECONNREFUSED 127.0.0.1:9094'), context({}))).toMatch(
      /^cannot reach Kafka at localhost:9094 \(the default: KAFKA_BROKERS is not set and no local stack is running\): connection refused\. Start the local stack with `npm run stack:up` \(or `docker compose up -d`\), or set KAFKA_BROKERS\.$/,
    );
  });

  it('describes what kafkajs really throws for a closed port', async () => {
    // Prepare
    const producer = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).producer();
    // Act
    const error = await producer.connect().catch((e: unknown) => e);
    // Assess
    expect(describeFailure(error, context({ KAFKA_BROKERS: '127.0.0.1:1' }))).toMatch(/^cannot reach Kafka at 127\.0\.0\.1:1 \(KAFKA_BROKERS\): connection refused\./);
  });

  it('tells refused credentials and missing topics apart from an unreachable broker', () => {
    // kafkajs's typings declare no constructor arguments for this class; it takes a message like the others.
    const sasl = new (KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error)('SASL SCRAM SHA512 authentication failed: wrong password');
    expect(describeFailure(sasl, context({ KAFKA_BROKERS: 'k:9096' }))).toMatch(
      /^Kafka at k:9096 refused the SASL authentication: .*wrong password\. Check KAFKA_AUTH and the username and password of KAFKA_SECRET_ARN\.$/,
    );
    const missingTopic = new KafkaJSProtocolError({ message: 'This server does not host this topic-partition', type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3, retriable: true } as never);
    expect(describeFailure(missingTopic, context({ KAFKA_BROKERS: 'k:9092' }))).toMatch(/lacks a topic .*create users-topic, products-topic, orders-topic and dlq-topic/);
  });
});

describe('describeFailure: configuration and input mistakes', () => {
  const configError = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      return error;
    }
    throw new Error('expected a ConfigError');
  };

  it('names the bad variable and where it was set', () => {
    expect(describeFailure(configError({ CLICKHOUSE_URL: 'not-a-url' }), context({ CLICKHOUSE_URL: 'not-a-url' }))).toBe(
      'Invalid configuration: CLICKHOUSE_URL Invalid URL (got "not-a-url"), set in the environment. Fix it or unset it; docs/configuration.md lists every variable.',
    );
    const inDotenv = { KAFKA_AUTH: { source: '.env', variable: 'KAFKA_AUTH', file: '/p/.env' } as EnvOrigin };
    expect(describeFailure(configError({ KAFKA_AUTH: 'plain' }), context({ KAFKA_AUTH: 'plain' }, inDotenv))).toMatch(/^Invalid configuration: KAFKA_AUTH .*\(got "plain"\), set in \/p\/\.env\. Fix it or unset it;/);
  });

  it('names a missing required variable without claiming it was set', () => {
    expect(describeFailure(new ConfigError('KAFKA_SECRET_ARN', 'is required when KAFKA_AUTH=scram-sha-512'), context({}))).toBe(
      'Invalid configuration: KAFKA_SECRET_ARN is required when KAFKA_AUTH=scram-sha-512. Fix it; docs/configuration.md lists every variable.',
    );
  });

  it('reads a ConfigError from another bundle by its name (sls invoke local)', () => {
    const foreign = Object.assign(new (class Ct extends Error {})('Invalid configuration: CLICKHOUSE_URL Invalid URL (got "x")'), { name: 'ConfigError', variable: 'CLICKHOUSE_URL' });
    expect(describeFailure(foreign, context({ CLICKHOUSE_URL: 'x' }))).toMatch(/^Invalid configuration: CLICKHOUSE_URL .*, set in the environment\./);
  });

  it('points a usage mistake at --help', () => {
    expect(describeFailure(new UsageError('--users must be an integer'), context({}), { helpCommand: 'npm run producer -- --help' })).toBe(
      '--users must be an integer. See `npm run producer -- --help`.',
    );
  });

  it('explains a missing AWS credential for the *_SECRET_ARN variables', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(describeFailure(error, context({}))).toMatch(/^AWS Secrets Manager failed \(CredentialsProviderError: Could not load credentials from any providers\)\. Check your AWS credentials/);
  });
});

describe('describeFailure: anything else', () => {
  it('keeps the first line of an unknown error, or its class when it has no message', () => {
    expect(describeFailure(new Error('migration 003_orders failed: boom\n    at somewhere'), context({}))).toBe('migration 003_orders failed: boom');
    expect(describeFailure(new (class WeirdError extends Error {})(''), context({}))).toBe('WeirdError');
    expect(describeFailure('plain text', context({}))).toBe('plain text');
  });

  it('always answers with exactly one line', () => {
    const anyError = fc.oneof(
      fc.string().map((m) => new Error(m)),
      fc.string().map((m) => Object.assign(new Error(m), { code: 'ECONNREFUSED' })),
      fc.string().map((m) => new KafkaJSConnectionError(m, { broker: 'a:1' })),
      fc.string().map((m) => new ConfigError('CLICKHOUSE_DB', m)),
      fc.string().map((m) => new UsageError(m)),
      fc.anything(),
    );
    fc.assert(fc.property(anyError, (error) => expect(describeFailure(error, context({}))).not.toMatch(/\n/)));
  });
});
