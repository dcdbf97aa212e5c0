/** `npm run seed`: initial sample rows in ClickHouse, through the table handlers. */
import { join } from 'node:path';
import { getConfig } from '../../lib/config';
import { migrateDatabase } from '../clickhouse/migrator';
import { closeTableHandlers } from '../demo/local-functions';
import { SEED_TOPIC, seedTables } from '../demo/seed';
import { PROJECT_ROOT } from '../local/local-stack';
import { handlerLoader } from '../serverless-offline-kafka/plugin-core';
import { integerOption, SEED_RANGE } from './number-options';
import { parseCliArgs, runCli } from './run-cli';

const USAGE = `usage: npm run seed -- [--users N] [--products N] [--orders N] [--seed N]
  Migrates, then writes sample rows into ClickHouse through the table handlers (validation and
  idempotency as for Kafka records; the rows carry kafka_topic '${SEED_TOPIC}'). Counts default to
  PRODUCER_*_COUNT, the seed to PRODUCER_SEED or 1: running it twice with the same seed adds nothing.`;

const COUNT = { min: 0, max: 1_000_000 };

runCli(async (argv) => {
  const { values } = parseCliArgs({ args: argv, options: { users: { type: 'string' }, products: { type: 'string' }, orders: { type: 'string' }, seed: { type: 'string' } } });
  // Checked before anything runs: a typo must not migrate first and fail after.
  const flags = {
    users: integerOption('users', values.users, COUNT),
    products: integerOption('products', values.products, COUNT),
    orders: integerOption('orders', values.orders, COUNT),
    seed: integerOption('seed', values.seed, SEED_RANGE),
  };
  process.env.LOG_LEVEL ??= 'warn';
  process.env.LOG_DIR ??= join(PROJECT_ROOT, 'logs');
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const config = getConfig();
  const p = config.producer;
  const options = {
    users: flags.users ?? p.users,
    products: flags.products ?? p.products,
    orders: flags.orders ?? p.orders,
    seed: flags.seed ?? p.seed ?? 1,
  };
  const migration = await migrateDatabase(config.clickhouse);
  console.log(`Migrations: ${migration.applied.length} applied, ${migration.alreadyApplied.length} already applied.`);
  const load = handlerLoader(PROJECT_ROOT);
  try {
    const reports = await seedTables(options, (table) => load(`functions/${table}.handler`));
    console.table(reports.map((r) => ({ table: r.table, records: r.records, inserted: r.inserted, 'skipped (duplicate)': r.skippedDuplicates, 'sent to DLQ': r.sentToDlq })));
    console.log(`Seeded ${config.clickhouse.database} with seed ${options.seed}${reports.every((r) => r.inserted === 0) ? ' (all already there)' : ''}.`);
  } finally {
    await closeTableHandlers();
  }
}, { command: 'npm run seed', usage: USAGE });
