import type { ClickHouseClient } from '@clickhouse/client';
import { ClickHouseAuditTrail, MAX_QUEUED_AUDIT_ENTRIES } from '../../../../lib/clickhouse/audit-trail';
import type { ClickHouseConnection } from '../../../../lib/clickhouse/connection';
import type { AuditEntry, PipelineLogger } from '../../../../lib/ports';

/** A connection whose inserts are recorded (request ids per insert) and can be made to fail. */
function recordingConnection() {
  const inserts: string[][] = [];
  let failNext = 0;
  const client = {
    insert: async ({ values }: { values: Array<{ request_id: string }> }) => {
      if (failNext > 0) {
        failNext -= 1;
        throw new Error('connect ECONNREFUSED 127.0.0.1:8123');
      }
      inserts.push(values.map((v) => v.request_id));
    },
  } as unknown as ClickHouseClient;
  const connection = { run: <T>(operation: (c: ClickHouseClient) => Promise<T>) => operation(client) } as unknown as ClickHouseConnection;
  return { connection, inserts, failNext: (n: number) => void (failNext = n) };
}

const entry = (requestId: string): AuditEntry => ({
  table: 'users', status: 'success', received: 1, inserted: 1, skippedDuplicates: 0, sentToDlq: 0, durationMs: 2, requestId, errorMessage: '', processedAt: new Date('2024-01-01T00:00:00Z'),
});

describe('ClickHouseAuditTrail', () => {
  let clock = 0;
  const warnings: string[] = [];
  const logger: PipelineLogger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (message) => void warnings.push(message) };

  beforeEach(() => {
    jest.useFakeTimers();
    clock = 0;
    warnings.length = 0;
  });
  afterEach(() => jest.useRealTimers());

  /** Advances the fake clock and timers, then lets the resulting writes settle. */
  const advance = async (ms: number) => {
    clock += ms;
    await jest.advanceTimersByTimeAsync(ms);
  };

  it('writes a quiet container’s row right after the batch, not during it', async () => {
    // Prepare
    const { connection, inserts } = recordingConnection();
    const audit = new ClickHouseAuditTrail(connection, logger, { now: () => clock, minIntervalMs: 1_000 });
    // Act
    audit.record(entry('a'));
    const duringTheBatch = inserts.length;
    await advance(0);
    // Assess
    expect(duringTheBatch).toBe(0);
    expect(inserts).toEqual([['a']]);
  });

  it('writes a busy container’s rows together, at most one insert per interval, and none is lost', async () => {
    // Prepare
    const { connection, inserts } = recordingConnection();
    const audit = new ClickHouseAuditTrail(connection, logger, { now: () => clock, minIntervalMs: 1_000 });
    // Act: ten batches 100 ms apart.
    for (let i = 0; i < 10; i++) {
      audit.record(entry(`b${i}`));
      await advance(100);
    }
    await advance(1_000);
    // Assess
    expect(inserts).toEqual([['b0'], ['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8', 'b9']]);
  });

  it('writes each row at once again when batches are further apart than the interval', async () => {
    // Prepare
    const { connection, inserts } = recordingConnection();
    const audit = new ClickHouseAuditTrail(connection, logger, { now: () => clock, minIntervalMs: 1_000 });
    // Act
    for (const id of ['c1', 'c2', 'c3']) {
      audit.record(entry(id));
      await advance(1_500);
    }
    // Assess
    expect(inserts).toEqual([['c1'], ['c2'], ['c3']]);
  });

  it('flush writes what waits for the interval at once (a CLI or test closing the handler)', async () => {
    // Prepare
    const { connection, inserts } = recordingConnection();
    const audit = new ClickHouseAuditTrail(connection, logger, { now: () => clock, minIntervalMs: 60_000 });
    audit.record(entry('d1'));
    await advance(0);
    audit.record(entry('d2'));
    // Act
    await audit.flush();
    // Assess
    expect(inserts).toEqual([['d1'], ['d2']]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps the rows of a failed write for the next one, logs and counts the failure', async () => {
    // Prepare
    const { connection, inserts, failNext } = recordingConnection();
    let failures = 0;
    const audit = new ClickHouseAuditTrail(connection, logger, { now: () => clock, minIntervalMs: 0, onFailure: () => void failures++ });
    failNext(1);
    // Act
    audit.record(entry('e1'));
    await advance(0);
    audit.record(entry('e2'));
    await advance(0);
    // Assess
    expect(inserts).toEqual([['e1', 'e2']]);
    expect(failures).toBe(1);
    expect(warnings).toEqual(['could not write migration_logs rows; kept for the next attempt']);
  });

  it('keeps at most the newest entries while ClickHouse stays unreachable', async () => {
    // Prepare
    const { connection, inserts, failNext } = recordingConnection();
    const audit = new ClickHouseAuditTrail(connection, logger, { now: () => clock, minIntervalMs: 0 });
    failNext(1);
    audit.record(entry('old-0'));
    await advance(0);
    // Act
    for (let i = 1; i <= MAX_QUEUED_AUDIT_ENTRIES; i++) audit.record(entry(`new-${i}`));
    await audit.flush();
    // Assess
    expect(inserts).toHaveLength(1);
    expect(inserts[0]).toHaveLength(MAX_QUEUED_AUDIT_ENTRIES);
    expect(inserts[0]![0]).toBe('new-1');
  });
});
