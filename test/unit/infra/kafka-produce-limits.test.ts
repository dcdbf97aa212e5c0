import { producePartitionError, type ProduceRequest } from '../../../infra/local/kafka-messages';
import { judgeProduce, KafkaErrorCode, mergeProduceResponse, PartitionLogBudget } from '../../../infra/local/kafka-produce-limits';

/** A partition's records: one batch whose size, counted as Kafka does, is `size` bytes. */
const batchOf = (size: number): Buffer => {
  const records = Buffer.alloc(size);
  records.writeInt32BE(size - 12, 8);
  return records;
};

const request = (topics: Array<[string, Array<[number, number]>]>): ProduceRequest => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 30_000,
  topics: topics.map(([name, partitions]) => ({ name, partitions: partitions.map(([index, size]) => ({ index, records: batchOf(size) })) })),
});

const limits = { messageMaxBytes: 1_048_588, socketRequestMaxBytes: 104_857_600 };

describe('judgeProduce', () => {
  it('refuses a batch over message.max.bytes with MESSAGE_TOO_LARGE and forwards the other partitions', () => {
    // Prepare
    const produce = request([['orders-topic', [[0, 1_048_589], [1, 1_048_588]]], ['dlq-topic', [[0, 2_000_000]]]]);
    // Act
    const verdict = judgeProduce(produce, limits);
    // Assess
    expect([...verdict.refused]).toEqual([['orders-topic\u00000', KafkaErrorCode.MESSAGE_TOO_LARGE], ['dlq-topic\u00000', KafkaErrorCode.MESSAGE_TOO_LARGE]]);
    expect(verdict.forward.topics.map((t) => [t.name, t.partitions.map((p) => p.index)])).toEqual([['orders-topic', [1]]]);
  });

  it('refuses nothing in a request within the limits', () => {
    const verdict = judgeProduce(request([['orders-topic', [[0, 1_000], [2, 1_048_588]]]]), limits);
    expect(verdict.refused.size).toBe(0);
  });

  it('refuses appends past the log cap with KAFKA_STORAGE_ERROR instead of letting the log drop old records', () => {
    // Prepare: room for 2,500 bytes or 3 appends per partition.
    const budget = new PartitionLogBudget({ maxBytes: 2_500, maxMessageSets: 3 });
    // Act
    const verdicts = [1_000, 1_000, 1_000, 100].map((size) => judgeProduce(request([['t', [[0, size], [1, 100]]]]), limits, budget));
    // Assess
    expect(verdicts.map((v) => v.refused.get('t\u00000') ?? 0)).toEqual([0, 0, KafkaErrorCode.KAFKA_STORAGE_ERROR, 0]);
    expect(verdicts.map((v) => v.refused.get('t\u00001') ?? 0)).toEqual([0, 0, 0, KafkaErrorCode.KAFKA_STORAGE_ERROR]);
  });
});

describe('mergeProduceResponse', () => {
  it("answers every requested partition in request order: the broker's results and the refusals", () => {
    // Prepare
    const produce = request([['a', [[0, 20], [1, 20]]], ['b', [[0, 20]]]]);
    const refused = new Map([['a\u00000', KafkaErrorCode.MESSAGE_TOO_LARGE]]);
    const ok = (index: number, baseOffset: bigint) => ({ index, errorCode: 0, baseOffset, logAppendTimeMs: -1n, logStartOffset: 0n });
    const upstream = { throttleTimeMs: 4, topics: [{ name: 'b', partitions: [ok(0, 7n)] }, { name: 'a', partitions: [ok(1, 3n)] }] };
    // Act
    const merged = mergeProduceResponse(produce, refused, upstream);
    // Assess
    expect(merged).toEqual({
      throttleTimeMs: 4,
      topics: [
        { name: 'a', partitions: [producePartitionError(0, KafkaErrorCode.MESSAGE_TOO_LARGE), ok(1, 3n)] },
        { name: 'b', partitions: [ok(0, 7n)] },
      ],
    });
  });

  it('answers a request whose partitions were all refused from an empty broker response', () => {
    const produce = request([['a', [[0, 20]]]]);
    const merged = mergeProduceResponse(produce, new Map([['a\u00000', KafkaErrorCode.MESSAGE_TOO_LARGE]]), { throttleTimeMs: 0, topics: [] });
    expect(merged.topics).toEqual([{ name: 'a', partitions: [producePartitionError(0, KafkaErrorCode.MESSAGE_TOO_LARGE)] }]);
  });
});
