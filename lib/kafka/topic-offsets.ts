import type { Kafka } from 'kafkajs';

/** The records a partition still holds: offsets `low` (log start) up to, not including, `high`. */
export interface PartitionBounds {
  readonly low: bigint;
  readonly high: bigint;
}

/** The low and high watermark of every partition of `topic`. */
export async function fetchOffsetBounds(kafka: Kafka, topic: string): Promise<Map<number, PartitionBounds>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { low: BigInt(p.low), high: BigInt(p.high) }]));
  } finally {
    await admin.disconnect();
  }
}

/** The end (high watermark) of every partition of `topic`: the offset the next record will get. */
export async function fetchEndOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  return new Map([...(await fetchOffsetBounds(kafka, topic))].map(([partition, { high }]) => [partition, high]));
}
