import type { KafkaMessage } from 'kafkajs';
import type { LambdaKafkaEvent, LambdaKafkaRecord } from '../../lib/kafka/event';

/** Where the emulated event source mapping says the records came from. */
export type EventSourceIdentity =
  | { readonly kind: 'msk'; readonly clusterArn: string; readonly bootstrapServers: string }
  | { readonly kind: 'kafka'; readonly bootstrapServers: string };

// Record batch attribute bit 3 (0x08): the timestamp was set by the broker (LogAppendTime).
const LOG_APPEND_TIME = 0x08;

const headerBytes = (value: Buffer | string | (Buffer | string)[] | undefined): number[] => {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? [] : [...Buffer.from(first)];
};

/** One record the way Lambda renders it: base64 key/value (absent when null), headers as byte arrays. */
export function toLambdaRecord(topic: string, partition: number, message: KafkaMessage): LambdaKafkaRecord {
  const record: LambdaKafkaRecord = {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    timestampType: (message.attributes & LOG_APPEND_TIME) !== 0 ? 'LOG_APPEND_TIME' : 'CREATE_TIME',
  };
  if (message.key !== null && message.key !== undefined) record.key = message.key.toString('base64');
  if (message.value !== null && message.value !== undefined) record.value = message.value.toString('base64');
  record.headers = Object.entries(message.headers ?? {}).map(([name, value]) => ({ [name]: headerBytes(value) }));
  return record;
}

/**
 * Builds the event Lambda delivers for one partition's batch: `aws:kafka` with the cluster ARN
 * for MSK, `SelfManagedKafka` for self-managed Kafka; records keyed `"topic-partition"`.
 */
export function toLambdaEvent(source: EventSourceIdentity, topic: string, partition: number, messages: readonly KafkaMessage[]): LambdaKafkaEvent {
  const records = { [`${topic}-${partition}`]: messages.map((m) => toLambdaRecord(topic, partition, m)) };
  return source.kind === 'msk'
    ? { eventSource: 'aws:kafka', eventSourceArn: source.clusterArn, bootstrapServers: source.bootstrapServers, records }
    : { eventSource: 'SelfManagedKafka', bootstrapServers: source.bootstrapServers, records };
}
