import { KafkaEventSourceEmulator } from '../../infra/serverless-offline-kafka/emulator';
import type { InvocationReport } from '../../infra/serverless-offline-kafka/event-source-poller';
import type { LambdaKafkaEvent } from '../../lib/kafka/event';
import { silentLogger } from '../support/fakes';
import { startTestStack, testProducer, type TestStack } from '../support/test-stack';

describe('the Kafka event-source emulator', () => {
  let ts: TestStack;

  beforeAll(async () => {
    ts = await startTestStack();
  });

  afterAll(() => ts.stop());

  it('gives a failing handler the same records until it succeeds, then commits once', async () => {
    // Prepare: 5 records on one partition, and a handler that fails twice.
    const producer = await testProducer(ts.kafka);
    await producer.send({ topic: 'products-topic', acks: -1, messages: [0, 1, 2, 3, 4].map((i) => ({ key: 'same-key', value: `v${i}`, partition: 1 })) });
    await producer.disconnect();
    const events: LambdaKafkaEvent[] = [];
    const handler = jest.fn(async (event: unknown) => {
      events.push(event as LambdaKafkaEvent);
      if (events.length <= 2) throw new Error(`simulated failure ${events.length}`);
      return 'ok';
    });
    const emulator = new KafkaEventSourceEmulator({
      kafka: ts.kafkaOptions,
      logger: silentLogger,
      retry: { initialBackoffMs: 10, maxBackoffMs: 20 },
      mappings: [{
        functionName: 'products', handler, topic: 'products-topic', batchSize: 100, maximumBatchingWindowSeconds: 0.1,
        startingPosition: 'TRIM_HORIZON', consumerGroupId: 'emulator-retry-test', enabled: true,
        source: { kind: 'kafka', bootstrapServers: ts.stack.kafkaBrokers },
      }],
    });
    const failures: InvocationReport[] = [];
    const commits: Array<{ partition: number; offset: string }> = [];
    emulator.on('failed', (r: InvocationReport) => failures.push(r));
    emulator.on('committed', (c) => commits.push(c));
    const succeeded = new Promise<InvocationReport>((resolve) => emulator.once('invoked', resolve));
    const committedOnce = new Promise((resolve) => emulator.once('committed', resolve));
    // Act
    await emulator.start();
    const success = await succeeded;
    await committedOnce;
    await emulator.stop();
    // Assess
    expect(handler).toHaveBeenCalledTimes(3);
    expect(failures.map((f) => f.attempt)).toEqual([1, 2]);
    expect(success.attempt).toBe(3);
    expect(events[1]).toEqual(events[0]);
    expect(events[2]).toEqual(events[0]);
    const records = events[0]!.records['products-topic-1']!;
    expect(records.map((r) => [r.offset, Buffer.from(r.value!, 'base64').toString()])).toEqual([[0, 'v0'], [1, 'v1'], [2, 'v2'], [3, 'v3'], [4, 'v4']]);
    expect(events[0]).toMatchObject({ eventSource: 'SelfManagedKafka', bootstrapServers: ts.stack.kafkaBrokers });
    expect(commits).toEqual([expect.objectContaining({ partition: 1, offset: '5' })]);
    const admin = ts.kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: 'emulator-retry-test', topics: ['products-topic'] });
    await admin.disconnect();
    expect(committed!.partitions.find((p) => p.partition === 1)!.offset).toBe('5');
  });
});
