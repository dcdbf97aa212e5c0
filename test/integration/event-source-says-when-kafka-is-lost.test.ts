import { KafkaEventSourceEmulator } from '../../infra/serverless-offline-kafka/emulator';
import { silentLogger } from '../support/fakes';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('the Kafka event-source emulator, when the brokers go away', () => {
  let ts: TestStack;

  beforeAll(async () => {
    ts = await startTestStack();
  });

  afterAll(() => ts.stop());

  it('reports the loss once, keeps retrying, and reports when every client is back', async () => {
    const emulator = new KafkaEventSourceEmulator({
      kafka: { ...ts.kafkaOptions, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 200 } },
      logger: silentLogger,
      mappings: (['users', 'orders'] as const).map((table) => ({
        functionName: table, handler: async () => 'ok', topic: `${table}-topic`, batchSize: 100, maximumBatchingWindowSeconds: 0.1,
        startingPosition: 'TRIM_HORIZON' as const, consumerGroupId: `emulator-lost-${table}`, enabled: true,
        source: { kind: 'kafka' as const, bootstrapServers: ts.stack.kafkaBrokers },
      })),
    });
    const lost: Error[] = [];
    let back = 0;
    emulator.on('kafka-lost', (error: Error) => lost.push(error));
    emulator.on('kafka-back', () => back++);
    await emulator.start();
    try {
      const reportedLoss = new Promise((resolve) => emulator.once('kafka-lost', resolve));
      for (const broker of [1, 2, 3]) await ts.stack.setKafkaBrokerDown(broker);
      await reportedLoss;
      const reportedBack = new Promise((resolve) => emulator.once('kafka-back', resolve));
      for (const broker of [1, 2, 3]) await ts.stack.setKafkaBrokerUp(broker);
      await reportedBack;
    } finally {
      await emulator.stop();
    }
    expect(lost).toHaveLength(1);
    expect(lost[0]!.message).not.toBe('');
    expect(back).toBe(1);
  });
});
