import type { KafkaMessage } from 'kafkajs';
import { toLambdaEvent } from '../../../infra/serverless-offline-kafka/lambda-event';
import type { LambdaKafkaEvent, LambdaKafkaRecord } from '../../../lib/kafka/event';
import { loadFixture } from '../../support/events';

/** The message kafkajs hands the emulator for a record that Lambda rendered as `record`. */
const asKafkaMessage = (record: LambdaKafkaRecord): KafkaMessage =>
  ({
    key: record.key ? Buffer.from(record.key, 'base64') : null,
    value: record.value ? Buffer.from(record.value, 'base64') : null,
    timestamp: String(record.timestamp),
    attributes: record.timestampType === 'LOG_APPEND_TIME' ? 0x08 : 0,
    offset: String(record.offset),
    headers: Object.fromEntries((record.headers ?? []).flatMap((h) => Object.entries(h).map(([name, bytes]) => [name, Buffer.from(bytes)]))),
  }) as unknown as KafkaMessage;

const onePartition = (event: LambdaKafkaEvent, group: string): LambdaKafkaEvent => ({ ...event, records: { [group]: event.records[group]! } });

describe('the emulator builds events exactly like Lambda', () => {
  it('matches the MSK fixture field by field, partition by partition', () => {
    const fixture = loadFixture('msk-users.json');
    for (const [group, records] of Object.entries(fixture.records)) {
      // Act
      const event = toLambdaEvent(
        { kind: 'msk', clusterArn: fixture.eventSourceArn!, bootstrapServers: fixture.bootstrapServers! },
        records[0]!.topic,
        records[0]!.partition,
        records.map(asKafkaMessage),
      );
      // Assess
      expect(event).toEqual(onePartition(fixture, group));
    }
  });

  it('matches the self-managed fixture (no eventSourceArn)', () => {
    const fixture = loadFixture('self-managed-products.json');
    const [group, records] = Object.entries(fixture.records)[0]!;
    const event = toLambdaEvent({ kind: 'kafka', bootstrapServers: fixture.bootstrapServers! }, 'products-topic', 2, records.map(asKafkaMessage));
    expect(event).toEqual(onePartition(fixture, group));
    expect(event).not.toHaveProperty('eventSourceArn');
  });

  it('omits null keys and values, and marks broker timestamps as LOG_APPEND_TIME', () => {
    const message = { key: null, value: null, timestamp: '5', attributes: 0x08, offset: '9', headers: {}, size: 0 } as unknown as KafkaMessage;
    const event = toLambdaEvent({ kind: 'kafka', bootstrapServers: 'k:9092' }, 't', 0, [message]);
    expect(event.records['t-0']).toEqual([{ topic: 't', partition: 0, offset: 9, timestamp: 5, timestampType: 'LOG_APPEND_TIME', headers: [] }]);
  });
});
