import type { ClickHouseClient } from '@clickhouse/client';
import { Kafka } from 'kafkajs';
import type { Config } from '../../lib/config';
import { createProducer, kafkaClientOptions } from '../../lib/kafka/client';
import { fetchEndOffsets } from '../../lib/kafka/topic-offsets';
import type { PipelineLogger } from '../../lib/ports';
import { generateSampleData, type SampleDataOptions } from '../../lib/producer/sample-data';
import { sendSampleData, type TopicSummary } from '../../lib/producer/send-sample-data';
import { TABLE_NAMES, TOPIC_OF_TABLE, type TableName } from '../../lib/schemas';
import { KafkaEventSourceEmulator } from '../serverless-offline-kafka/emulator';
import { stoppedPartitionsError } from '../serverless-offline-kafka/errors';
import type { CommitReport, InvocationReport } from '../serverless-offline-kafka/event-source-poller';
import type { RedeliveryMode } from '../serverless-offline-kafka/redelivery';
import { DEMO_SERVICE, localMappings } from './local-functions';
import { accountForTable, shortfall, totals, type HandlerFigures, type DeliveredBatch, type RunRange, type TableAccount } from './run-accounting';

export interface TableReport extends TableAccount {
  /** Distinct ids in the table after the run (all runs so far). */
  readonly rowsInClickHouse: number;
}

export interface DemoResult {
  readonly tables: readonly TableReport[];
  /** What the demo consumed before producing: records other runs or producers had left unconsumed. */
  readonly backlog: HandlerFigures;
  /** One line per table whose records are not all accounted for; empty when all are. */
  readonly problems: readonly string[];
  readonly dlqMessages: number;
  readonly elapsedMs: number;
}

export type DemoStep = 'joining' | 'backlog' | 'producing' | 'consuming';

export interface DemoOptions {
  readonly config: Config;
  readonly clickhouse: ClickHouseClient;
  readonly sample: SampleDataOptions;
  readonly logger: PipelineLogger;
  /** Fail when no record is accounted for during this long (default 60 s). */
  readonly stallTimeoutMs?: number;
  readonly redelivery?: RedeliveryMode;
  /** Called when a step starts and as records are accounted for (`total` 0: nothing to count). */
  readonly onProgress?: (step: DemoStep, done: number, total: number) => void;
  /** Aborting stops waiting; the emulator still leaves its groups. */
  readonly signal?: AbortSignal;
}

type Offsets = Map<string, bigint>;

const TOPICS = TABLE_NAMES.map((t) => TOPIC_OF_TABLE[t]);

async function endOffsets(kafka: Kafka, topics: readonly string[]): Promise<Offsets> {
  const result: Offsets = new Map();
  for (const topic of topics) for (const [partition, end] of await fetchEndOffsets(kafka, topic)) result.set(`${topic}/${partition}`, end);
  return result;
}

const toBatch = ({ invocation: r }: CommitReport): DeliveredBatch => {
  // The handler's BatchSummary; anything else counts as nothing and shows up as a shortfall.
  const figures = (r.result ?? {}) as Partial<HandlerFigures>;
  return {
    topic: r.topic,
    partition: r.partition,
    firstOffset: BigInt(r.firstOffset),
    lastOffset: BigInt(r.lastOffset),
    received: figures.received ?? 0,
    inserted: figures.inserted ?? 0,
    skippedDuplicates: figures.skippedDuplicates ?? 0,
    sentToDlq: figures.sentToDlq ?? 0,
  };
};

/**
 * Produces sample data and consumes it through the real handlers via the event-source emulator,
 * then accounts for this run's records only: the offsets its topics gained while it produced.
 * Records already waiting in the topics are consumed first and reported apart (`backlog`). Fails
 * fast when a partition stops (an offset outside the log) or nothing moves for a while.
 */
export async function runPipelineDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const { config, clickhouse } = options;
  const progress = options.onProgress ?? (() => undefined);
  const clientOptions = await kafkaClientOptions(config.kafka);
  const kafka = new Kafka(clientOptions);
  const records = generateSampleData(options.sample);
  const emulator = new KafkaEventSourceEmulator({
    kafka: clientOptions,
    logger: options.logger,
    redelivery: options.redelivery,
    mappings: localMappings(DEMO_SERVICE, config.kafka.brokers),
  });
  const commits: DeliveredBatch[] = [];
  const stopped: Error[] = [];
  emulator.on('committed', (c: CommitReport) => commits.push(toBatch(c))).on('halted', (e: Error) => stopped.push(e));
  const waiting = { emulator, stopped, progress, signal: options.signal, stallTimeoutMs: options.stallTimeoutMs ?? 60_000 };

  let before: Offsets;
  let after: Offsets;
  let produced: TopicSummary[];
  try {
    progress('joining', 0, 0);
    await emulator.start();
    before = await endOffsets(kafka, TOPICS);
    await waitUntilCommitted(waiting, 'backlog', emulator.committedOffsets(), before);
    progress('producing', 0, records.length);
    const producer = await createProducer(config.kafka);
    await producer.connect();
    try {
      produced = await sendSampleData(producer, records, { onProgress: (done, total) => progress('producing', done, total) });
    } finally {
      await producer.disconnect();
    }
    after = await endOffsets(kafka, TOPICS);
    await waitUntilCommitted(waiting, 'consuming', before, after);
  } catch (error) {
    // A partition may stop while nothing waits (e.g. while producing); name every one that did.
    throw stopped.length > 0 ? stoppedPartitionsError(stopped) : error;
  } finally {
    await emulator.stop();
  }

  const tables: TableReport[] = [];
  for (const table of TABLE_NAMES) {
    const topic = TOPIC_OF_TABLE[table];
    const ranges: RunRange[] = [...after]
      .filter(([key]) => key.startsWith(`${topic}/`))
      .map(([key, to]) => ({ topic, partition: Number(key.slice(topic.length + 1)), from: before.get(key) ?? 0n, to }));
    const account = accountForTable(table, produced.find((p) => p.table === table)?.sent ?? 0, ranges, commits);
    tables.push({ ...account, rowsInClickHouse: await distinctIds(clickhouse, table) });
  }
  const backlog = totals(commits.filter((b) => b.lastOffset < (before.get(`${b.topic}/${b.partition}`) ?? 0n)));
  const dlqMessages = [...(await endOffsets(kafka, [config.dlqTopic])).values()].reduce((a, b) => a + b, 0n);
  const problems = tables.map(shortfall).filter((line): line is string => line !== undefined);
  return { tables, backlog, problems, dlqMessages: Number(dlqMessages), elapsedMs: Date.now() - started };
}

interface Waiting {
  readonly emulator: KafkaEventSourceEmulator;
  /** Partitions stopped so far (offset out of range): waiting fails at the first. */
  readonly stopped: readonly Error[];
  readonly progress: (step: DemoStep, done: number, total: number) => void;
  readonly signal?: AbortSignal;
  readonly stallTimeoutMs: number;
}

/**
 * Resolves once every partition's committed offset reached `to`; reports progress from `from`.
 * Rejects when a partition has stopped, nothing is committed within the stall timeout, or
 * `signal` aborts.
 */
function waitUntilCommitted({ emulator, stopped, progress, signal, stallTimeoutMs }: Waiting, step: DemoStep, from: Offsets, to: Offsets): Promise<void> {
  const total = [...to].reduce((n, [key, end]) => n + Number(end - (from.get(key) ?? 0n)), 0);
  let lastFailure: InvocationReport | undefined;
  let done = -1;
  let movedAt = Date.now();
  return new Promise<void>((resolve, reject) => {
    const check = () => {
      const committed = emulator.committedOffsets();
      const now = [...to].reduce((n, [key, end]) => {
        const start = from.get(key) ?? 0n;
        const at = committed.get(key) ?? start;
        return n + Number((at < end ? at : end) - (at > start ? start : at));
      }, 0);
      if (now !== done) movedAt = Date.now();
      done = now;
      progress(step, done, total);
      if (stopped.length > 0) finish(stopped[0]);
      else if ([...to].every(([key, end]) => end === 0n || (committed.get(key) ?? -1n) >= end)) finish();
      else if (Date.now() - movedAt > stallTimeoutMs) finish(new Error(`nothing was consumed for ${stallTimeoutMs / 1000} s: ${describeLag(committed, to)}${lastFailure ? `; the last invocation (${lastFailure.functionName}, ${lastFailure.topic}[${lastFailure.partition}] attempt ${lastFailure.attempt}) failed: ${lastFailure.error?.message}` : ''}`));
    };
    const onFailed = (report: InvocationReport) => (lastFailure = report);
    const onAbort = () => finish(signal?.reason instanceof Error ? signal.reason : new Error('interrupted'));
    const timer = setInterval(check, 1_000);
    const finish = (error?: Error) => {
      clearInterval(timer);
      emulator.off('committed', check).off('failed', onFailed).off('halted', check);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    emulator.on('committed', check).on('failed', onFailed).on('halted', check);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}

const describeLag = (committed: Offsets, targets: Offsets): string =>
  [...targets]
    .filter(([key, target]) => (committed.get(key) ?? 0n) < target)
    .map(([key, target]) => `${key.replace('/', '[')}] at ${committed.get(key) ?? 'no committed offset'} of ${target}`)
    .join(', ');

async function distinctIds(clickhouse: ClickHouseClient, table: TableName): Promise<number> {
  const [row] = await (await clickhouse.query({ query: `SELECT uniqExact(id) AS n FROM ${table}`, format: 'JSONEachRow' })).json<{ n: string }>();
  return Number(row?.n ?? 0);
}
