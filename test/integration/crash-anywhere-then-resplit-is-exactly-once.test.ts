import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createClickHouseClientFor } from '../../lib/clickhouse/client';
import { createPorts } from '../../lib/create-ports';
import { createTableHandler, type TableHandler } from '../../lib/handler';
import { CrashInjector, type CrashPlan } from '../support/crashing-clickhouse';
import { kafkaEvent, userEnvelope, userId } from '../support/events';
import { startTestStack, type TestStack } from '../support/test-stack';

type Kind = 'valid' | 'poison' | 'rejected';
interface StreamRecord {
  readonly n: number;
  readonly kind: Kind;
  readonly offset: number;
}

/** The value of a stream record: a valid user, poison, or a user ClickHouse's constraint rejects. */
const valueOf = (r: StreamRecord): string =>
  r.kind === 'poison' ? `{"broken": ${r.n}` : userEnvelope(r.n, r.kind === 'rejected' ? { name: 'Rejected by ClickHouse' } : {});

const eventOf = (records: readonly StreamRecord[]) => kafkaEvent(records.map((r) => ({ partition: 0, offset: r.offset, value: valueOf(r) })));

describe('a crash at any point, then any redelivery pattern, leaves every key exactly once without FINAL', () => {
  let ts: TestStack;
  const injector = new CrashInjector();
  let nextN = 100_000;
  let nextOffset = 0;

  beforeAll(async () => {
    ts = await startTestStack();
    await ts.clickhouse.command({ query: "ALTER TABLE users ADD CONSTRAINT not_rejected CHECK name != 'Rejected by ClickHouse'" });
  });

  afterAll(() => ts.stop());

  /** A fresh "container": a new handler whose ClickHouse client can be crashed. */
  const coldStart = (): TableHandler =>
    createTableHandler('users', {
      config: ts.config,
      createPorts: (config, options) => createPorts(config, { ...options, createClickHouseClient: (c, credentials) => injector.wrap(createClickHouseClientFor(c, credentials)) }),
    });

  const assertExactlyOnce = async (stream: readonly StreamRecord[]) => {
    const valid = [...new Set(stream.filter((r) => r.kind === 'valid').map((r) => userId(r.n)))];
    const all = [...new Set(stream.map((r) => userId(r.n)))];
    const [rows] = await (
      await ts.clickhouse.query({
        query: 'SELECT count() AS rows, uniqExact(id) AS ids, groupArray(toString(id)) AS present FROM users WHERE id IN {ids:Array(UUID)}',
        query_params: { ids: all },
        format: 'JSONEachRow',
      })
    ).json<{ rows: string; ids: string; present: string[] }>();
    expect(Number(rows!.rows)).toBe(Number(rows!.ids));
    expect([...new Set(rows!.present)].sort()).toEqual(valid.sort());
    const [markers] = await (
      await ts.clickhouse.query({
        query: "SELECT count() AS n, uniqExact(message_id, record_id) AS keys FROM processed_events WHERE table_name = 'users' AND record_id IN {ids:Array(String)}",
        query_params: { ids: all },
        format: 'JSONEachRow',
      })
    ).json<{ n: string; keys: string }>();
    expect(Number(markers!.n)).toBe(valid.length);
    expect(Number(markers!.keys)).toBe(valid.length);
    const lettered = await (
      await ts.clickhouse.query({
        // Without DISTINCT or FINAL: one row per poison record, however the batches were split.
        query: "SELECT toString(source_offset) AS offset FROM dead_letters WHERE source_topic = 'users-topic' AND source_partition = 0 AND source_offset IN {offsets:Array(UInt64)}",
        query_params: { offsets: stream.filter((r) => r.kind !== 'valid').map((r) => r.offset) },
        format: 'JSONEachRow',
      })
    ).json<{ offset: string }>();
    expect(lettered.map((l) => Number(l.offset)).sort((a, b) => a - b)).toEqual(stream.filter((r) => r.kind !== 'valid').map((r) => r.offset));
  };

  it('in process: crashes before or after each ClickHouse request, then grown, split, overlapping and reordered redeliveries (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Kind>('valid', 'valid', 'valid', 'valid', 'poison', 'rejected'), { minLength: 3, maxLength: 30 }),
        fc.array(
          fc.record({
            size: fc.integer({ min: 1, max: 12 }),
            crash: fc.option(fc.record({ atRequest: fc.integer({ min: 1, max: 5 }), moment: fc.constantFrom<CrashPlan['moment']>('before', 'after') }), { freq: 2 }),
            strayFrom: fc.option(fc.nat(), { freq: 4 }),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        async (kinds, attempts) => {
          // Prepare: a partition's records, some of them duplicates of earlier ones.
          const stream: StreamRecord[] = kinds.map((kind) => ({ n: nextN++, kind, offset: nextOffset++ }));
          let handler = coldStart();
          let committed = 0;
          // Act: the event source mapping delivers from the committed offset; a batch may grow or
          // shrink on every retry, a crash may stop it anywhere, and a stray redelivery of any
          // earlier or later slice may come in between (another poller, a replay, bisection).
          for (let i = 0; committed < stream.length; i++) {
            const attempt = attempts[i % attempts.length]!;
            if (attempt.strayFrom !== null) {
              const from = attempt.strayFrom % stream.length;
              injector.arm(undefined);
              await handler(eventOf(stream.slice(from, from + attempt.size)), { awsRequestId: `stray-${i}` });
            }
            // Each crash plan is used once, so the stream always completes.
            injector.arm(i < attempts.length ? (attempt.crash ?? undefined) : undefined);
            const batch = stream.slice(committed, committed + attempt.size);
            const ok = await handler(eventOf(batch), { awsRequestId: `attempt-${i}` }).then(() => true, () => false);
            if (ok) committed += batch.length;
            else {
              await handler.close();
              handler = coldStart();
            }
          }
          injector.arm(undefined);
          await handler.close();
          // Assess
          await assertExactlyOnce(stream);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('killed at random instants in a child process (SIGKILL), then re-split redeliveries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kcl-crash-'));
    /** Runs the child on `stream`; kills it `killAfterMs` after its handler started, or lets it finish. Returns how long it ran. */
    const runChild = async (stream: readonly StreamRecord[], file: string, killAfterMs?: number): Promise<number> => {
      writeFileSync(file, JSON.stringify(eventOf(stream)));
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'support', 'crash-child.ts'), file], {
        env: { ...process.env, ...ts.env },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const started = Date.now();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      await exited;
      clearTimeout(timer);
      return Date.now() - started;
    };
    const batchOf400 = (): StreamRecord[] => Array.from({ length: 400 }, (_, i) => ({ n: nextN++, kind: i % 37 === 5 ? 'poison' : 'valid', offset: nextOffset++ }));
    try {
      // Calibrate: how long the child takes to handle the batch when nobody kills it.
      const calibration = batchOf400();
      const duration = await runChild(calibration, join(dir, 'calibration.json'));
      await assertExactlyOnce(calibration);
      for (let run = 0; run < 6; run++) {
        // Prepare: a 400-record batch with some poison.
        const stream = batchOf400();
        // Act: kill the process at a random instant while its handler runs (spread over the
        // lookup, the insert and the dead-letter writes).
        await runChild(stream, join(dir, `event-${run}.json`), Math.floor(Math.random() * duration));
        // Then deliver it again in pieces of random size until everything is done.
        const handler = coldStart();
        for (let committed = 0; committed < stream.length; ) {
          const batch = stream.slice(committed, committed + 1 + Math.floor(Math.random() * 150));
          await handler(eventOf(batch), { awsRequestId: `after-kill-${run}-${committed}` });
          committed += batch.length;
        }
        await handler.close();
        // Assess
        await assertExactlyOnce(stream);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
