import { PARAMETER_CHUNK_BYTES, processedLookupQuery } from '../../../../lib/clickhouse/processed-lookup';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe('processedLookupQuery', () => {
  it('asks for exact (message_id, record_id) pairs, each key once', () => {
    // Act
    const { query, params } = processedLookupQuery('users', [
      { messageId: 'm1', recordId: id(1) },
      { messageId: 'm1', recordId: id(2) },
      { messageId: 'm1', recordId: id(1) },
    ]);
    // Assess
    expect(query).toBe(
      'SELECT message_id, record_id FROM processed_events WHERE table_name = {table:String} ' +
        'AND (message_id, record_id) IN (SELECT arrayJoin(arrayZip(arrayConcat({m0:Array(String)}), arrayConcat({r0:Array(String)}))))',
    );
    expect(params).toEqual({ table: 'users', m0: ['m1', 'm1'], r0: [id(1), id(2)] });
  });

  it('splits 10,000 keys with 256-character messageIds into aligned parameters under the field limit', () => {
    // Prepare
    const keys = Array.from({ length: 10_000 }, (_, i) => ({ messageId: `${'é'.repeat(120)}-${String(i).padStart(135, '0')}`, recordId: id(i) }));
    // Act
    const { params } = processedLookupQuery('orders', keys);
    // Assess
    const names = Object.keys(params).filter((n) => n.startsWith('m'));
    expect(names.length).toBeGreaterThan(1);
    let total = 0;
    for (const name of names) {
      const m = params[name] as string[];
      const r = params[`r${name.slice(1)}`] as string[];
      expect(r).toHaveLength(m.length);
      for (const values of [m, r]) expect(values.reduce((n, v) => n + 2 * Buffer.byteLength(v) + 3, 0)).toBeLessThanOrEqual(PARAMETER_CHUNK_BYTES);
      total += m.length;
    }
    expect(total).toBe(10_000);
  });
});
