import { crc32 } from 'node:zlib';
import { escapedLength, PARAMETER_CHUNK_BYTES } from '../../../../lib/clickhouse/array-parameters';
import { processedLookupQuery } from '../../../../lib/clickhouse/processed-lookup';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe('processedLookupQuery', () => {
  it('asks for the batch\'s messageIds and the CRC-32 of its recordIds, each value once', () => {
    // Act
    const { query, params } = processedLookupQuery('users', [
      { messageId: 'm1', recordId: id(1) },
      { messageId: 'm1', recordId: id(2) },
      { messageId: 'm1', recordId: id(1) },
    ]);
    // Assess
    expect(query).toBe(
      'SELECT message_id, record_id FROM processed_events WHERE table_name = {table:String} ' +
        'AND message_id IN arrayConcat({m0:Array(String)}) AND CRC32(record_id) IN arrayConcat({h0:Array(UInt32)})',
    );
    expect(params).toEqual({ table: 'users', m0: ['m1'], h0: [crc32(id(1)), crc32(id(2))] });
  });

  it('splits 10,000 keys with 256-character messageIds into few parameters under the field limit', () => {
    // Prepare: ids full of characters the client escapes.
    const keys = Array.from({ length: 10_000 }, (_, i) => ({ messageId: `${"'\\\t".repeat(40)}é-${String(i).padStart(130, '0')}`, recordId: id(i) }));
    // Act
    const { params } = processedLookupQuery('orders', keys);
    // Assess
    const values = <T>(prefix: string) => Object.keys(params).filter((n) => n.startsWith(prefix)).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))).map((n) => params[n] as T[]);
    for (const chunk of values<string>('m')) expect(chunk.reduce((n, v) => n + escapedLength(v), 0)).toBeLessThanOrEqual(PARAMETER_CHUNK_BYTES);
    for (const chunk of values<number>('h')) expect(chunk.reduce((n, v) => n + String(v).length + 1, 0)).toBeLessThanOrEqual(PARAMETER_CHUNK_BYTES);
    expect(values('m').flat()).toEqual(keys.map((k) => k.messageId));
    expect(values('h').flat()).toEqual([...new Set(keys.map((k) => crc32(k.recordId)))]);
    expect(values('m').length + values('h').length).toBeLessThan(40);
  });

  it('counts the bytes the client sends for a value: quotes, comma and one backslash per escaped character', () => {
    expect(escapedLength('abc')).toBe(6);
    expect(escapedLength("a'b\\c\t\n\r")).toBe(Buffer.byteLength("a'b\\c\t\n\r") + 5 + 3);
    expect(escapedLength('é😀')).toBe(2 + 4 + 3);
  });
});
