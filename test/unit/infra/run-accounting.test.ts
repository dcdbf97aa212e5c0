import { accountForTable, shortfall, type DeliveredBatch, type RunRange } from '../../../infra/demo/run-accounting';

const batch = (partition: number, first: number, last: number, figures: Partial<DeliveredBatch> = {}): DeliveredBatch => {
  const received = last - first + 1;
  return { topic: 'orders-topic', partition, firstOffset: BigInt(first), lastOffset: BigInt(last), received, inserted: received, skippedDuplicates: 0, sentToDlq: 0, ...figures };
};
const range = (partition: number, from: number, to: number): RunRange => ({ topic: 'orders-topic', partition, from: BigInt(from), to: BigInt(to) });

describe('accountForTable (what became of one run\'s records)', () => {
  it('counts only the invocations that held this run\'s offsets, not those of records already waiting', () => {
    // Prepare: partition 0 held 20 earlier records (0..19); this run added 20..29 and 0..4 on partition 1.
    const batches = [batch(0, 0, 19), batch(0, 20, 24, { inserted: 4, sentToDlq: 1 }), batch(0, 25, 29, { inserted: 3, skippedDuplicates: 2 }), batch(1, 0, 4)];
    // Act
    const account = accountForTable('orders', 15, [range(0, 20, 30), range(1, 0, 5)], batches);
    // Assess
    expect(account).toEqual({ table: 'orders', produced: 15, received: 15, inserted: 12, skippedDuplicates: 2, sentToDlq: 1, others: 0, missing: [] });
    expect(shortfall(account)).toBeUndefined();
  });

  it('names the table, the number and the offsets of records no invocation held', () => {
    // Prepare: the client skipped 100..199 and never reached 290..299.
    const batches = [batch(2, 0, 99), batch(2, 200, 289)];
    // Act
    const account = accountForTable('orders', 300, [range(2, 0, 300)], batches);
    // Assess
    expect(account.missing).toEqual([
      { topic: 'orders-topic', partition: 2, from: 100n, to: 200n },
      { topic: 'orders-topic', partition: 2, from: 290n, to: 300n },
    ]);
    expect(shortfall(account)).toBe('orders: 110 of 300 produced record(s) never reached the handler (orders-topic[2] offsets 100..199, orders-topic[2] offsets 290..299); inserted 190, skipped 0, sent to DLQ 0');
  });

  it('fails when the handler reports fewer outcomes than records it received', () => {
    const account = accountForTable('orders', 10, [range(0, 0, 10)], [batch(0, 0, 9, { inserted: 9 })]);
    expect(shortfall(account)).toBe('orders: the handler accounted for 9 of the 10 record(s) it received (inserted 9, skipped 0, sent to DLQ 0)');
  });

  it('counts records another producer wrote into the same batches as others, without a shortfall', () => {
    // Prepare: the run sent 10 records, someone else 3 more in the same range and right after it.
    const account = accountForTable('orders', 10, [range(0, 0, 12)], [batch(0, 0, 12)]);
    // Assess
    expect(account).toMatchObject({ received: 13, inserted: 13, others: 3, missing: [] });
    expect(shortfall(account)).toBeUndefined();
  });

  it('accounts for an empty run', () => {
    const account = accountForTable('users', 0, [range(0, 7, 7)], [batch(0, 0, 6)]);
    expect(account).toMatchObject({ produced: 0, received: 0, missing: [] });
    expect(shortfall(account)).toBeUndefined();
  });
});
