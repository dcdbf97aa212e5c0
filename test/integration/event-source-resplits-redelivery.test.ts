import { KafkaEventSourceEmulator } from '../../infra/serverless-offline-kafka/emulator';
import type { CommitReport } from '../../infra/serverless-offline-kafka/event-source-poller';
import type { LambdaKafkaEvent } from '../../lib/kafka/event';
import { silentLogger } from '../support/fakes';
import { startTestStack, testProducer, type TestStack } from '../support/test-stack';

type Step = { readonly kind: 'delivered'; readonly offsets: number[]; readonly ok: boolean } | { readonly kind: 'committed'; readonly offset: number };

describe('the Kafka event-source emulator with re-split redelivery', () => {
  let ts: TestStack;

  beforeAll(async () => {
    ts = await startTestStack();
  });

  afterAll(() => ts.stop());

  it('retries with other batches than the failed ones, delivers every record in order, and never commits past a failed record', async () => {
    // Prepare: 40 records on one partition, a handler that fails its first 5 invocations.
    const producer = await testProducer(ts.kafka);
    await producer.send({ topic: 'users-topic', acks: -1, messages: Array.from({ length: 40 }, (_, i) => ({ key: 'k', value: `v${i}`, partition: 2 })) });
    await producer.disconnect();
    const steps: Step[] = [];
    let invocations = 0;
    const handler = async (event: unknown) => {
      const offsets = (event as LambdaKafkaEvent).records['users-topic-2']!.map((r) => Number(r.offset));
      const ok = ++invocations > 5;
      steps.push({ kind: 'delivered', offsets, ok });
      if (!ok) throw new Error(`simulated failure ${invocations}`);
      return { received: offsets.length };
    };
    const emulator = new KafkaEventSourceEmulator({
      kafka: ts.kafkaOptions,
      logger: silentLogger,
      redelivery: 'resplit',
      retry: { initialBackoffMs: 5, maxBackoffMs: 10 },
      mappings: [{
        functionName: 'users', handler, topic: 'users-topic', batchSize: 16, maximumBatchingWindowSeconds: 0.1,
        startingPosition: 'TRIM_HORIZON', consumerGroupId: 'emulator-resplit-test', enabled: true,
        source: { kind: 'kafka', bootstrapServers: ts.stack.kafkaBrokers },
      }],
    });
    const allCommitted = new Promise<void>((resolve) =>
      emulator.on('committed', (c: CommitReport) => {
        steps.push({ kind: 'committed', offset: Number(c.offset) });
        if (c.partition === 2 && c.offset === '40') resolve();
      }),
    );
    // Act
    await emulator.start();
    await allCommitted;
    await emulator.stop();
    // Assess: the retries differ from the batch that failed just before them.
    const deliveries = steps.filter((s) => s.kind === 'delivered');
    const failures = deliveries.filter((d) => !d.ok);
    expect(failures).toHaveLength(5);
    for (let i = 1; i <= 5; i++) expect(deliveries[i]!.offsets).not.toEqual(deliveries[i - 1]!.offsets);
    // Every delivery is a contiguous run of offsets starting at the first record not yet done.
    let done = 0;
    for (const d of deliveries) {
      expect(d.offsets).toEqual(Array.from({ length: d.offsets.length }, (_, i) => done + i));
      if (d.ok) done += d.offsets.length;
    }
    expect(done).toBe(40);
    // Each commit follows a success and names the next record; none passes a record that failed.
    let committed = 0;
    for (const [i, s] of steps.entries()) {
      if (s.kind === 'committed') {
        const previous = steps[i - 1]!;
        expect(previous).toMatchObject({ kind: 'delivered', ok: true });
        expect(s.offset).toBe((previous as { offsets: number[] }).offsets.at(-1)! + 1);
        committed = s.offset;
      } else if (!s.ok) {
        expect(committed).toBeLessThanOrEqual(s.offsets[0]!);
      }
    }
    const admin = ts.kafka.admin();
    await admin.connect();
    const [group] = await admin.fetchOffsets({ groupId: 'emulator-resplit-test', topics: ['users-topic'] });
    await admin.disconnect();
    expect(group!.partitions.find((p) => p.partition === 2)!.offset).toBe('40');
  });
});
