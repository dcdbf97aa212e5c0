import type { Kafka } from 'kafkajs';
import { KafkaApiKey } from '../../infra/local/local-stack';
import { KafkaEventSourceEmulator } from '../../infra/serverless-offline-kafka/emulator';
import { OffsetOutOfRangeError } from '../../infra/serverless-offline-kafka/errors';
import type { CommitReport, EventSourceMappingDefinition, InvocationReport } from '../../infra/serverless-offline-kafka/event-source-poller';
import { silentLogger } from '../support/fakes';
import { startTestStack, testProducer, type TestStack } from '../support/test-stack';

/** Kafka's OFFSET_OUT_OF_RANGE error code. */
const OFFSET_OUT_OF_RANGE = 1;

const mapping = (ts: TestStack, topic: string, groupId: string, handler: EventSourceMappingDefinition['handler']): EventSourceMappingDefinition => ({
  functionName: 'orders', handler, topic, batchSize: 100, maximumBatchingWindowSeconds: 0.1,
  startingPosition: 'TRIM_HORIZON', consumerGroupId: groupId, enabled: true,
  source: { kind: 'kafka', bootstrapServers: ts.stack.kafkaBrokers },
});

async function committedOffsets(kafka: Kafka, groupId: string, topic: string): Promise<Record<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [group] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries(group!.partitions.map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

async function produce(ts: TestStack, topic: string, perPartition: number, partitions: number[]) {
  const producer = await testProducer(ts.kafka);
  await producer.send({ topic, acks: -1, messages: partitions.flatMap((partition) => Array.from({ length: perPartition }, (_, i) => ({ value: `v${i}`, partition }))) });
  await producer.disconnect();
}

/** Resolves once every listed partition's committed offset reached `offset`. */
const committedTo = (emulator: KafkaEventSourceEmulator, partitions: number[], offset: string) =>
  new Promise<void>((resolve) => {
    const reached = new Set<number>();
    const onCommit = (c: CommitReport) => {
      if (partitions.includes(c.partition) && BigInt(c.offset) >= BigInt(offset)) reached.add(c.partition);
      if (reached.size === partitions.length) {
        emulator.off('committed', onCommit);
        resolve();
      }
    };
    emulator.on('committed', onCommit);
  });

describe('the Kafka event-source emulator and offsets outside the log', () => {
  let ts: TestStack;

  beforeAll(async () => {
    ts = await startTestStack();
  });

  afterAll(() => ts.stop());

  it('refuses to start when a committed offset lies beyond the end of the log, and keeps that offset', async () => {
    // Prepare: 5 records, and the group's offset committed far beyond them by another member.
    await produce(ts, 'users-topic', 5, [0]);
    const groupId = 'emulator-beyond-end';
    const other = ts.kafka.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 1_000 });
    await other.connect();
    await other.subscribe({ topic: 'users-topic' });
    await other.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    // Paused first: fetching at 1000 would make kafkajs itself reset the offset it just committed.
    other.pause([{ topic: 'users-topic' }]);
    await other.commitOffsets([{ topic: 'users-topic', partition: 0, offset: '1000' }]);
    await other.disconnect();
    const handler = jest.fn(async () => 'ok');
    const emulator = new KafkaEventSourceEmulator({ kafka: ts.kafkaOptions, logger: silentLogger, mappings: [mapping(ts, 'users-topic', groupId, handler)] });
    // Act
    const started = emulator.start();
    started.then(() => emulator.stop(), () => undefined);
    // Assess
    await expect(started).rejects.toThrow(OffsetOutOfRangeError);
    await expect(started).rejects.toMatchObject({ details: { topic: 'users-topic', partition: 0, groupId, expected: 1000n, logEnd: 5n } });
    await expect(started).rejects.toThrow('users-topic[0] (consumer group emulator-beyond-end): the committed offset 1000 is beyond the end of the log (5)');
    expect(handler).not.toHaveBeenCalled();
    expect((await committedOffsets(ts.kafka, groupId, 'users-topic'))[0]).toBe('1000');
  });

  it('stops a partition the broker calls out of range while polling, keeps its committed offset, and goes on with the others', async () => {
    // Prepare: 3 records on each partition, consumed and committed.
    const groupId = 'emulator-out-of-range-while-polling';
    const delivered: InvocationReport[] = [];
    const emulator = new KafkaEventSourceEmulator({ kafka: ts.kafkaOptions, logger: silentLogger, mappings: [mapping(ts, 'orders-topic', groupId, async () => 'ok')] });
    emulator.on('invoked', (r: InvocationReport) => delivered.push(r));
    const halted = new Promise<Error>((resolve) => emulator.once('halted', resolve));
    await emulator.start();
    const firstRound = committedTo(emulator, [0, 1, 2], '3');
    await produce(ts, 'orders-topic', 3, [0, 1, 2]);
    await firstRound;
    // Act: the next fetch is answered OFFSET_OUT_OF_RANGE, as when records vanish from the log.
    await ts.stack.pushKafkaRequestErrors(KafkaApiKey.Fetch, [OFFSET_OUT_OF_RANGE]);
    const error = await halted;
    const stopped = (error as OffsetOutOfRangeError).details.partition;
    const others = [0, 1, 2].filter((p) => p !== stopped);
    const deliveredBefore = delivered.length;
    const secondRound = committedTo(emulator, others, '5');
    await produce(ts, 'orders-topic', 2, [0, 1, 2]);
    await secondRound;
    await emulator.stop();
    // Assess
    expect(error).toBeInstanceOf(OffsetOutOfRangeError);
    // Caught by either guard: kafkajs's reset intercepted, or the fetch that went back to 0 (under load
    // the second can win); both stop the partition at its committed offset.
    expect((error as OffsetOutOfRangeError).details).toMatchObject({ groupId, topic: 'orders-topic', partition: stopped, expected: 3n, logStart: 0n, logEnd: 3n });
    expect(error.message).toMatch(new RegExp(`orders-topic\\[${stopped}\\] \\(consumer group ${groupId}\\): (the broker answered "offset out of range" for offset 3|the client went back from offset 3 to 0)`));
    expect(delivered.slice(deliveredBefore).map((r) => r.partition).sort()).toEqual(others);
    expect(await committedOffsets(ts.kafka, groupId, 'orders-topic')).toEqual({ [stopped]: '3', [others[0]!]: '5', [others[1]!]: '5' });
  });

  it('stops a partition whose client went back to an earlier offset, and puts the committed offset back', async () => {
    // Prepare: kafkajs's own reset left in place (its log hook silenced), so the client commits
    // the earliest offset and fetches from there; the emulator must notice from the offsets alone.
    const groupId = 'emulator-client-went-back';
    process.env.KAFKAJS_LOG_LEVEL = 'nothing';
    const emulator = new KafkaEventSourceEmulator({ kafka: ts.kafkaOptions, logger: silentLogger, mappings: [mapping(ts, 'products-topic', groupId, async () => 'ok')] });
    delete process.env.KAFKAJS_LOG_LEVEL;
    const halted = new Promise<Error>((resolve) => emulator.once('halted', resolve));
    await emulator.start();
    const firstRound = committedTo(emulator, [0, 1, 2], '4');
    await produce(ts, 'products-topic', 4, [0, 1, 2]);
    await firstRound;
    // Act
    await ts.stack.pushKafkaRequestErrors(KafkaApiKey.Fetch, [OFFSET_OUT_OF_RANGE]);
    const error = await halted;
    await emulator.stop();
    // Assess
    const stopped = (error as OffsetOutOfRangeError).details.partition;
    expect((error as OffsetOutOfRangeError).details).toEqual({ groupId, topic: 'products-topic', partition: stopped, expected: 4n, fetched: 0n, logStart: 0n, logEnd: 4n });
    expect(error.message).toContain('the client went back from offset 4 to 0');
    expect((await committedOffsets(ts.kafka, groupId, 'products-topic'))[stopped]).toBe('4');
  });
});
