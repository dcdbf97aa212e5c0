import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseEnvFile, readEnvironment } from '../../../lib/config';
import { ConfigError } from '../../../lib/errors';

describe('loadConfig', () => {
  it('applies the defaults of design.md', () => {
    const config = loadConfig({});
    expect(config.kafka).toMatchObject({ brokers: ['localhost:9094'], auth: 'none', ssl: false, idempotent: true });
    expect(config.clickhouse).toMatchObject({ url: 'http://localhost:8123', database: 'test', user: 'default', password: '' });
    expect(config.dlqTopic).toBe('dlq-topic');
    expect(config.logLevel).toBe('info');
    expect(config.producer).toMatchObject({ users: 10, products: 10, orders: 20, invalidRate: 0 });
  });

  it('accepts KAFKA_BROKER as an alias and splits broker lists', () => {
    expect(loadConfig({ KAFKA_BROKER: 'a:9092' }).kafka.brokers).toEqual(['a:9092']);
    expect(loadConfig({ KAFKA_BROKERS: 'a:1, b:2', KAFKA_BROKER: 'c:3' }).kafka.brokers).toEqual(['a:1', 'b:2']);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.kafka)).toBe(true);
  });

  it('turns TLS on for MSK IAM and reads boolean words', () => {
    expect(loadConfig({ KAFKA_AUTH: 'iam' }).kafka.ssl).toBe(true);
    expect(loadConfig({ KAFKA_IDEMPOTENT: 'false' }).kafka.idempotent).toBe(false);
  });

  it.each([
    ['KAFKA_AUTH', { KAFKA_AUTH: 'plain' }],
    ['KAFKA_BROKERS', { KAFKA_BROKERS: 'no-port' }],
    ['KAFKA_SSL', { KAFKA_SSL: 'maybe' }],
    ['CLICKHOUSE_URL', { CLICKHOUSE_URL: 'ftp://x' }],
    ['CLICKHOUSE_DB', { CLICKHOUSE_DB: 'test; DROP TABLE users' }],
    ['PRODUCER_INVALID_RATE', { PRODUCER_INVALID_RATE: '2' }],
    ['PRODUCER_USERS_COUNT', { PRODUCER_USERS_COUNT: 'many' }],
    ['KAFKA_SECRET_ARN', { KAFKA_AUTH: 'scram-sha-512' }],
  ])('fails with one message naming %s', (variable, env) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('shows the offending value so the fix is obvious', () => {
    expect(() => loadConfig({ KAFKA_AUTH: 'plain' })).toThrow(/KAFKA_AUTH .*\(got "plain"\)/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ CLICKHOUSE_DB: '', KAFKA_AUTH: '' }).clickhouse.database).toBe('test');
  });
});

describe('readEnvironment', () => {
  it('falls back to .local/stack.env, with process variables winning', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    mkdirSync(join(dir, '.local'));
    writeFileSync(join(dir, '.local', 'stack.env'), '# comment\nKAFKA_BROKERS=127.0.0.1:1\nCLICKHOUSE_URL="http://127.0.0.1:2"\n');
    // Act
    const env = readEnvironment({ KAFKA_BROKERS: 'override:9' }, dir);
    // Assess
    expect(env.KAFKA_BROKERS).toBe('override:9');
    expect(env.CLICKHOUSE_URL).toBe('http://127.0.0.1:2');
  });

  it('uses the process environment alone when no stack file exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    expect(readEnvironment({ A: '1' }, dir)).toEqual({ A: '1' });
  });

  it('parses KEY=value lines', () => {
    expect(parseEnvFile('A=1\n  B = two words \n#C=3\n\nD=\'q\'')).toEqual({ A: '1', B: 'two words', D: 'q' });
  });
});

describe('readEnvironment from a build directory', () => {
  it('finds .local/stack.env in an ancestor, and empty process variables do not hide it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    mkdirSync(join(dir, '.local'));
    mkdirSync(join(dir, '.esbuild', '.build'), { recursive: true });
    writeFileSync(join(dir, '.local', 'stack.env'), 'KAFKA_BROKERS=127.0.0.1:1\n');
    expect(readEnvironment({ KAFKA_BROKERS: '' }, join(dir, '.esbuild', '.build')).KAFKA_BROKERS).toBe('127.0.0.1:1');
  });
});
