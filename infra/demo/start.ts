/**
 * `npm start`: the one-command demo. Uses the stack of KAFKA_BROKERS / CLICKHOUSE_URL when set,
 * else brings up the local stack; migrates; produces sample data; consumes it through the real
 * handlers via the local event-source emulator; prints what this run's records became, and fails
 * when any of them is not accounted for.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createClickHouseClient } from '../../lib/clickhouse/client';
import { getConfig } from '../../lib/config';
import { resolveEnvironment } from '../../lib/environment';
import { createLogger } from '../../lib/logger';
import { TABLE_NAMES } from '../../lib/schemas';
import { migrateDatabase } from '../clickhouse/migrator';
import { parseCliArgs, runCli } from '../cli/run-cli';
import { PROJECT_ROOT } from '../local/local-stack';
import { ensureLocalStack } from '../local/stack-control';
import { OffsetOutOfRangeError } from '../serverless-offline-kafka/errors';
import { closeTableHandlers } from './local-functions';
import { runPipelineDemo, type DemoStep } from './pipeline-demo';
import { ProgressLine } from './progress-line';
import { shutdownSignal } from './shutdown-signal';

const USAGE = `usage: npm start
  Produces sample data (PRODUCER_USERS_COUNT, PRODUCER_PRODUCTS_COUNT, PRODUCER_ORDERS_COUNT,
  PRODUCER_INVALID_RATE, PRODUCER_SEED), consumes it through the handlers and prints what became
  of this run's records. Uses KAFKA_BROKERS / CLICKHOUSE_URL when set, else the local stack.`;

const STEPS: Record<DemoStep, string> = {
  joining: `Joining the consumer groups of ${TABLE_NAMES.join(', ')}…`,
  backlog: 'Consuming records left in the topics before this run',
  producing: 'Producing',
  consuming: 'Consuming through the handlers',
};

/** The log files this run can point at: only those that exist (error.log appears with the first error). */
function handlerLogs(logDir: string | undefined): string {
  if (!logDir) return 'none (LOG_DIR is empty)';
  const names = ['combined', 'error', ...TABLE_NAMES].map((name) => `${name}.log`).filter((file) => existsSync(join(logDir, file)));
  const dir = relative(process.cwd(), logDir) || '.';
  if (names.length === 0) return `none written in ${dir}`;
  return names.length === 1 ? `${dir}/${names[0]}` : `${dir}/{${names.join(',')}}`;
}

runCli(async (argv) => {
  parseCliArgs({ args: argv, options: {} });
  // The demo prints a summary; the handlers' JSON lines go to logs/ (info and above) instead.
  // Defaults for the demo only where the user set nothing (environment or .env); a stack the user
  // named (environment or .env) is used as is, else the local stack.
  const { origins } = resolveEnvironment();
  const userSet = (name: string): boolean => origins[name] !== undefined && origins[name]!.source !== '.local/stack.env';
  if (!userSet('LOG_LEVEL')) process.env.LOG_LEVEL = 'warn';
  if (origins.LOG_DIR === undefined) process.env.LOG_DIR = join(PROJECT_ROOT, 'logs');
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const ownStack = !(userSet('KAFKA_BROKERS') || userSet('CLICKHOUSE_URL'));
  if (!ownStack) {
    console.log('Using the stack named by KAFKA_BROKERS / CLICKHOUSE_URL.');
  } else {
    const { state, alreadyRunning, staleReason } = await ensureLocalStack();
    if (staleReason) console.log(`Ignored stale state: ${staleReason}; removed it.`);
    console.log(`${alreadyRunning ? 'Using the running' : 'Started the'} local stack: Kafka ${state.kafkaBrokers}, ClickHouse ${state.clickhouseUrl}`);
  }
  const config = getConfig();
  const migration = await migrateDatabase(config.clickhouse);
  console.log(`Migrations: ${migration.applied.length} applied, ${migration.alreadyApplied.length} already applied.`);
  const { users, products, orders, invalidRate, seed } = config.producer;
  console.log(`Producing ${users} users, ${products} products, ${orders} orders (invalid rate ${invalidRate}) and consuming them through the handlers…`);

  const clickhouse = await createClickHouseClient(config.clickhouse);
  const line = new ProgressLine();
  try {
    const result = await runPipelineDemo({
      config,
      clickhouse,
      sample: { users, products, orders, invalidRate, seed },
      // The emulator's lines go to the log files only: the progress line and the summary say it.
      logger: createLogger({ ...config, logLevel: 'silent' }, { component: 'demo' }),
      signal: shutdownSignal(),
      onProgress: (step, done, total) => (step === 'backlog' && total === 0 ? undefined : line.update(STEPS[step], done, total)),
    })
      .catch((error: Error) => {
        const lost = error instanceof OffsetOutOfRangeError || error.cause instanceof OffsetOutOfRangeError;
        throw lost && ownStack ? new Error(`${error.message} The local stack's Kafka lost them: \`npm run stack:down\` then \`npm start\` begins again with empty topics.`, { cause: error }) : error;
      })
      .finally(() => line.end());
    const { backlog } = result;
    if (backlog.received > 0) {
      console.log(`First consumed ${backlog.received} record(s) left in the topics before this run (inserted ${backlog.inserted}, skipped ${backlog.skippedDuplicates}, sent to DLQ ${backlog.sentToDlq}); they are not counted below.`);
    }
    console.table(
      result.tables.map((t) => ({
        table: t.table,
        produced: t.produced,
        inserted: t.inserted,
        'skipped (duplicate)': t.skippedDuplicates,
        'sent to DLQ': t.sentToDlq,
        'rows in ClickHouse': t.rowsInClickHouse,
      })),
    );
    for (const t of result.tables.filter((t) => t.others > 0)) {
      console.log(`${t.table}: ${t.others} record(s) another producer wrote meanwhile were in the same batches and are counted too.`);
    }
    if (result.problems.length > 0) throw new Error(result.problems.join('; '));
    const total = result.tables.reduce((n, t) => n + t.produced, 0);
    console.log(`All ${total} records of this run are accounted for (inserted + skipped + sent to DLQ = produced). ${config.dlqTopic} holds ${result.dlqMessages} dead letters in all.`);
    console.log(`Handler logs: ${handlerLogs(config.logDir)}. Done in ${(result.elapsedMs / 1000).toFixed(1)} s.`);
  } finally {
    await closeTableHandlers();
    await clickhouse.close();
  }
}, { command: 'npm start', usage: USAGE });
