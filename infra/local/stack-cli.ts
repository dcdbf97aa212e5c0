import { STACK_ENV_FILE } from '../../lib/config';
import { integerOption } from '../cli/number-options';
import { commandOf, parseCliArgs, runCli } from '../cli/run-cli';
import { ENV_FILE, ensureLocalStack, isServing, readStackState, stopLocalStack, type StackState } from './stack-control';

const USAGE = `usage: npm run stack:up [-- --clickhouse-port N] | npm run stack:down | npm run stack:status

The local stack: a Kafka mock cluster and an embedded ClickHouse in one background process.
stack:up starts it (or reports the running one) and writes ${STACK_ENV_FILE}, which every command
reads; stack:down stops it (ClickHouse data stays in .local/clickhouse); stack:status says where it runs.`;

function printEnv(state: StackState): void {
  console.log(`Kafka brokers:  ${state.kafkaBrokers}${state.kafkaMockBrokers ? ` (limits proxy; mock brokers ${state.kafkaMockBrokers})` : ''}`);
  console.log(`ClickHouse:     ${state.clickhouseUrl}`);
  console.log(`Environment:    ${ENV_FILE} (every command reads it; or: set -a; . ${STACK_ENV_FILE}; set +a)`);
}

async function up(args: string[]): Promise<void> {
  const { values } = parseCliArgs({ args, options: { 'clickhouse-port': { type: 'string' } } });
  const clickhousePort = integerOption('clickhouse-port', values['clickhouse-port'] ?? process.env.LOCAL_CLICKHOUSE_PORT, { min: 0, max: 65_535 }) ?? 0;
  // The stack serves the credentials of the environment (not of an old .local/stack.env).
  const { state, alreadyRunning } = await ensureLocalStack({
    clickhousePort,
    clickhouseUser: process.env.CLICKHOUSE_USER,
    clickhousePassword: process.env.CLICKHOUSE_PASSWORD,
    database: process.env.CLICKHOUSE_DB,
  });
  console.log(alreadyRunning ? `Local stack already running (pid ${state.pid}, since ${state.startedAt}).` : `Local stack started (pid ${state.pid}).`);
  printEnv(state);
}

async function down(): Promise<void> {
  const state = await stopLocalStack();
  console.log(
    state
      ? `Local stack stopped (pid ${state.pid}). ClickHouse data stays in .local/clickhouse; Kafka's topics are gone (the mock keeps them in memory).`
      : 'No local stack is running.',
  );
}

async function status(): Promise<void> {
  const state = readStackState();
  if (!state) {
    console.log('No local stack is running. Start one with `npm run stack:up`.');
    process.exitCode = 3;
    return;
  }
  console.log(`Local stack running (pid ${state.pid}, since ${state.startedAt}), ClickHouse ${(await isServing(state)) ? 'answering' : 'NOT answering'}.`);
  printEnv(state);
}

runCli(
  async (argv) => {
    const [word, ...args] = argv;
    const command = commandOf(word, ['up', 'down', 'status'] as const);
    if (command === 'up') return up(args);
    parseCliArgs({ args, options: {} });
    if (command === 'down') return down();
    return status();
  },
  { command: 'npm run stack:status', usage: USAGE },
);
