import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack';
import { LIBRDKAFKA_MOCK_LOG_CAPS, LOCAL_STACK_LOG_CAPS } from '../../infra/local/kafka-mock-log-caps';
import { readTopicToEnd } from '../../lib/kafka/read-topic';

const kafkaOn = (brokers: string) => new Kafka({ clientId: 'volume', brokers: brokers.split(','), logLevel: logLevel.NOTHING });

async function connectedProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 0 } });
  await producer.connect();
  return producer;
}

/** Sends `count` records keyed 0..count-1 to partition 0, `perRequest` at a time; returns how many were acknowledged. */
async function produceNumbered(producer: Producer, topic: string, count: number, value: Buffer, perRequest: number): Promise<number> {
  let acknowledged = 0;
  for (let first = 0; first < count; first += perRequest) {
    const keys = Array.from({ length: Math.min(perRequest, count - first) }, (_, i) => String(first + i));
    try {
      await producer.send({ topic, acks: -1, messages: keys.map((key) => ({ partition: 0, key, value })) });
    } catch {
      return acknowledged;
    }
    acknowledged += keys.length;
  }
  return acknowledged;
}

const kcatKeys = (brokers: string, topic: string): string[] =>
  execFileSync('kcat', ['-b', brokers, '-t', topic, '-p', '0', '-C', '-e', '-q', '-o', 'beginning', '-f', '%k\n'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\n')
    .filter(Boolean);

const numbered = (count: number): string[] => Array.from({ length: count }, (_, i) => String(i));

describe('local Kafka keeps every acknowledged record', () => {
  let dataDir: string;
  let stack: LocalStack;
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kcl-volume-'));
    stack = await startLocalStack({ dataDir });
    kafka = kafkaOn(stack.kafkaBrokers);
    producer = await connectedProducer(kafka);
  });

  afterAll(async () => {
    await producer.disconnect();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs the mock with lifted log caps on every partition, read back from the mock's own structs", async () => {
    for (const topic of ['users-topic', 'products-topic', 'orders-topic', 'dlq-topic']) {
      const logs = await stack.kafkaPartitionLogs(topic);
      expect(logs!.map((p) => [p.maxBytes, p.maxMessageSets])).toEqual(logs!.map(() => [LOCAL_STACK_LOG_CAPS.maxBytes, LOCAL_STACK_LOG_CAPS.maxMessageSets]));
    }
  });

  it('100,000 orders (over 30 MB) in one partition are all read back, by kafkajs and by kcat', async () => {
    // Prepare
    const count = 100_000;
    // Act
    const acknowledged = await produceNumbered(producer, 'orders-topic', count, Buffer.alloc(320, 'o'), 2_000);
    // Assess
    expect(acknowledged).toBe(count);
    const [partition0] = (await stack.kafkaPartitionLogs('orders-topic'))!;
    expect(partition0!.bytes).toBeGreaterThan(30 * 1024 * 1024);
    expect(partition0!.bytes).toBeGreaterThan(LIBRDKAFKA_MOCK_LOG_CAPS.maxBytes);
    const read = await readTopicToEnd(kafka, 'orders-topic', 120_000);
    expect(read.map((m) => m.message.key!.toString())).toEqual(numbered(count));
    expect(kcatKeys(stack.kafkaBrokers, 'orders-topic')).toEqual(numbered(count));
  });

  it('over 5 MiB of dead letters in the single-partition dlq-topic are all read back, by kafkajs and by kcat', async () => {
    // Act: 70 letters of 100 KB, each its own request, as the handlers send them.
    const acknowledged = await produceNumbered(producer, 'dlq-topic', 70, Buffer.alloc(100_000, 'd'), 1);
    // Assess
    expect(acknowledged).toBe(70);
    expect((await stack.kafkaPartitionLogs('dlq-topic'))![0]!.bytes).toBeGreaterThan(LIBRDKAFKA_MOCK_LOG_CAPS.maxBytes);
    const read = await readTopicToEnd(kafka, 'dlq-topic');
    expect(read.map((m) => m.message.key!.toString())).toEqual(numbered(70));
    expect(kcatKeys(stack.kafkaBrokers, 'dlq-topic')).toEqual(numbered(70));
  });

  it("a topic created later, or auto-created by a client's Metadata request, gets the lifted caps too", async () => {
    // Act
    await stack.createKafkaTopic('created-later', 2);
    await producer.send({ topic: 'auto-created', acks: -1, messages: [{ value: 'first' }] });
    // Assess
    for (const topic of ['created-later', 'auto-created']) {
      const logs = (await stack.kafkaPartitionLogs(topic))!;
      expect(logs.length).toBeGreaterThan(0);
      expect(logs.every((p) => p.maxBytes === LOCAL_STACK_LOG_CAPS.maxBytes && p.maxMessageSets === LOCAL_STACK_LOG_CAPS.maxMessageSets)).toBe(true);
    }
  });
});

describe("with librdkafka's own log caps (5 MiB / 100,000 appends per partition)", () => {
  let dataDir: string;
  let stack: LocalStack;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kcl-caps-'));
    stack = await startLocalStack({ dataDir, kafkaLogCaps: LIBRDKAFKA_MOCK_LOG_CAPS });
  });

  afterAll(async () => {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the mock on its own silently drops acknowledged records: the read-back above would catch it', async () => {
    // Prepare: straight to the mock brokers, around the proxy.
    await stack.createKafkaTopic('unguarded', 1);
    const kafka = kafkaOn(stack.kafkaMockBrokers);
    const producer = await connectedProducer(kafka);
    // Act
    const acknowledged = await produceNumbered(producer, 'unguarded', 70, Buffer.alloc(100_000, 'u'), 1);
    await producer.disconnect();
    // Assess
    expect(acknowledged).toBe(70);
    const read = await readTopicToEnd(kafka, 'unguarded');
    expect(read.length).toBeLessThan(70);
    expect(read[0]!.message.offset).not.toBe('0');
  });

  it('through the proxy, a full partition refuses further records with KAFKA_STORAGE_ERROR and keeps every acknowledged one', async () => {
    // Prepare
    const kafka = kafkaOn(stack.kafkaBrokers);
    const producer = await connectedProducer(kafka);
    // Act
    const acknowledged = await produceNumbered(producer, 'dlq-topic', 70, Buffer.alloc(100_000, 'g'), 1);
    const refusal = await producer.send({ topic: 'dlq-topic', acks: -1, messages: [{ partition: 0, value: Buffer.alloc(100_000) }] }).catch((e: unknown) => e);
    await producer.disconnect();
    // Assess
    expect(acknowledged).toBeGreaterThan(40);
    expect(acknowledged).toBeLessThan(70);
    expect(refusal).toMatchObject({ name: 'KafkaJSNumberOfRetriesExceeded', cause: { type: 'KAFKA_STORAGE_ERROR' } });
    const read = await readTopicToEnd(kafka, 'dlq-topic');
    expect(read.map((m) => m.message.key!.toString())).toEqual(numbered(acknowledged));
  });
});
