import type { ParseArgsConfig } from 'node:util';
import { STACK_ENV_FILE } from '../../lib/config';
import { integerOption } from '../cli/number-options';
import { commandOf, parseCliArgs, runCli, UsageError } from '../cli/run-cli';
import { ensureLocalStack, LOCAL_DIR, stackStatus, stopLocalStack, type StackDirOptions, type StackState } from './stack-control';
import { displayPath, stackPaths } from './stack-state';

const COMMANDS = {
  up: 'npm run stack:up [-- --clickhouse-port N]',
  down: 'npm run stack:down',
  status: 'npm run stack:status',
} as const;
type Command = keyof typeof COMMANDS;
const isCommand = (name: string | undefined): name is Command => name !== undefined && Object.hasOwn(COMMANDS, name);

/** `stack:status` exit status when no stack runs (stale state included), so scripts can branch on it. */
const NOT_RUNNING = 3;

const USAGE = `usage: ${Object.values(COMMANDS).join(' | ')}

The local stack: a Kafka mock cluster and an embedded ClickHouse in one background process.
stack:up starts it (or reports the running one; a second stack:up at the same time waits for the
first) and writes ${STACK_ENV_FILE}, which every command reads; stack:down stops it (ClickHouse data
stays in .local/clickhouse); stack:status says where it runs and exits ${NOT_RUNNING} when none does.
A .local/stack.json whose process is gone (reboot, kill -9) or unreadable is reported and removed;
its pid is never signalled. LOCAL_STACK_DIR=<dir> keeps these files in another folder.`;

// The stack's files; the environment is read here, at the edge, and nowhere below.
const dirOptions: StackDirOptions = {
  dir: process.env.LOCAL_STACK_DIR || LOCAL_DIR,
  onWait: (pid) => console.log(`Another process (pid ${pid}) is starting or stopping the local stack; waiting for it…`),
};
const paths = stackPaths(dirOptions.dir!);

/** The options of `command`; anything else is a {@link UsageError}. */
function parseOptions(command: Command, args: string[]): { clickhousePort?: string } {
  const options: ParseArgsConfig['options'] = command === 'up' ? { 'clickhouse-port': { type: 'string' } } : {};
  const { values } = parseCliArgs({ args, options, allowPositionals: false, strict: true });
  return { clickhousePort: (values as Record<string, string | undefined>)['clickhouse-port'] };
}

function printEnv(state: StackState): void {
  console.log(`Kafka brokers:  ${state.kafkaBrokers}${state.kafkaMockBrokers ? ` (limits proxy; mock brokers ${state.kafkaMockBrokers})` : ''}`);
  console.log(`ClickHouse:     ${state.clickhouseUrl}`);
  const env = displayPath(paths.envFile);
  // Other commands find only .local/stack.env; a stack kept elsewhere (LOCAL_STACK_DIR) is loaded by hand.
  const readers = dirOptions.dir === LOCAL_DIR ? 'every command reads it; or' : 'other commands read only .local/stack.env: load this one with';
  console.log(`Environment:    ${env} (${readers}: set -a; . ${env}; set +a)`);
}

async function up(portText: string | undefined): Promise<void> {
  const clickhousePort = integerOption('clickhouse-port', portText, { min: 0, max: 65_535 }) ?? 0;
  // The stack serves the credentials of the environment (not of an old .local/stack.env).
  const { state, alreadyRunning, staleReason } = await ensureLocalStack({
    ...dirOptions,
    clickhousePort,
    clickhouseUser: process.env.CLICKHOUSE_USER,
    clickhousePassword: process.env.CLICKHOUSE_PASSWORD,
    database: process.env.CLICKHOUSE_DB,
  });
  if (staleReason) console.log(`Ignored stale state: ${staleReason}; removed it.`);
  console.log(alreadyRunning ? `Local stack already running (pid ${state.pid}, since ${state.startedAt}).` : `Local stack started (pid ${state.pid}).`);
  printEnv(state);
}

async function down(): Promise<void> {
  const { stopped, staleReason } = await stopLocalStack(dirOptions);
  if (stopped) {
    console.log(`Local stack stopped (pid ${stopped.pid}). ClickHouse data stays in ${displayPath(paths.dataDir)}; Kafka's topics are gone (the mock keeps them in memory).`);
  } else if (staleReason) {
    console.log(`No local stack is running: ${staleReason}; removed the stale files and signalled no process.`);
  } else {
    console.log('No local stack is running.');
  }
}

async function status(): Promise<void> {
  const found = await stackStatus(dirOptions);
  if (found.status === 'running') {
    console.log(`Local stack running (pid ${found.state.pid}, since ${found.state.startedAt}), ClickHouse ${found.serving ? 'answering' : 'NOT answering'}.`);
    printEnv(found.state);
    return;
  }
  process.exitCode = NOT_RUNNING;
  if (found.status === 'starting') {
    console.log(`The local stack is being started or stopped by another process (pid ${found.ownerPid}); run \`npm run stack:status\` again in a moment.`);
  } else if (found.status === 'stale') {
    console.log(`No local stack is running: ${found.reason}; removed the stale files. Start one with \`npm run stack:up\`.`);
  } else {
    console.log('No local stack is running. Start one with `npm run stack:up`.');
  }
}

const [commandName] = process.argv.slice(2);
runCli(
  async ([word, ...args]) => {
    const command = commandOf(word, Object.keys(COMMANDS) as Command[]);
    const { clickhousePort } = parseOptions(command, args);
    if (command === 'up') return up(clickhousePort ?? process.env.LOCAL_CLICKHOUSE_PORT);
    return command === 'down' ? down() : status();
  },
  { command: isCommand(commandName) ? `npm run stack:${commandName}` : 'npm run stack:status', usage: USAGE },
);
