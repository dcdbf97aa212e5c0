import { execFile } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTestStack } from '../support/test-stack';

const ROOT = resolve(__dirname, '..', '..');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const SLS = join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command as a user would: none of the shell's connection settings, and none of the
 * switches the test setup adds to keep library logs quiet, so their noise would show.
 */
function run(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', ...options.env };
  for (const name of ['KAFKAJS_LOG_LEVEL', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'LOG_LEVEL', 'DEBUG']) delete env[name];
  for (const name of ['KAFKA_BROKERS', 'KAFKA_BROKER', 'CLICKHOUSE_URL', 'CLICKHOUSE_DB']) if (!options.env?.[name]) delete env[name];
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd: options.cwd ?? ROOT, env, timeout: 60_000 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

const tsx = (script: string, args: string[] = [], options?: Parameters<typeof run>[1]) => run(['--import', TSX, join(ROOT, script), ...args], options);

/** Exit status 1 and exactly one line on stderr, starting with "error: ". */
function expectOneErrorLine(outcome: Outcome): string {
  expect({ code: outcome.code, lines: outcome.stderr.trimEnd().split('\n').length }).toEqual({ code: 1, lines: 1 });
  expect(outcome.stderr).toMatch(/^error: /);
  return outcome.stderr.trim();
}

/**
 * The service in a folder of its own (sources through symlinks): its own .esbuild work dir, which
 * the packaging tests also use, and no .env or .local of the developer's. The framework does not
 * take a symlinked serverless.yml, so that one is copied.
 */
function isolatedService(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sls-service-'));
  copyFileSync(join(ROOT, 'serverless.yml'), join(dir, 'serverless.yml'));
  for (const entry of ['package.json', 'tsconfig.json', 'node_modules', 'functions', 'lib', 'infra', 'test']) symlinkSync(join(ROOT, entry), join(dir, entry));
  return dir;
}

describe('commands fail with one line naming the problem and the fix', () => {
  it('npm run migrate names CLICKHOUSE_URL and the address when ClickHouse is unreachable', async () => {
    const line = expectOneErrorLine(await tsx('infra/clickhouse/migrate-cli.ts', [], { env: { CLICKHOUSE_URL: 'http://127.0.0.1:1' } }));
    expect(line).toBe('error: cannot reach ClickHouse at http://127.0.0.1:1 (CLICKHOUSE_URL): connection refused. Is the server running? Start the local stack with `npm run stack:up`.');
  });

  it.each([
    ['answers 200 with a web page', (res: ServerResponse) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>hi</html>'), 'GET /ping gave HTTP 200 "<html>hi</html>", not "Ok."'],
    ['answers 404 with nothing', (res: ServerResponse) => res.writeHead(404).end(), 'GET /ping gave HTTP 404 with an empty body, not "Ok."'],
    ['answers 502 from a proxy', (res: ServerResponse) => res.writeHead(502).end('bad gateway'), 'GET /ping gave HTTP 502 "bad gateway", not "Ok."'],
  ])('npm run migrate refuses an address that %s, applying nothing', async (_what, answer, detail) => {
    const server = createServer((_req, res) => answer(res));
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const outcome = await tsx('infra/clickhouse/migrate-cli.ts', [], { env: { CLICKHOUSE_URL: url } });
      expect(expectOneErrorLine(outcome)).toBe(`error: ${url} (CLICKHOUSE_URL) does not answer as ClickHouse (${detail}). Set CLICKHOUSE_URL to the server's HTTP interface (port 8123, or 8443 with TLS).`);
      expect(outcome.stdout).toBe('');
    } finally {
      server.close();
    }
  });

  it('npm run migrate gives up within CLICKHOUSE_REQUEST_TIMEOUT_MS when the server never answers', async () => {
    const sockets = new Set<Socket>();
    const server = createNetServer((socket) => sockets.add(socket));
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      const outcome = await tsx('infra/clickhouse/migrate-cli.ts', [], { env: { CLICKHOUSE_URL: url, CLICKHOUSE_REQUEST_TIMEOUT_MS: '1000' } });
      expect(expectOneErrorLine(outcome)).toBe(`error: cannot reach ClickHouse at ${url} (CLICKHOUSE_URL): no answer (timed out). Is the server running? Start the local stack with \`npm run stack:up\`.`);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it('npm run migrate names the variable of a bad value', async () => {
    const line = expectOneErrorLine(await tsx('infra/clickhouse/migrate-cli.ts', [], { env: { CLICKHOUSE_URL: 'not-a-url' } }));
    expect(line).toMatch(/^error: Invalid configuration: CLICKHOUSE_URL .*\(got "not-a-url"\), set in the environment\./);
  });

  it('npm run producer points a bad option at --help', async () => {
    const line = expectOneErrorLine(await tsx('infra/cli/producer-cli.ts', ['--users', 'many']));
    expect(line).toBe('error: --users must be an integer from 0 to 10000000 (got "many"). See `npm run producer -- --help`.');
  });

  it('KAFKA_BROKER=127.0.0.1:1 npm run producer fails instead of sending to the stack of .local/stack.env', async () => {
    // Prepare: a project folder whose .local/stack.env names a running stack.
    const ts = await startTestStack();
    const dir = mkdtempSync(join(tmpdir(), 'producer-'));
    mkdirSync(join(dir, '.local'));
    writeFileSync(join(dir, '.local', 'stack.env'), Object.entries(ts.env).map(([k, v]) => `${k}=${v}\n`).join(''));
    try {
      // Act
      const explicit = await tsx('infra/cli/producer-cli.ts', ['--users', '3', '--products', '0', '--orders', '0'], { cwd: dir, env: { KAFKA_BROKER: '127.0.0.1:1' } });
      // Assess
      expect(expectOneErrorLine(explicit)).toMatch(/^error: cannot reach Kafka at 127\.0\.0\.1:1 \(KAFKA_BROKER\): connection refused\./);
      expect(await ts.topicSize('users-topic')).toBe(0);
      // Control: without the variable the same command does send to the stack of the file.
      const fromFile = await tsx('infra/cli/producer-cli.ts', ['--users', '3', '--products', '0', '--orders', '0'], { cwd: dir });
      expect({ code: fromFile.code, stderr: fromFile.stderr }).toEqual({ code: 0, stderr: '' });
      expect(await ts.topicSize('users-topic')).toBe(3);
    } finally {
      await ts.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npx sls invoke local exits within seconds with one line naming the variable when the handler cannot start', async () => {
    const dir = isolatedService();
    try {
      const started = Date.now();
      const outcome = await run([SLS, 'invoke', 'local', '-f', 'users', '--path', 'test/fixtures/msk-users.json'], { cwd: dir, env: { CLICKHOUSE_URL: 'not-a-url' } });
      // serverless.yml takes clickhouseUrl from CLICKHOUSE_URL: the stage parameters refuse it first.
      expect(expectOneErrorLine(outcome)).toMatch(/^error: stage parameter clickhouseUrl must be an http\(s\) URL .*\(got "not-a-url"\).*takes it from CLICKHOUSE_URL/);
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npx sls offline start exits with one line naming the variable when no broker answers', async () => {
    const dir = isolatedService();
    try {
      // Port 0: the emulator must give up before serverless-offline's own servers matter.
      const outcome = await run([SLS, 'offline', 'start', '--httpPort', '0', '--lambdaPort', '0', '--websocketPort', '0'], { cwd: dir, env: { KAFKA_BROKERS: '127.0.0.1:1' } });
      expect(expectOneErrorLine(outcome)).toMatch(/^error: cannot reach Kafka at 127\.0\.0\.1:1 \(KAFKA_BROKERS\): connection refused\./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const COMMANDS = [
  ['npm run migrate', 'infra/clickhouse/migrate-cli.ts', []],
  ['npm run stack:up', 'infra/local/stack-cli.ts', ['up']],
  ['npm run producer', 'infra/cli/producer-cli.ts', []],
  ['npm run consumer', 'infra/cli/consumer-cli.ts', []],
  ['npm run seed', 'infra/cli/seed-cli.ts', []],
  ['npm run dlq', 'infra/cli/dlq-cli.ts', ['inspect']],
  ['npm start', 'infra/demo/start.ts', []],
  ['npm run bench', 'test/bench/run-bench.ts', []],
] as const;

// Unreachable servers: a command that ran anyway would fail instead of printing its usage.
const UNREACHABLE = { CLICKHOUSE_URL: 'http://127.0.0.1:1', KAFKA_BROKERS: '127.0.0.1:1' };


describe('--help on every command prints the usage and runs nothing', () => {
  it.each(COMMANDS)('%s -- --help', async (_command, script, words) => {
    const outcome = await tsx(script, [...words, '--help'], { env: UNREACHABLE });
    expect({ code: outcome.code, stderr: outcome.stderr }).toEqual({ code: 0, stderr: '' });
    expect(outcome.stdout).toMatch(/^usage: /);
  });
});

describe('npm run dlq -- replay --file names the file and what is wrong with it', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'replay-file-'));
    writeFileSync(join(dir, 'empty.jsonl'), '\n\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['missing.jsonl', 'cannot read --file DIR/missing.jsonl: no such file'],
    ['', 'cannot read --file DIR/: is a directory'],
    ['empty.jsonl', '--file DIR/empty.jsonl holds no letters (write the lines of inspect --json you want to replay)'],
  ])('--file DIR/%s', async (name, problem) => {
    const line = expectOneErrorLine(await tsx('infra/cli/dlq-cli.ts', ['replay', '--file', `${dir}/${name}`], { env: UNREACHABLE }));
    expect(line).toBe(`error: ${problem.replace('DIR', dir)}`);
  });
});

describe('a mistake on the command line is one line, worded alike by every command, pointing at --help', () => {
  it.each(COMMANDS)('%s -- --bogus', async (command, script, words) => {
    const line = expectOneErrorLine(await tsx(script, [...words, '--bogus'], { env: UNREACHABLE }));
    expect(line).toBe(`error: unknown option --bogus. See \`${command} -- --help\`.`);
  });

  it.each([
    ['npm run dlq', 'infra/cli/dlq-cli.ts', 'inspect, replay'],
    ['npm run stack:status', 'infra/local/stack-cli.ts', 'up, down, status'],
  ])('%s names the commands it has', async (command, script, commands) => {
    expect(expectOneErrorLine(await tsx(script, ['frob'], { env: UNREACHABLE }))).toBe(`error: unknown command "frob": use ${commands}. See \`${command} -- --help\`.`);
    expect(expectOneErrorLine(await tsx(script, [], { env: UNREACHABLE }))).toBe(`error: no command: use ${commands}. See \`${command} -- --help\`.`);
  });

  it.each([
    ['npm run producer', ['--orders', '10abc'], 'infra/cli/producer-cli.ts', '--orders must be an integer from 0 to 10000000 (got "10abc")'],
    ['npm run producer', ['--users', '1e3'], 'infra/cli/producer-cli.ts', '--users must be an integer from 0 to 10000000 (got "1e3")'],
    ['npm run producer', ['--products=-5'], 'infra/cli/producer-cli.ts', '--products must be an integer from 0 to 10000000 (got "-5")'],
    ['npm run producer', ['--users', '2.5'], 'infra/cli/producer-cli.ts', '--users must be an integer from 0 to 10000000 (got "2.5")'],
    ['npm run producer', ['--invalid-rate', '0.5x'], 'infra/cli/producer-cli.ts', '--invalid-rate must be a number from 0 to 1 (got "0.5x")'],
    ['npm run seed', ['--users', '0x10'], 'infra/cli/seed-cli.ts', '--users must be an integer from 0 to 1000000 (got "0x10")'],
    ['npm run producer', ['--seed', '-1'], 'infra/cli/producer-cli.ts', '--seed needs its value attached when it starts with "-": --seed=-1'],
    ['npm run producer', ['--seed', '--users', '3'], 'infra/cli/producer-cli.ts', '--seed needs a value before --users'],
    ['npm run producer', ['--seed=2147483648'], 'infra/cli/producer-cli.ts', '--seed must be an integer from -2147483648 to 2147483647 (got "2147483648")'],
    ['npm run dlq', ['inspect', '--since', '-3d'], 'infra/cli/dlq-cli.ts', '--since needs its value attached when it starts with "-": --since=-3d'],
    ['npm run dlq', ['inspect', '--offset', '0:99999999999999999999999'], 'infra/cli/dlq-cli.ts', '--offset 0:99999999999999999999999: offset 99999999999999999999999 is beyond the largest Kafka offset (9223372036854775807)'],
    ['npm run stack:up', ['up', '--clickhouse-port', '80abc'], 'infra/local/stack-cli.ts', '--clickhouse-port must be an integer from 0 to 65535 (got "80abc")'],
  ])('%s -- %j is refused before anything runs', async (command, args, script, problem) => {
    expect(expectOneErrorLine(await tsx(script, [...args], { env: UNREACHABLE }))).toBe(`error: ${problem}. See \`${command} -- --help\`.`);
  });
});
