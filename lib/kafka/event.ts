import { InvalidEventError } from '../errors';
import { clipText } from '../text';

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

/**
 * Decodes standard base64, or returns undefined when `text` is not exactly that. Faster than a
 * regular expression over a long value: Buffer.from skips characters outside the alphabet, so any
 * such character makes the decoded length fall short of what the text's length promises; the
 * URL-safe alphabet, which Buffer.from also accepts, is refused explicitly.
 */
function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (bytes.length !== (text.length / 4) * 3 - padding) return undefined;
  return text.indexOf('-') < 0 && text.indexOf('_') < 0 ? bytes : undefined;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const describeValue = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

const fail = (path: string, problem: string): never => {
  throw new InvalidEventError(`${path} ${problem}`);
};

/** A key or value: base64 text, or null/absent. Anything else is a malformed event. */
function bytesField(value: unknown, path: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') fail(path, `must be base64 text or null (got ${describeValue(value)})`);
  return value as string;
}

function decodeHeaders(headers: unknown, path: string): KafkaHeader[] {
  if (headers === undefined || headers === null) return [];
  if (!Array.isArray(headers)) return fail(path, `must be an array of {name: [bytes]} objects (got ${describeValue(headers)})`);
  const decoded: KafkaHeader[] = [];
  headers.forEach((header: unknown, i) => {
    if (!isPlainObject(header)) fail(`${path}[${i}]`, `must be an object of header name to byte array (got ${describeValue(header)})`);
    for (const [name, bytes] of Object.entries(header as Record<string, unknown>)) {
      const where = `${path}[${i}].${name}`;
      if (!Array.isArray(bytes)) fail(where, `must be an array of bytes (got ${describeValue(bytes)})`);
      for (const byte of bytes as unknown[]) {
        if (!Number.isInteger(byte) || (byte as number) < -128 || (byte as number) > 255) fail(where, 'must hold only byte values');
      }
      decoded.push({ name, value: Buffer.from(bytes as number[]) });
    }
  });
  return decoded;
}

/**
 * A decoded record. The key is decoded from base64 only when something reads it (dead letters do;
 * clean records never), which saves a buffer per record on the hot path.
 */
class LambdaRecord implements DecodedRecord {
  private decodedKey: Buffer | null | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    readonly timestamp: number,
    readonly timestampType: string,
    private readonly rawKey: string | null,
    readonly value: Buffer | null,
    readonly headers: readonly KafkaHeader[],
    readonly decodeError?: string,
    readonly rawValue?: string,
  ) {}

  get key(): Buffer | null {
    if (this.decodedKey === undefined) this.decodedKey = this.rawKey === null ? null : (decodeStrictBase64(this.rawKey) ?? null);
    return this.decodedKey;
  }
}

function decodeRecord(raw: unknown, path: string): DecodedRecord {
  if (!isPlainObject(raw)) return fail(path, `must be an object (got ${describeValue(raw)})`);
  const { topic, partition, offset, timestamp, timestampType } = raw;
  if (typeof topic !== 'string' || topic === '') fail(`${path}.topic`, 'must be a topic name');
  if (!Number.isInteger(partition) || (partition as number) < 0) fail(`${path}.partition`, 'must be a non-negative integer');
  const offsetText = typeof offset === 'number' && Number.isSafeInteger(offset) ? String(offset) : typeof offset === 'string' ? offset.replace(/^0+(?=\d)/, '') : '';
  if (!/^\d{1,19}$/.test(offsetText)) fail(`${path}.offset`, `must be a non-negative integer (got ${clipText(String(JSON.stringify(offset)), 40)})`);
  if (timestamp !== undefined && !Number.isFinite(timestamp)) fail(`${path}.timestamp`, 'must be milliseconds since the epoch');
  const key = bytesField(raw.key, `${path}.key`);
  const value = bytesField(raw.value, `${path}.value`);
  const headers = decodeHeaders(raw.headers, `${path}.headers`);
  const bytes = value === null ? null : decodeStrictBase64(value);
  const decodeError = bytes === undefined ? 'value is not valid base64' : key !== null && !isBase64(key) ? 'key is not valid base64' : undefined;
  return new LambdaRecord(
    topic as string,
    partition as number,
    offsetText,
    (timestamp as number | undefined) ?? 0,
    typeof timestampType === 'string' ? timestampType : 'CREATE_TIME',
    key,
    bytes ?? null,
    headers,
    decodeError,
    bytes === undefined ? (value ?? undefined) : undefined,
  );
}

const isAscending = (records: readonly DecodedRecord[]): boolean => {
  for (let i = 1; i < records.length; i++) {
    const a = records[i - 1]!.offset;
    const b = records[i]!.offset;
    if (a.length > b.length || (a.length === b.length && a > b)) return false;
  }
  return true;
};

// Decimal strings without leading zeros compare by length, then lexically: no BigInt needed.
const compareOffsets = ({ offset: a }: DecodedRecord, { offset: b }: DecodedRecord): number =>
  a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Decodes a Lambda Kafka event into records in delivery order: partition groups as the event
 * lists them, each in offset order. Throws {@link InvalidEventError} naming the path of the first
 * problem when the event is not a well-formed Kafka event (a wiring mistake, not poison data).
 * A key or value that is not base64 is record-level trouble: the record becomes `UNDECODABLE`.
 */
export function decodeKafkaEvent(event: unknown): DecodedBatch {
  if (!isPlainObject(event)) return fail('event', `must be a Kafka event object (got ${describeValue(event)})`);
  const { eventSource } = event;
  if (eventSource !== 'aws:kafka' && eventSource !== 'SelfManagedKafka') {
    fail('event.eventSource', `must be "aws:kafka" or "SelfManagedKafka" (got ${clipText(String(JSON.stringify(eventSource)), 60)}): not a Kafka event`);
  }
  if (!isPlainObject(event.records)) fail('event.records', `must be an object of "topic-partition" groups (got ${describeValue(event.records)})`);
  const origin = eventSource === 'aws:kafka' ? event.eventSourceArn : event.bootstrapServers;

  const records: DecodedRecord[] = [];
  for (const [group, groupRecords] of Object.entries(event.records as Record<string, unknown>)) {
    const path = `event.records[${JSON.stringify(group)}]`;
    if (!Array.isArray(groupRecords)) fail(path, `must be an array of records (got ${describeValue(groupRecords)})`);
    const decoded = (groupRecords as unknown[]).map((r, i) => decodeRecord(r, `${path}[${i}]`));
    // Lambda delivers each partition in offset order; sort only if an event does not.
    if (!isAscending(decoded)) decoded.sort(compareOffsets);
    for (const record of decoded) records.push(record);
  }
  return { eventSource: eventSource as KafkaEventSource, origin: typeof origin === 'string' ? origin : '', records };
}
