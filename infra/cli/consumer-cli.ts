/**
 * `npm run consumer`: consumes the three topics through the table handlers until Ctrl-C, as the
 * POC's consumer did, with the local event-source emulator (Lambda's batching and retries).
 */
import { join } from 'node:path';
import { getConfig } from '../../lib/config';
import { kafkaClientOptions } from '../../lib/kafka/client';
import { createLogger } from '../../lib/logger';
import { TABLE_NAMES, TOPIC_OF_TABLE } from '../../lib/schemas';
import { migrateDatabase } from '../clickhouse/migrator';
import { CONSUMER_SERVICE, closeTableHandlers, localMappings } from '../demo/local-functions';
import { shutdownSignal } from '../demo/shutdown-signal';
import { PROJECT_ROOT } from '../local/local-stack';
import { KAFKA_BACK_LINE, kafkaLostLine } from '../serverless-offline-kafka/connection-lines';
import { KafkaEventSourceEmulator } from '../serverless-offline-kafka/emulator';
import type { InvocationReport } from '../serverless-offline-kafka/event-source-poller';
import { isRedeliveryMode, REDELIVERY_MODES } from '../serverless-offline-kafka/redelivery';
import { parseCliArgs, runCli, UsageError } from './run-cli';

const USAGE = `usage: npm run consumer -- [--redelivery ${REDELIVERY_MODES.join('|')}]
  Consumes ${TABLE_NAMES.map((t) => TOPIC_OF_TABLE[t]).join(', ')} through the table handlers (consumer groups
  ${CONSUMER_SERVICE}-<table>) until Ctrl-C, one line per invocation. Migrates first. Uses
  KAFKA_BROKERS / CLICKHOUSE_URL (environment, .env, .local/stack.env); handler logs go to logs/.
  --redelivery resplit: a retry after a failed invocation may hold more or fewer records.`;

const time = () => new Date().toTimeString().slice(0, 8);
const where = (r: InvocationReport) => `${time()}  ${r.functionName.padEnd(8)} ${`${r.topic}[${r.partition}]`.padEnd(17)} ${`${r.firstOffset}..${r.lastOffset}`.padEnd(13)}`;

function describeSuccess(r: InvocationReport): string {
  const s = (r.result ?? {}) as Partial<Record<'inserted' | 'skippedDuplicates' | 'sentToDlq', number>>;
  return `${where(r)} ${r.batchSize} record(s): ${s.inserted ?? '?'} inserted, ${s.skippedDuplicates ?? '?'} skipped, ${s.sentToDlq ?? '?'} to DLQ  (${r.durationMs} ms)`;
}

const describeFailure = (r: InvocationReport) => `${where(r)} attempt ${r.attempt} failed, will be delivered again: ${r.error?.message ?? 'unknown error'}`;

runCli(async (argv) => {
  const { values } = parseCliArgs({ args: argv, options: { redelivery: { type: 'string' } } });
  const redelivery = values.redelivery ?? 'identical';
  if (!isRedeliveryMode(redelivery)) throw new UsageError(`--redelivery must be one of ${REDELIVERY_MODES.join(', ')} (got ${JSON.stringify(redelivery)})`);
  const stopped = shutdownSignal();
  // One line per invocation here; the handlers' JSON lines go to logs/ (info and above).
  process.env.LOG_LEVEL ??= 'warn';
  process.env.LOG_DIR ??= join(PROJECT_ROOT, 'logs');
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const config = getConfig();
  const migration = await migrateDatabase(config.clickhouse);
  console.log(`Migrations: ${migration.applied.length} applied, ${migration.alreadyApplied.length} already applied.`);

  const emulator = new KafkaEventSourceEmulator({
    kafka: await kafkaClientOptions(config.kafka),
    mappings: localMappings(CONSUMER_SERVICE, config.kafka.brokers),
    // One line per invocation is printed below; the emulator's JSON lines go to the log files only.
    logger: createLogger({ ...config, logLevel: 'silent' }, { component: 'consumer' }),
    redelivery,
  });
  emulator.on('invoked', (r: InvocationReport) => console.log(describeSuccess(r)));
  emulator.on('failed', (r: InvocationReport) => console.log(describeFailure(r)));
  let kafkaLost = false;
  emulator.on('kafka-lost', (error: Error) => {
    kafkaLost = true;
    console.log(`${time()}  ${kafkaLostLine(config.kafka.brokers, error)}`);
  });
  emulator.on('kafka-back', () => {
    kafkaLost = false;
    console.log(`${time()}  ${KAFKA_BACK_LINE}`);
  });
  const halted = new Promise<Error>((resolve) => emulator.once('halted', resolve));
  console.log(`Joining the consumer groups ${CONSUMER_SERVICE}-{${TABLE_NAMES.join(',')}} at ${config.kafka.brokers.join(',')}…`);
  try {
    await emulator.start();
    console.log('Consuming; Ctrl-C stops.');
    const outcome = await Promise.race([halted, new Promise<void>((resolve) => (stopped.aborted ? resolve() : stopped.addEventListener('abort', () => resolve(), { once: true })))]);
    if (outcome instanceof Error) throw outcome;
  } finally {
    await emulator.stop();
    await closeTableHandlers();
  }
  // Leaving a group needs its coordinator: without Kafka the groups only expire (the session timeout).
  console.log(kafkaLost ? 'Stopped; Kafka was unreachable, so the consumer groups were not left (they expire on their own).' : 'Stopped; left the consumer groups.');
}, { command: 'npm run consumer', usage: USAGE });
