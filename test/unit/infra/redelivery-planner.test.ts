import fc from 'fast-check';
import { planBatchSize, type BatchPlanInput } from '../../../infra/serverless-offline-kafka/redelivery';

const failedInput = fc.record({
  mode: fc.constantFrom('identical' as const, 'resplit' as const),
  batchSize: fc.integer({ min: 1, max: 10_000 }),
  available: fc.integer({ min: 1, max: 20_000 }),
  failed: fc.record({ size: fc.integer({ min: 1, max: 10_000 }), attempt: fc.integer({ min: 1, max: 50 }) }),
  seed: fc.string(),
});

describe('planBatchSize (what an event holds, first delivery and retries)', () => {
  it('fills a first delivery up to the batch size with what is at hand', () => {
    // Act / Assess
    expect(planBatchSize({ mode: 'resplit', batchSize: 500, available: 1_200, seed: 't/0/0' })).toBe(500);
    expect(planBatchSize({ mode: 'resplit', batchSize: 500, available: 40, seed: 't/0/0' })).toBe(40);
  });

  it('never plans an empty batch, nor one over the batch size or beyond the records at hand', () => {
    fc.assert(
      fc.property(failedInput, (input) => {
        const size = planBatchSize(input);
        expect(size).toBeGreaterThanOrEqual(1);
        expect(size).toBeLessThanOrEqual(Math.min(input.batchSize, input.available));
      }),
    );
  });

  it('retries the same records in identical mode', () => {
    fc.assert(
      fc.property(failedInput, (input) => {
        fc.pre(input.failed.size <= Math.min(input.batchSize, input.available));
        expect(planBatchSize({ ...input, mode: 'identical' })).toBe(input.failed.size);
      }),
    );
  });

  it('changes the batch on every resplit retry that can change', () => {
    fc.assert(
      fc.property(failedInput, (input) => {
        const limit = Math.min(input.batchSize, input.available);
        fc.pre(input.failed.size <= limit && (input.failed.size > 1 || limit > 1));
        expect(planBatchSize({ ...input, mode: 'resplit' })).not.toBe(input.failed.size);
      }),
    );
  });

  it('is deterministic, and varies grow, halve and cut over successive attempts', () => {
    // Prepare
    const base: BatchPlanInput = { mode: 'resplit', batchSize: 100, available: 100, seed: 'orders-topic/2/4200', failed: { size: 60, attempt: 1 } };
    // Act
    const sizes = [1, 2, 3, 4, 5, 6].map((attempt) => planBatchSize({ ...base, failed: { size: 60, attempt } }));
    // Assess
    expect([1, 2, 3, 4, 5, 6].map((attempt) => planBatchSize({ ...base, failed: { size: 60, attempt } }))).toEqual(sizes);
    expect(sizes).toContain(100); // grown with the records that arrived
    expect(sizes).toContain(30); // halved
    expect(sizes.some((s) => s !== 100 && s !== 30 && s < 60)).toBe(true); // cut elsewhere
  });

  it('grows a failed batch of one when more records arrived, and keeps it when none did', () => {
    const failed = { size: 1, attempt: 1 };
    expect(planBatchSize({ mode: 'resplit', batchSize: 10, available: 7, seed: 's', failed })).toBe(7);
    expect(planBatchSize({ mode: 'resplit', batchSize: 10, available: 1, seed: 's', failed })).toBe(1);
  });
});
