import { execFileSync } from 'node:child_process';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('local Kafka mock cluster', () => {
  let stack: LocalStack;
  let kafka: Kafka;

  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: mkdtempSync(join(tmpdir(), 'kcl-kafka-')) });
    kafka = new Kafka({ clientId: 'it', brokers: stack.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  });

  afterAll(() => stack.stop());

  it('lists the four topics with their partitions to kcat', () => {
    const metadata = execFileSync('kcat', ['-b', stack.kafkaBrokers, '-L'], { encoding: 'utf8' });
    expect(metadata).toMatch(/3 brokers/);
    expect(metadata).toMatch(/topic "users-topic" with 3 partitions/);
    expect(metadata).toMatch(/topic "products-topic" with 3 partitions/);
    expect(metadata).toMatch(/topic "orders-topic" with 3 partitions/);
    expect(metadata).toMatch(/topic "dlq-topic" with 1 partitions/);
  });

  it('lets kcat produce and consume', () => {
    execFileSync('kcat', ['-b', stack.kafkaBrokers, '-t', 'dlq-topic', '-P', '-K:'], { input: 'k1:hello\nk2:world\n' });
    const out = execFileSync('kcat', ['-b', stack.kafkaBrokers, '-t', 'dlq-topic', '-C', '-e', '-q', '-o', 'beginning', '-f', '%k=%s\n'], { encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual(['k1=hello', 'k2=world']);
  });

  it('a broker set down refuses connections at its address, as a real one does, and serves again once up', async () => {
    // Prepare
    const [host, port] = stack.kafkaBrokers.split(',')[1]!.split(':');
    const tryConnect = () =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(port), host, () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
    // Act
    await stack.setKafkaBrokerDown(2);
    const whileDown = await tryConnect();
    await stack.setKafkaBrokerUp(2);
    const whenUp = await tryConnect();
    // Assess
    expect([whileDown, whenUp]).toEqual(['ECONNREFUSED', 'connected']);
    const metadata = execFileSync('kcat', ['-b', stack.kafkaBrokers, '-L'], { encoding: 'utf8' });
    expect(metadata).toMatch(/3 brokers/);
  });

  it('serves a kafkajs consumer group that commits offsets', async () => {
    // Prepare
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'orders-topic', acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'it-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders-topic', fromBeginning: true });
    // Act
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          seen.push(message.value!.toString());
          await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
          if (seen.length === 30) resolve();
        },
      });
    });
    await consumer.disconnect();
    // Assess
    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: 'it-group', topics: ['orders-topic'] });
    await admin.disconnect();
    expect(seen.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`).sort());
    expect(committed!.partitions.reduce((sum, p) => sum + Number(p.offset), 0)).toBe(30);
  });
});
