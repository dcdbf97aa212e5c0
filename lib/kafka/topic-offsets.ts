import type { Kafka } from 'kafkajs';

/** The end (high watermark) of every partition of `topic`: the offset the next record will get. */
export async function fetchEndOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
}
