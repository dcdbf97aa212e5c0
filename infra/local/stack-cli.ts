import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_ENV_FILE } from '../../lib/config';
import { runCli } from '../cli/run-cli';
import { PROJECT_ROOT, startLocalStack } from './local-stack';

const LOCAL_DIR = join(PROJECT_ROOT, '.local');
const STATE_FILE = join(LOCAL_DIR, 'stack.json');
const ENV_FILE = join(PROJECT_ROOT, STACK_ENV_FILE);

interface StackState {
  readonly pid: number;
  readonly kafkaBrokers: string;
  readonly clickhouseUrl: string;
  readonly startedAt: string;
}

const USAGE = 'usage: stack-cli up [--clickhouse-port N] | down | status';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const readState = (): StackState | undefined => {
  if (!existsSync(STATE_FILE)) return undefined;
  const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as StackState;
  return isAlive(state.pid) ? state : undefined;
};

async function isServing(state: StackState): Promise<boolean> {
  try {
    return (await fetch(`${state.clickhouseUrl}/ping`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

function printEnv(state: StackState): void {
  console.log(`Kafka brokers:  ${state.kafkaBrokers}`);
  console.log(`ClickHouse:     ${state.clickhouseUrl}`);
  console.log(`Environment:    ${ENV_FILE} (every command reads it; or: set -a; . ${STACK_ENV_FILE}; set +a)`);
}

async function up(args: string[]): Promise<void> {
  const running = readState();
  if (running && (await isServing(running))) {
    console.log(`Local stack already running (pid ${running.pid}, since ${running.startedAt}).`);
    printEnv(running);
    return;
  }
  if (running) process.kill(running.pid, 'SIGKILL');
  const portFlag = args.indexOf('--clickhouse-port');
  const portText = portFlag >= 0 ? args[portFlag + 1] : process.env.LOCAL_CLICKHOUSE_PORT;
  const clickhousePort = portText === undefined ? 0 : Number(portText);
  if (!Number.isInteger(clickhousePort) || clickhousePort < 0 || clickhousePort > 65535) {
    throw new Error(`--clickhouse-port must be a port number (got ${JSON.stringify(portText)})`);
  }
  // The stack serves the credentials of the environment (not of an old .local/stack.env).
  const env = process.env;
  const user = env.CLICKHOUSE_USER || 'default';
  const password = env.CLICKHOUSE_PASSWORD ?? '';
  mkdirSync(LOCAL_DIR, { recursive: true });
  const stack = await startLocalStack({
    dataDir: join(LOCAL_DIR, 'clickhouse'),
    clickhousePort,
    clickhouseUser: user,
    clickhousePassword: password,
    detached: true,
    logFile: join(LOCAL_DIR, 'stack.log'),
  });
  stack.release();
  const state: StackState = { pid: stack.pid, kafkaBrokers: stack.kafkaBrokers, clickhouseUrl: stack.clickhouseUrl, startedAt: new Date().toISOString() };
  writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
  writeFileSync(
    ENV_FILE,
    [
      '# Written by `npm run stack:up`; removed by `npm run stack:down`.',
      `KAFKA_BROKERS=${state.kafkaBrokers}`,
      // The mock broker reports no controller, which kafkajs's idempotent producer needs.
      'KAFKA_IDEMPOTENT=false',
      `CLICKHOUSE_URL=${state.clickhouseUrl}`,
      `CLICKHOUSE_DB=${env.CLICKHOUSE_DB || 'test'}`,
      `CLICKHOUSE_USER=${user}`,
      `CLICKHOUSE_PASSWORD=${password}`,
      '',
    ].join('\n'),
  );
  console.log(`Local stack started (pid ${state.pid}).`);
  printEnv(state);
}

async function down(): Promise<void> {
  const state = readState();
  if (state) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (isAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
    console.log(`Local stack stopped (pid ${state.pid}). ClickHouse data stays in .local/clickhouse.`);
  } else {
    console.log('No local stack is running.');
  }
  rmSync(STATE_FILE, { force: true });
  rmSync(ENV_FILE, { force: true });
}

async function status(): Promise<void> {
  const state = readState();
  if (!state) {
    console.log('No local stack is running. Start one with `npm run stack:up`.');
    process.exitCode = 3;
    return;
  }
  console.log(`Local stack running (pid ${state.pid}, since ${state.startedAt}), ClickHouse ${(await isServing(state)) ? 'answering' : 'NOT answering'}.`);
  printEnv(state);
}

runCli(async (argv) => {
  const [command, ...args] = argv;
  if (command === 'up') return up(args);
  if (command === 'down') return down();
  if (command === 'status') return status();
  throw new Error(command ? `unknown command "${command}"; ${USAGE}` : USAGE);
});
