import type { LambdaKafkaEvent, LambdaKafkaRecord } from '../../lib/kafka/event';
import { generateSampleData } from '../../lib/producer/sample-data';
import { TOPIC_OF_TABLE, type TableName } from '../../lib/schemas';

export interface EventOptions {
  readonly table: TableName;
  readonly batchSize: number;
  readonly batches: number;
  /** Share of records replaced by poison (invalid JSON, schema errors, table mismatch, tombstones). */
  readonly poisonRate?: number;
  /** Different seeds give different ids: each phase writes fresh records. */
  readonly seed: number;
  /** Pads every value with an extra field of this many bytes (dropped by the schema), to reach a target event size. */
  readonly padBytes?: number;
  /** First offset of the partition (phases sharing a seed still get distinct coordinates). */
  readonly firstOffset?: number;
}

/** Lambda events of generated sample records (the producer's data), one partition, consecutive offsets. */
export function benchEvents(options: EventOptions): LambdaKafkaEvent[] {
  const total = options.batchSize * options.batches;
  const counts = { users: 0, products: 0, orders: 0, [options.table]: total };
  const records = generateSampleData({ ...counts, invalidRate: options.poisonRate ?? 0, seed: options.seed, now: new Date('2024-06-01T00:00:00Z') });
  const pad = options.padBytes ? 'p'.repeat(options.padBytes) : undefined;
  const topic = TOPIC_OF_TABLE[options.table];
  const events: LambdaKafkaEvent[] = [];
  for (let b = 0; b < options.batches; b++) {
    const batch: LambdaKafkaRecord[] = records.slice(b * options.batchSize, (b + 1) * options.batchSize).map((r, i) => {
      let value = r.value;
      if (pad && value !== null && !r.poison) value = value.replace('"data":{', `"data":{"padding":"${pad}",`);
      return {
        topic,
        partition: 0,
        offset: (options.firstOffset ?? 0) + b * options.batchSize + i,
        timestamp: Date.UTC(2024, 5, 1),
        timestampType: 'CREATE_TIME',
        key: Buffer.from(r.key).toString('base64'),
        ...(value === null ? {} : { value: Buffer.from(value).toString('base64') }),
        headers: [],
      };
    });
    events.push({ eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:eu-west-1:000000000000:cluster/bench/00000000-0000-0000-0000-000000000000-1', records: { [`${topic}-0`]: batch } });
  }
  return events;
}
