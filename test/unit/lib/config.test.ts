import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { CONFIG_VARIABLES, loadConfig, parseEnvFile, readEnvironment } from '../../../lib/config';
import { resolveEnvironment } from '../../../lib/environment';
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

/** A project folder with the given `.env` and `.local/stack.env` contents (absent when undefined). */
function project(files: { dotenv?: string; stack?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  if (files.dotenv !== undefined) writeFileSync(join(dir, '.env'), files.dotenv);
  if (files.stack !== undefined) {
    mkdirSync(join(dir, '.local'));
    writeFileSync(join(dir, '.local', 'stack.env'), files.stack);
  }
  return dir;
}

describe('resolveEnvironment precedence: process environment > .env > .local/stack.env > defaults', () => {
  it('takes each variable from the highest source that sets it', () => {
    // Prepare
    const dir = project({
      dotenv: 'CLICKHOUSE_URL=http://dotenv:1\nCLICKHOUSE_DB=from_dotenv\n',
      stack: 'CLICKHOUSE_URL=http://stack:2\nCLICKHOUSE_DB=from_stack\nKAFKA_BROKERS=stack:3\n',
    });
    // Act
    const { env, origins } = resolveEnvironment({ CLICKHOUSE_URL: 'http://process:0' }, dir);
    // Assess
    expect(env).toMatchObject({ CLICKHOUSE_URL: 'http://process:0', CLICKHOUSE_DB: 'from_dotenv', KAFKA_BROKERS: 'stack:3' });
    expect(origins.CLICKHOUSE_URL).toEqual({ source: 'environment', variable: 'CLICKHOUSE_URL', file: undefined });
    expect(origins.CLICKHOUSE_DB).toEqual({ source: '.env', variable: 'CLICKHOUSE_DB', file: join(dir, '.env') });
    expect(origins.KAFKA_BROKERS).toEqual({ source: '.local/stack.env', variable: 'KAFKA_BROKERS', file: join(dir, '.local', 'stack.env') });
    expect(origins.CLICKHOUSE_USER).toBeUndefined();
    expect(loadConfig(env).clickhouse.user).toBe('default');
  });

  it('lets an explicit KAFKA_BROKER beat the KAFKA_BROKERS of .local/stack.env', () => {
    const dir = project({ stack: 'KAFKA_BROKERS=127.0.0.1:36713\n' });
    const { env, origins } = resolveEnvironment({ KAFKA_BROKER: '127.0.0.1:1' }, dir);
    expect(loadConfig(env).kafka.brokers).toEqual(['127.0.0.1:1']);
    expect(origins.KAFKA_BROKERS).toMatchObject({ source: 'environment', variable: 'KAFKA_BROKER' });
  });

  it('lets an explicit KAFKA_BROKER beat the KAFKA_BROKERS of .env, and a .env KAFKA_BROKER beat the stack file', () => {
    const both = project({ dotenv: 'KAFKA_BROKERS=dotenv:1\n', stack: 'KAFKA_BROKERS=stack:2\n' });
    expect(loadConfig(readEnvironment({ KAFKA_BROKER: 'process:0' }, both)).kafka.brokers).toEqual(['process:0']);
    const aliasInDotenv = project({ dotenv: 'KAFKA_BROKER=dotenv:1\n', stack: 'KAFKA_BROKERS=stack:2\n' });
    expect(resolveEnvironment({}, aliasInDotenv).origins.KAFKA_BROKERS).toMatchObject({ source: '.env', variable: 'KAFKA_BROKER' });
    expect(loadConfig(readEnvironment({}, aliasInDotenv)).kafka.brokers).toEqual(['dotenv:1']);
  });

  it('prefers KAFKA_BROKERS over KAFKA_BROKER within one source', () => {
    const dir = project({});
    const { env, origins } = resolveEnvironment({ KAFKA_BROKERS: 'list:1', KAFKA_BROKER: 'alias:2' }, dir);
    expect(loadConfig(env).kafka.brokers).toEqual(['list:1']);
    expect(origins.KAFKA_BROKERS?.variable).toBe('KAFKA_BROKERS');
  });

  it('treats empty values as unset in every source', () => {
    const dir = project({ dotenv: 'CLICKHOUSE_DB=\nKAFKA_BROKERS=""\n', stack: 'CLICKHOUSE_DB=from_stack\nKAFKA_BROKERS=stack:1\n' });
    const { env } = resolveEnvironment({ CLICKHOUSE_DB: '', KAFKA_BROKERS: '' }, dir);
    expect(env).toMatchObject({ CLICKHOUSE_DB: 'from_stack', KAFKA_BROKERS: 'stack:1' });
  });

  it('uses the process environment alone when neither file exists', () => {
    const { env, origins } = resolveEnvironment({ A: '1', EMPTY: '' }, project({}));
    expect(env).toEqual({ A: '1' });
    expect(Object.keys(origins)).toEqual(['A']);
  });

  it('finds both files in an ancestor (sls invoke local runs from .esbuild/.build), the nearest .env first', () => {
    // Prepare
    const dir = project({ dotenv: 'CLICKHOUSE_DB=outer\nLOG_LEVEL=warn\n', stack: 'KAFKA_BROKERS=127.0.0.1:1\n' });
    const build = join(dir, '.esbuild', '.build');
    mkdirSync(build, { recursive: true });
    writeFileSync(join(dir, '.esbuild', '.env'), 'CLICKHOUSE_DB=inner\n');
    // Act
    const env = readEnvironment({}, build);
    // Assess: only the nearest .env is read, as with .local/stack.env.
    expect(env).toMatchObject({ CLICKHOUSE_DB: 'inner', KAFKA_BROKERS: '127.0.0.1:1' });
    expect(env.LOG_LEVEL).toBeUndefined();
  });

  it('gives every variable the value of the highest source that sets it, for any mix of sources', () => {
    // Each source either leaves the variable out, sets it empty, or sets it.
    const setting = fc.option(fc.constantFrom('', 'a', 'b'), { nil: undefined });
    fc.assert(
      fc.property(setting, setting, setting, (fromProcess, fromDotenv, fromStack) => {
        const line = (value: string | undefined) => (value === undefined ? '' : `CLICKHOUSE_DB=${value}\n`);
        const dir = project({ dotenv: line(fromDotenv), stack: line(fromStack) });
        const expected = [fromProcess, fromDotenv, fromStack].find((v) => v !== undefined && v !== '');
        expect(readEnvironment(fromProcess === undefined ? {} : { CLICKHOUSE_DB: fromProcess }, dir).CLICKHOUSE_DB).toBe(expected);
      }),
      { numRuns: 60 },
    );
  });
});

describe('parseEnvFile', () => {
  it('reads KEY=value lines, skipping comments and blanks', () => {
    expect(parseEnvFile('A=1\n  B = two words \n#C=3\n\nD=\'q\'')).toEqual({ A: '1', B: 'two words', D: 'q' });
  });

  it('accepts export prefixes, CRLF, = inside values, and inline comments after unquoted values', () => {
    const text = 'export A=1\r\nURL=http://h:1/?a=b&c=d\r\nB=x # note\nC="x # kept" # note\nD=a#b\n';
    expect(parseEnvFile(text)).toEqual({ A: '1', URL: 'http://h:1/?a=b&c=d', B: 'x', C: 'x # kept', D: 'a#b' });
  });

  it('keeps empty values empty (they count as unset later)', () => {
    expect(parseEnvFile('A=\nB=""\n')).toEqual({ A: '', B: '' });
  });
});

describe('.env.example', () => {
  const text = readFileSync(resolve(__dirname, '..', '..', '..', '.env.example'), 'utf8');
  const listed = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);

  it('lists every variable of the configuration schema, and nothing else', () => {
    expect([...listed].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('sets nothing by default: a copied .env must not override .local/stack.env', () => {
    expect(Object.keys(parseEnvFile(text.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n')))).toEqual([]);
  });

  it('gives each variable a comment line and shows its default', () => {
    const lines = text.split('\n');
    for (const name of CONFIG_VARIABLES) {
      const at = lines.findIndex((l) => new RegExp(`^# ?${name}=`).test(l));
      expect({ name, comment: /^# \S/.test(lines[at - 1] ?? '') && !/^# ?[A-Z][A-Z0-9_]*=/.test(lines[at - 1]!) }).toEqual({ name, comment: true });
    }
    expect(lines.find((l) => l.startsWith('# KAFKA_BROKERS='))).toBe('# KAFKA_BROKERS=localhost:9094');
  });
});
