/**
 * `npm start`: the one-command demo. Uses the stack of KAFKA_BROKERS / CLICKHOUSE_URL when set,
 * else brings up the local stack; migrates; produces sample data; consumes it through the real
 * handlers via the local event-source emulator; prints what ClickHouse and the DLQ hold.
 */
import { createClickHouseClient } from '../../lib/clickhouse/client';
import { getConfig } from '../../lib/config';
import { createKafka } from '../../lib/kafka/client';
import { createLogger } from '../../lib/logger';
import { migrateDatabase } from '../clickhouse/migrator';
import { runCli } from '../cli/run-cli';
import { ensureLocalStack } from '../local/stack-control';
import { closeDemoHandlers, runPipelineDemo } from './pipeline-demo';

const USAGE = `usage: npm start

The one-command demo: brings up the local stack (unless KAFKA_BROKERS / CLICKHOUSE_URL name one),
migrates, produces sample data (PRODUCER_* settings), consumes it through the handlers and prints
what ClickHouse and the DLQ hold.`;

runCli(async () => {
  // A demo shows its summary, not every invocation's JSON log and metrics line.
  process.env.LOG_LEVEL ??= 'warn';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  if (process.env.KAFKA_BROKERS || process.env.CLICKHOUSE_URL) {
    console.log('Using the stack named by KAFKA_BROKERS / CLICKHOUSE_URL.');
  } else {
    const { state, alreadyRunning } = await ensureLocalStack();
    console.log(`${alreadyRunning ? 'Using the running' : 'Started the'} local stack: Kafka ${state.kafkaBrokers}, ClickHouse ${state.clickhouseUrl}`);
  }
  const config = getConfig();
  const migration = await migrateDatabase(config.clickhouse);
  console.log(`Migrations: ${migration.applied.length} applied, ${migration.alreadyApplied.length} already applied.`);
  const { users, products, orders, invalidRate, seed } = config.producer;
  console.log(`Producing ${users} users, ${products} products, ${orders} orders (invalid rate ${invalidRate}) and consuming them through the handlers…`);

  const kafka = await createKafka(config.kafka);
  const clickhouse = await createClickHouseClient(config.clickhouse);
  try {
    const result = await runPipelineDemo({ config, kafka, clickhouse, sample: { users, products, orders, invalidRate, seed }, logger: createLogger(config, { component: 'demo' }) });
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
    console.log(`${config.dlqTopic} holds ${result.dlqMessages} dead letters in all. Done in ${(result.elapsedMs / 1000).toFixed(1)} s.`);
  } finally {
    await closeDemoHandlers();
    await clickhouse.close();
  }
}, { command: 'npm start', usage: USAGE });
