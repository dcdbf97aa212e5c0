import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, KafkaJSProtocolError, logLevel, Partitioners, type Producer } from 'kafkajs';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack';
import { readTopicToEnd } from '../../lib/kafka/read-topic';

/** The local stack refuses what Kafka / MSK with default settings refuse, for every client. */
describe('local Kafka enforces the broker limits of Kafka and MSK', () => {
  const MESSAGE_MAX_BYTES = 1_048_588;
  let dataDir: string;
  let stack: LocalStack;
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kcl-limits-'));
    stack = await startLocalStack({ dataDir });
    kafka = new Kafka({ clientId: 'limits', brokers: stack.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** kcat with a client-side limit above the broker's, so that the broker's limit is what is tested. */
  const kcatProduce = (topic: string, value: Buffer) =>
    spawnSync('kcat', ['-b', stack.kafkaBrokers, '-t', topic, '-P', '-X', 'message.max.bytes=4000000'], { input: value, encoding: 'utf8' });
  const kcatValueSizes = (topic: string): number[] =>
    execFileSync('kcat', ['-b', stack.kafkaBrokers, '-t', topic, '-C', '-e', '-q', '-o', 'beginning', '-f', '%S\n'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);

  it('clients only ever learn the proxy addresses, never the mock brokers behind them', async () => {
    // Act
    const listed = execFileSync('kcat', ['-b', stack.kafkaBrokers, '-L'], { encoding: 'utf8' });
    const admin = kafka.admin();
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    await admin.disconnect();
    // Assess
    const proxies = stack.kafkaBrokers.split(',').sort();
    expect([...listed.matchAll(/broker \d+ at (\S+)/g)].map((m) => m[1]).sort()).toEqual(proxies);
    expect(brokers.map((b) => `${b.host}:${b.port}`).sort()).toEqual(proxies);
    expect(stack.kafkaMockBrokers.split(',').some((mock) => proxies.includes(mock))).toBe(false);
  });

  it('kafkajs: a record batch over message.max.bytes fails with MESSAGE_TOO_LARGE, not retried; the other partition of the same request is written', async () => {
    // Prepare: 6 partitions on 3 brokers, so two share a leader and travel in one Produce request.
    await stack.createKafkaTopic('limits-kafkajs', 6);
    const admin = kafka.admin();
    await admin.connect();
    const [metadata] = (await admin.fetchTopicMetadata({ topics: ['limits-kafkajs'] })).topics;
    await admin.disconnect();
    const byLeader = new Map<number, number[]>();
    for (const p of metadata!.partitions) byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), p.partitionId]);
    const [large, small] = [...byLeader.values()].find((partitions) => partitions.length >= 2)!;
    // Act
    const sent = producer.sendBatch({
      acks: -1,
      topicMessages: [{ topic: 'limits-kafkajs', messages: [{ partition: large!, value: Buffer.alloc(MESSAGE_MAX_BYTES, 'a') }, { partition: small!, value: 'fits' }] }],
    });
    // Assess
    const error = await sent.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaJSProtocolError);
    expect(error).toMatchObject({ type: 'MESSAGE_TOO_LARGE', retriable: false });
    const written = await readTopicToEnd(kafka, 'limits-kafkajs');
    expect(written.map((m) => [m.partition, m.message.value!.toString()])).toEqual([[small, 'fits']]);
  });

  it('kafkajs: a 1,000,000-byte message is accepted', async () => {
    // Act
    const [result] = await producer.send({ topic: 'users-topic', acks: -1, messages: [{ partition: 0, value: Buffer.alloc(1_000_000, 'b') }] });
    // Assess
    expect(result).toMatchObject({ partition: 0, errorCode: 0 });
  });

  it('kcat: a 2 MB message fails with "Message size too large"; a 1,000,000-byte message is written', () => {
    // Prepare
    const topic = 'products-topic';
    // Act
    const tooLarge = kcatProduce(topic, Buffer.alloc(2_000_000, 'c'));
    const fits = kcatProduce(topic, Buffer.alloc(1_000_000, 'd'));
    // Assess
    expect(tooLarge.status).not.toBe(0);
    expect(tooLarge.stderr).toContain('Message size too large');
    expect(fits.status).toBe(0);
    expect(kcatValueSizes(topic)).toEqual([1_000_000]);
  });

  it('a request larger than socket.request.max.bytes makes the broker close the connection unread', async () => {
    // Prepare: a frame that announces 100 MiB + 1 byte; a broker checks the size before reading on.
    const [host, port] = stack.kafkaBrokers.split(',')[0]!.split(':');
    const socket = connect(Number(port), host);
    const size = Buffer.alloc(4);
    size.writeInt32BE(104_857_601, 0);
    // Act
    const closed = new Promise<{ received: number }>((resolve) => {
      let received = 0;
      socket.on('data', (chunk) => (received += chunk.length));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ received }));
    });
    socket.write(size);
    // Assess
    await expect(closed).resolves.toEqual({ received: 0 });
  });
});
