import {
  decodeFindCoordinatorResponse,
  decodeMetadataResponse,
  decodeProduceRequest,
  decodeProduceResponse,
  encodeFindCoordinatorResponse,
  encodeMetadataResponse,
  encodeProduceRequest,
  encodeProduceResponse,
  producePartitionError,
  recordBatchSizes,
  type FindCoordinatorResponse,
  type ProduceResponse,
} from '../../../infra/local/kafka-messages';
import { KafkaWireError, WireWriter } from '../../../infra/local/kafka-wire';

// kafkajs's own protocol encoders and decoders are the independent reference for the byte layouts.
/* eslint-disable @typescript-eslint/no-require-imports */
type KafkajsRequest = (args: Record<string, unknown>) => { request: { encode(): Promise<{ buffer: Buffer }> }; response: { decode(body: Buffer): Promise<any> } };
const kafkajsApi = (name: string) => {
  const api = require(`kafkajs/src/protocol/requests/${name}`) as { protocol(v: { version: number }): KafkajsRequest };
  return (version: number) => api.protocol({ version });
};
const kafkajsProduce = kafkajsApi('produce');
const kafkajsMetadata = kafkajsApi('metadata');
const kafkajsFindCoordinator = kafkajsApi('findCoordinator');
/* eslint-enable @typescript-eslint/no-require-imports */

const versions = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('Produce requests', () => {
  it.each(versions(0, 7))('v%i from kafkajs decodes to its topics and partitions and re-encodes to the same bytes', async (version) => {
    // Prepare
    const topicData = [
      { topic: 'orders-topic', partitions: [{ partition: 0, messages: [{ key: 'k0', value: 'v0' }] }, { partition: 2, messages: [{ key: 'k2', value: 'x'.repeat(300) }] }] },
      { topic: 'dlq-topic', partitions: [{ partition: 0, messages: [{ key: null, value: 'letter' }] }] },
    ];
    const args = { acks: -1, timeout: 30_000, topicData, ...(version >= 3 ? { transactionalId: 'tx-1' } : {}) };
    const body = (await kafkajsProduce(version)(args).request.encode()).buffer;
    // Act
    const decoded = decodeProduceRequest(body, version);
    // Assess
    expect(decoded).toMatchObject({ acks: -1, timeoutMs: 30_000, transactionalId: version >= 3 ? 'tx-1' : null });
    expect(decoded.topics.map((t) => [t.name, t.partitions.map((p) => p.index)])).toEqual([['orders-topic', [0, 2]], ['dlq-topic', [0]]]);
    expect(decoded.topics[0]!.partitions[1]!.records!.length).toBeGreaterThan(300);
    expect(encodeProduceRequest(decoded, version)).toEqual(body);
  });

  it('measures each record batch of a partition as Kafka does: 12-byte prefix plus its length', async () => {
    // Prepare: two v2 record batches back to back, as a partition's records may hold.
    const batch = async (value: string) => {
      const body = (await kafkajsProduce(7)({ acks: -1, timeout: 1, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ value }] }] }] }).request.encode()).buffer;
      return decodeProduceRequest(body, 7).topics[0]!.partitions[0]!.records!;
    };
    const [small, large] = [await batch('a'), await batch('b'.repeat(5_000))];
    // Act
    const sizes = recordBatchSizes(Buffer.concat([small, large]));
    // Assess
    expect(sizes).toEqual([small.length, large.length]);
    expect(small.readInt32BE(8) + 12).toBe(small.length);
  });
});

describe('Produce responses', () => {
  const response: ProduceResponse = {
    throttleTimeMs: 7,
    topics: [{ name: 'orders-topic', partitions: [{ index: 0, errorCode: 0, baseOffset: 42n, logAppendTimeMs: 1234n, logStartOffset: 3n }, producePartitionError(1, 10)] }],
  };

  it.each(versions(0, 7))('v%i as the proxy writes it reads in kafkajs with every field of the version', async (version) => {
    // Act
    const bytes = encodeProduceResponse(response, version);
    const read = await kafkajsProduce(version)({ acks: -1, timeout: 1, topicData: [] }).response.decode(bytes);
    // Assess
    const [ok, refused] = read.topics[0].partitions;
    expect(read.topics[0].topicName).toBe('orders-topic');
    expect(ok).toMatchObject({ partition: 0, errorCode: 0 });
    expect(refused).toMatchObject({ partition: 1, errorCode: 10 });
    // kafkajs names offset and append time `offset` and `timestamp` before v3, and reports v6+ throttling as client-side.
    expect([ok.baseOffset ?? ok.offset, refused.baseOffset ?? refused.offset]).toEqual(['42', '-1']);
    if (version >= 1) expect(version >= 6 ? read.clientSideThrottleTime : read.throttleTime).toBe(7);
    if (version >= 2) expect(ok.logAppendTime ?? ok.timestamp).toBe('1234');
    if (version >= 5) expect(ok.logStartOffset).toBe('3');
  });

  it.each(versions(0, 7))('v%i round-trips through decode and encode', (version) => {
    // Prepare
    const bytes = encodeProduceResponse(response, version);
    // Act
    const decoded = decodeProduceResponse(bytes, version);
    // Assess
    expect(encodeProduceResponse(decoded, version)).toEqual(bytes);
    expect(decoded.topics[0]!.partitions[0]!.baseOffset).toBe(42n);
  });

  it('refuses bytes of another version instead of decoding garbage', () => {
    expect(() => decodeProduceResponse(encodeProduceResponse(response, 7), 2)).toThrow(KafkaWireError);
  });
});

/** A whole Metadata response body of `version` (v0–8, non-flexible), written field by field. */
function metadataBody(version: number): Buffer {
  const w = new WireWriter();
  if (version >= 3) w.int32(11);
  w.array([{ nodeId: 1, host: '127.0.0.1', port: 40001 }, { nodeId: 2, host: '127.0.0.1', port: 40002 }], (bw, b) => {
    bw.int32(b.nodeId).string(b.host).int32(b.port);
    if (version >= 1) bw.nullableString(b.nodeId === 1 ? 'rack-a' : null);
  });
  if (version >= 2) w.nullableString('cluster-x');
  if (version >= 1) w.int32(1);
  w.array(['orders-topic'], (tw, name) => {
    tw.int16(0).string(name);
    if (version >= 1) tw.int8(0);
    tw.array([0, 1], (pw, index) => {
      pw.int16(0).int32(index).int32(index + 1);
      if (version >= 7) pw.int32(5);
      pw.array([index + 1], (rw, r) => rw.int32(r)).array([index + 1], (rw, r) => rw.int32(r));
      if (version >= 5) pw.array([], () => undefined);
    });
    if (version >= 8) tw.int32(0);
  });
  if (version >= 8) w.int32(0);
  return w.toBuffer();
}

describe('Metadata responses', () => {
  const toProxy = (port: number) => ({ host: 'proxy.local', port: port + 10_000 });

  it.each(versions(0, 6))('v%i with its brokers rewritten reads in kafkajs with the new addresses and the same topics', async (version) => {
    // Prepare
    const head = decodeMetadataResponse(metadataBody(version), version);
    // Act
    const rewritten = encodeMetadataResponse({ ...head, brokers: head.brokers.map((b) => ({ ...b, ...toProxy(b.port) })) }, version);
    // Assess
    const read = await kafkajsMetadata(version)({ topics: [] }).response.decode(rewritten);
    expect(read.brokers.map((b: { nodeId: number; host: string; port: number }) => [b.nodeId, b.host, b.port])).toEqual([[1, 'proxy.local', 50001], [2, 'proxy.local', 50002]]);
    expect(read.topicMetadata.map((t: { topic: string; partitionMetadata: unknown[] }) => [t.topic, t.partitionMetadata.length])).toEqual([['orders-topic', 2]]);
    if (version >= 1) expect(read.brokers[0].rack).toBe('rack-a');
  });

  it.each(versions(0, 8))('v%i round-trips, the bytes after the broker list untouched', (version) => {
    // Prepare
    const body = metadataBody(version);
    // Act
    const head = decodeMetadataResponse(body, version);
    // Assess
    expect(head.brokers.map((b) => b.port)).toEqual([40001, 40002]);
    expect(head.throttleTimeMs).toBe(version >= 3 ? 11 : 0);
    expect(encodeMetadataResponse(head, version)).toEqual(body);
  });
});

describe('FindCoordinator responses', () => {
  const coordinator: FindCoordinatorResponse = { throttleTimeMs: 3, errorCode: 0, errorMessage: null, nodeId: 2, host: '127.0.0.1', port: 40002 };

  it.each(versions(0, 2))('v%i as the proxy writes it reads in kafkajs', async (version) => {
    // Act
    const read = await kafkajsFindCoordinator(version)({ groupId: 'g' }).response.decode(encodeFindCoordinatorResponse({ ...coordinator, host: 'proxy.local', port: 50002 }, version));
    // Assess
    expect(read.coordinator).toEqual({ nodeId: 2, host: 'proxy.local', port: 50002 });
    expect(read.errorCode).toBe(0);
  });

  it.each(versions(0, 3))('v%i round-trips through decode and encode', (version) => {
    // Prepare
    const bytes = encodeFindCoordinatorResponse({ ...coordinator, errorMessage: version >= 1 ? 'fine' : null }, version);
    // Act
    const decoded = decodeFindCoordinatorResponse(bytes, version);
    // Assess
    expect(decoded).toMatchObject({ nodeId: 2, host: '127.0.0.1', port: 40002, errorMessage: version >= 1 ? 'fine' : null });
    expect(encodeFindCoordinatorResponse(decoded, version)).toEqual(bytes);
  });
});
