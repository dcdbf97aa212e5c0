/**
 * What a real broker refuses in a Produce request and the mock broker would accept: record
 * batches over `message.max.bytes`, and — the local stand-in for a full disk — appends beyond a
 * partition's in-memory log cap, which the mock would make room for by deleting acknowledged
 * records. Pure functions over decoded requests; the proxy does the I/O.
 */
import type { KafkaLogCaps } from './kafka-mock-log-caps';
import { producePartitionError, recordBatchSizes, type ProducePartitionResponse, type ProduceRequest, type ProduceResponse } from './kafka-messages';

/** Kafka error codes the local stack answers itself. */
export const KafkaErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  /** Not retriable: a batch over `message.max.bytes`. */
  MESSAGE_TOO_LARGE: 10,
  /** Retriable: what a broker with a full or failed log directory answers. */
  KAFKA_STORAGE_ERROR: 56,
} as const;

/** A real broker's size limits, with the defaults of Apache Kafka and Amazon MSK. */
export interface KafkaBrokerLimits {
  /** Largest record batch one partition accepts (`message.max.bytes`, counted with its 12-byte log prefix). */
  readonly messageMaxBytes: number;
  /** Largest request (`socket.request.max.bytes`); a bigger one makes the broker close the connection. */
  readonly socketRequestMaxBytes: number;
}

export const KAFKA_DEFAULT_LIMITS: KafkaBrokerLimits = { messageMaxBytes: 1_048_588, socketRequestMaxBytes: 104_857_600 };

/**
 * Bytes and appends forwarded per partition, so that no partition is ever sent past the cap at
 * which the mock starts deleting its oldest records. Counts every forwarded append, including
 * ones the mock then rejects, so it can only over-estimate what the mock holds.
 */
export class PartitionLogBudget {
  private readonly used = new Map<string, { bytes: number; appends: number }>();

  constructor(private readonly caps: KafkaLogCaps) {}

  tryReserve(topic: string, partition: number, bytes: number): boolean {
    const key = `${topic}\0${partition}`;
    const used = this.used.get(key) ?? { bytes: 0, appends: 0 };
    if (used.bytes + bytes > this.caps.maxBytes || used.appends + 1 > this.caps.maxMessageSets) return false;
    this.used.set(key, { bytes: used.bytes + bytes, appends: used.appends + 1 });
    return true;
  }
}

export interface ProduceVerdict {
  /** The request without the refused partitions (topics left empty dropped). */
  readonly forward: ProduceRequest;
  /** Refused partitions by `topic\0partition`, with the error to answer. Empty: forward the original. */
  readonly refused: ReadonlyMap<string, number>;
}

const key = (topic: string, partition: number): string => `${topic}\0${partition}`;

/** Decides, per partition, what a real broker (and the mock's log cap) would refuse. */
export function judgeProduce(request: ProduceRequest, limits: KafkaBrokerLimits, budget?: PartitionLogBudget): ProduceVerdict {
  const refused = new Map<string, number>();
  const topics = request.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.filter((p) => {
      const records = p.records ?? Buffer.alloc(0);
      let error: number | undefined;
      if (recordBatchSizes(records).some((size) => size > limits.messageMaxBytes)) error = KafkaErrorCode.MESSAGE_TOO_LARGE;
      else if (budget && !budget.tryReserve(topic.name, p.index, records.length)) error = KafkaErrorCode.KAFKA_STORAGE_ERROR;
      if (error !== undefined) refused.set(key(topic.name, p.index), error);
      return error === undefined;
    }),
  }));
  return { forward: { ...request, topics: topics.filter((t) => t.partitions.length > 0) }, refused };
}

/**
 * The response the client expects for `request`: the broker's results for what was forwarded and
 * the refusals, topics and partitions in request order.
 */
export function mergeProduceResponse(request: ProduceRequest, refused: ReadonlyMap<string, number>, upstream: ProduceResponse): ProduceResponse {
  const answered = new Map<string, ProducePartitionResponse>();
  for (const topic of upstream.topics) for (const p of topic.partitions) answered.set(key(topic.name, p.index), p);
  return {
    throttleTimeMs: upstream.throttleTimeMs,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => {
        const error = refused.get(key(topic.name, p.index));
        if (error !== undefined) return producePartitionError(p.index, error);
        return answered.get(key(topic.name, p.index)) ?? producePartitionError(p.index, KafkaErrorCode.UNKNOWN_SERVER_ERROR);
      }),
    })),
  };
}
