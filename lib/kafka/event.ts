import { InvalidEventError } from '../errors';

/** Which kind of event source mapping delivered the batch. */
export type KafkaEventSource = 'aws:kafka' | 'SelfManagedKafka';

/** One record as it appears in a Lambda Kafka event (MSK and self-managed share the shape). */
export interface LambdaKafkaRecord {
  topic: string;
  partition: number;
  offset: number | string;
  timestamp: number;
  timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME' | string;
  key?: string | null;
  value?: string | null;
  headers?: Array<Record<string, number[]>>;
}

/** The Lambda event for MSK (`aws:kafka`) and self-managed Kafka (`SelfManagedKafka`) triggers. */
export interface LambdaKafkaEvent {
  eventSource: KafkaEventSource;
  eventSourceArn?: string;
  bootstrapServers?: string;
  records: Record<string, LambdaKafkaRecord[]>;
}

export interface KafkaHeader {
  readonly name: string;
  readonly value: Buffer;
}

/** A record with its bytes decoded from base64 and its Kafka coordinates kept. */
export interface DecodedRecord {
  readonly topic: string;
  readonly partition: number;
  /** Kept as a decimal string: offsets are 64-bit. */
  readonly offset: string;
  readonly timestamp: number;
  readonly timestampType: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly KafkaHeader[];
  /** Set when the event carried bytes that are not valid base64; the record is poison. */
  readonly decodeError?: string;
  /** The value exactly as the event carried it, kept for the dead letter when undecodable. */
  readonly rawValue?: string;
}

export interface DecodedBatch {
  readonly eventSource: KafkaEventSource;
  /** The MSK cluster ARN, or the bootstrap servers of a self-managed cluster. */
  readonly origin: string;
  readonly records: readonly DecodedRecord[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

// Buffer.from silently skips invalid characters; corrupt bytes must not become other bytes.
const isBase64 = (text: string): boolean => text.length % 4 === 0 && BASE64.test(text);

const decodeBase64 = (text: string | null | undefined): Buffer | null =>
  text === undefined || text === null || !isBase64(text) ? null : Buffer.from(text, 'base64');

const base64Problem = (r: LambdaKafkaRecord): string | undefined => {
  if (typeof r.value === 'string' && !isBase64(r.value)) return 'value is not valid base64';
  if (typeof r.key === 'string' && !isBase64(r.key)) return 'key is not valid base64';
  return undefined;
};

const decodeHeaders = (headers: LambdaKafkaRecord['headers']): KafkaHeader[] =>
  (headers ?? []).flatMap((header) =>
    Object.entries(header).map(([name, bytes]) => ({ name, value: Buffer.from(bytes) })),
  );

const compareOffsets = (a: DecodedRecord, b: DecodedRecord): number => {
  const x = BigInt(a.offset);
  const y = BigInt(b.offset);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Decodes a Lambda Kafka event into records in delivery order: partition groups as the event
 * lists them, each sorted by offset. Throws {@link InvalidEventError} when the event is not a
 * Kafka event at all (a wiring mistake, not poison data).
 */
export function decodeKafkaEvent(event: unknown): DecodedBatch {
  const e = event as Partial<LambdaKafkaEvent> | null;
  if (!e || (e.eventSource !== 'aws:kafka' && e.eventSource !== 'SelfManagedKafka')) {
    throw new InvalidEventError(`not a Kafka event (eventSource ${JSON.stringify(e?.eventSource)})`);
  }
  if (!e.records || typeof e.records !== 'object') throw new InvalidEventError('Kafka event has no records');
  const origin = e.eventSource === 'aws:kafka' ? (e.eventSourceArn ?? '') : (e.bootstrapServers ?? '');

  const records: DecodedRecord[] = [];
  for (const [group, groupRecords] of Object.entries(e.records)) {
    const decoded = groupRecords.map((r, i) => {
      const where = `record ${group}[${i}]`;
      if (typeof r.topic !== 'string' || !Number.isInteger(r.partition) || !/^\d+$/.test(String(r.offset))) {
        throw new InvalidEventError(`${where} lacks topic, partition or offset`);
      }
      const decodeError = base64Problem(r);
      const record: DecodedRecord = {
        topic: r.topic,
        partition: r.partition,
        offset: String(r.offset),
        timestamp: r.timestamp,
        timestampType: r.timestampType,
        key: decodeBase64(r.key),
        value: decodeBase64(r.value),
        headers: decodeHeaders(r.headers),
      };
      return decodeError ? { ...record, decodeError, rawValue: r.value ?? undefined } : record;
    });
    records.push(...decoded.sort(compareOffsets));
  }
  return { eventSource: e.eventSource, origin, records };
}
