import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { fetchOffsetBounds, type PartitionBounds } from './topic-offsets';

export interface TopicMessage {
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** Offsets `first` to `last`, both included, of one partition. */
export interface OffsetRange {
  readonly partition: number;
  readonly first: bigint;
  readonly last: bigint;
}

export interface RangeRead {
  /** The messages found in the ranges, by partition, then offset. */
  readonly messages: TopicMessage[];
  /** The partitions' bounds when the read started: a wanted offset below `low` is gone (retention). */
  readonly bounds: ReadonlyMap<number, PartitionBounds>;
}

const byPosition = (a: TopicMessage, b: TopicMessage) =>
  a.partition - b.partition || (BigInt(a.message.offset) < BigInt(b.message.offset) ? -1 : BigInt(a.message.offset) > BigInt(b.message.offset) ? 1 : 0);

/**
 * Reads the given offset ranges of `topic` with a throw-away consumer group that commits nothing.
 * Ranges are clipped to what the partitions hold when the call starts (`bounds` says what that
 * was), so offsets deleted by retention or not written yet are simply absent from `messages`.
 */
export async function readTopicRanges(kafka: Kafka, topic: string, ranges: readonly OffsetRange[], timeoutMs = 60_000): Promise<RangeRead> {
  const bounds = await fetchOffsetBounds(kafka, topic);
  return { messages: await readClipped(kafka, topic, bounds, ranges, timeoutMs), bounds };
}

async function readClipped(
  kafka: Kafka,
  topic: string,
  bounds: ReadonlyMap<number, PartitionBounds>,
  ranges: readonly OffsetRange[],
  timeoutMs: number,
): Promise<TopicMessage[]> {
  const wanted = new Map<number, { first: bigint; last: bigint }>();
  for (const range of ranges) {
    const b = bounds.get(range.partition);
    if (!b) continue;
    const first = range.first > b.low ? range.first : b.low;
    const last = range.last < b.high - 1n ? range.last : b.high - 1n;
    if (first > last) continue;
    const known = wanted.get(range.partition);
    wanted.set(range.partition, known ? { first: known.first < first ? known.first : first, last: known.last > last ? known.last : last } : { first, last });
  }
  const found = new Map<string, TopicMessage>();
  if (wanted.size === 0) return [];

  const inRange = (partition: number, offset: bigint) => {
    const range = wanted.get(partition);
    return range !== undefined && offset >= range.first && offset <= range.last;
  };
  const pending = new Set(wanted.keys());
  const reached = new Set<number>();
  // Short fetch waits: the reader stops at the end, and disconnect waits for the fetch in flight.
  const consumer = kafka.consumer({ groupId: `topic-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    // Not from the beginning: partitions nobody asked for start at their end and stay quiet;
    // the wanted ones are moved to their first offset by seek.
    await consumer.subscribe({ topic, fromBeginning: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} did not reach the wanted offsets within ${timeoutMs / 1000} s`)), timeoutMs);
      // A crashed consumer would otherwise only surface as the timeout.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        clearTimeout(timer);
        reject(payload.error);
      });
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const offset = BigInt(message.offset);
            // A fetch may have started before the seek took effect: keep only the wanted offsets, once.
            if (inRange(partition, offset)) {
              found.set(`${partition}:${offset}`, { partition, message });
              reached.add(partition);
            }
            // Done with a partition only once the seek has landed in its range: a record produced
            // after the bounds were taken could otherwise end it before the wanted ones arrive.
            if (reached.has(partition) && offset >= (wanted.get(partition)?.last ?? -1n)) pending.delete(partition);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .then(() => {
          for (const [partition, { first }] of wanted) consumer.seek({ topic, partition, offset: first.toString() });
        }, reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return [...found.values()].sort(byPosition);
}

/**
 * Reads `topic` from the beginning up to its end as of the call, with a throw-away consumer group
 * that commits nothing. Returns the messages by partition, then offset.
 */
export async function readTopicToEnd(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<TopicMessage[]> {
  const bounds = await fetchOffsetBounds(kafka, topic);
  const ranges = [...bounds].map(([partition, b]) => ({ partition, first: b.low, last: b.high - 1n }));
  return readClipped(kafka, topic, bounds, ranges, timeoutMs);
}
