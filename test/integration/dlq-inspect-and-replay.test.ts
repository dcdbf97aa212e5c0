import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPorts, type ClosablePorts } from '../../lib/create-ports';
import type { OurLetter } from '../../lib/dlq/letter';
import { readLettersFromTopic } from '../../lib/dlq/read-dlq-topic';
import { replay } from '../../lib/dlq/replay';
import { planReplay } from '../../lib/dlq/replay-plan';
import { processBatch } from '../../lib/pipeline';
import { runDlqCli } from '../support/dlq-cli';
import { loadFixture, userEnvelope } from '../support/events';
import { silentLogger } from '../support/fakes';
import { startTestStack, testProducer, type TestStack } from '../support/test-stack';

describe("npm run dlq: the handlers' letters", () => {
  let ts: TestStack;
  let ports: ClosablePorts;

  beforeAll(async () => {
    ts = await startTestStack();
    ports = await createPorts(ts.config);
    await processBatch(loadFixture('msk-users-mixed.json'), { table: 'users', requestId: 'dlq-test', maxRecordBytes: 1_048_576, ports, logger: silentLogger });
  });

  afterAll(async () => {
    await ports.close();
    await ts.stop();
  });

  it('reads the dead letters back, filtered by reason or table', async () => {
    const all = await readLettersFromTopic(ts.kafka, 'dlq-topic');
    expect(all.map((l) => [l.kind, l.reason])).toEqual([
      ['ours', 'INVALID_JSON'],
      ['ours', 'SCHEMA_VALIDATION'],
      ['ours', 'TABLE_MISMATCH'],
      ['ours', 'EMPTY_VALUE'],
      ['ours', 'UNDECODABLE'],
    ]);
    const schema = (await readLettersFromTopic(ts.kafka, 'dlq-topic', { reason: 'SCHEMA_VALIDATION' })) as OurLetter[];
    expect(schema.map((l) => [l.key?.toString(), l.value.source.offset])).toEqual([['bad-email', '42']]);
    expect(await readLettersFromTopic(ts.kafka, 'dlq-topic', { table: 'orders' })).toEqual([]);
  });

  it('replays a chosen record to its source topic with its original bytes, naming the letter in a header', async () => {
    // Prepare
    const [binary] = await readLettersFromTopic(ts.kafka, 'dlq-topic', { reason: 'UNDECODABLE' });
    const plan = planReplay(binary!);
    const before = await ts.topicSize('users-topic');
    // Act
    const producer = await testProducer(ts.kafka);
    const counts = await replay(producer, plan.kind === 'send' ? plan.records : []);
    await producer.disconnect();
    // Assess
    expect(counts).toEqual({ 'users-topic': 1 });
    const messages = await ts.readMessages('users-topic');
    expect(messages).toHaveLength(before + 1);
    const replayed = messages.find((m) => m.headers?.['x-replayed-from-dlq-offset']?.toString() === `0:${binary!.position!.offset}`)!;
    expect(replayed.key?.toString()).toBe('binary');
    expect(replayed.value).toEqual(Buffer.from([0xff, 0xfe, 0x00, 0x41]));
  });

  it('replays the fixed originalMessage of an edited inspect --json line', async () => {
    // Prepare: the INVALID_JSON letter, fixed by hand.
    const { stdout } = await runDlqCli(['inspect', '--reason', 'INVALID_JSON', '--json'], ts.env);
    const line = JSON.parse(stdout);
    line.value.originalMessage = userEnvelope(777);
    const dir = mkdtempSync(join(tmpdir(), 'dlq-fix-'));
    writeFileSync(join(dir, 'fixed.jsonl'), `${JSON.stringify(line)}\n`);
    // Act
    const replayed = await runDlqCli(['replay', '--file', join(dir, 'fixed.jsonl')], ts.env).finally(() => rmSync(dir, { recursive: true, force: true }));
    // Assess
    expect(replayed).toEqual({ code: 0, stderr: '', stdout: `#0:${line.offset}: sending 1 record(s) to users-topic (from the letter)\nreplayed 1 record(s) to users-topic\n` });
    const fixed = (await ts.readMessages('users-topic')).filter((m) => m.headers?.['x-replayed-from-dlq-offset']?.toString() === `0:${line.offset}`);
    expect(fixed.map((m) => [m.key?.toString(), m.value?.toString()])).toEqual([[line.key, userEnvelope(777)]]);
  });

  it('prints a readable listing, and one readable line for bad usage', async () => {
    const { code, stdout } = await runDlqCli(['inspect', '--reason', 'TABLE_MISMATCH'], ts.env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^#0:2 {2}users {2}TABLE_MISMATCH {2}users-topic\[2\]@43 {2}The record was sent to the wrong topic/);
    expect(stdout).toContain('1 letter(s) in dlq-topic matching the filter.');
    expect(await runDlqCli(['replay'], ts.env)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: choose what to replay: --all, --reason, --table, --offset, --record, --since or --file. See `npm run dlq -- --help`.\n',
    });
    expect(await runDlqCli(['inspect', '--bogus'], ts.env)).toEqual({ code: 1, stdout: '', stderr: 'error: unknown option --bogus. See `npm run dlq -- --help`.\n' });
    expect(await runDlqCli(['inspect', '--offset', '2'], { ...ts.env, DLQ_TOPIC: 'users-topic' })).toMatchObject({
      code: 1,
      stderr: 'error: --offset 2 is ambiguous: users-topic has 3 partitions; write PARTITION:OFFSET, e.g. --offset 0:2. See `npm run dlq -- --help`.\n',
    });
    expect(await runDlqCli(['inspect', '--offset', '5:1'], ts.env)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: --offset 5:1: dlq-topic has no partition 5 (it has 1 partition: 0). See `npm run dlq -- --help`.\n',
    });
  });

  it('--reason takes only known reasons, listing them in its one line', async () => {
    for (const command of ['inspect', 'replay']) {
      const outcome = await runDlqCli([command, '--reason', 'SCHEMA'], ts.env);
      expect(outcome).toMatchObject({ code: 1, stdout: '' });
      expect(outcome.stderr).toMatch(/^error: --reason "SCHEMA" is not a known reason: use one of EMPTY_VALUE, UNDECODABLE, OVERSIZE, INVALID_JSON, SCHEMA_VALIDATION, TABLE_MISMATCH, CLICKHOUSE_REJECTED, RetryAttemptsExhausted, [^\n]*, HANDLER, LAMBDA, UNKNOWN\. See `npm run dlq -- --help`\.\n$/);
    }
  });

  it('a filter that matches nothing says so and exits 0', async () => {
    expect(await runDlqCli(['inspect', '--reason', 'OVERSIZE', '--table', 'users'], ts.env)).toEqual({ code: 0, stderr: '', stdout: 'no letters match --reason OVERSIZE --table users in dlq-topic.\n' });
    // --json keeps stdout to letter lines: the notice goes to stderr.
    expect(await runDlqCli(['inspect', '--reason', 'OVERSIZE', '--json'], ts.env)).toEqual({ code: 0, stdout: '', stderr: 'no letters match --reason OVERSIZE in dlq-topic.\n' });
    expect(await runDlqCli(['replay', '--reason', 'OVERSIZE', '--dry-run'], ts.env)).toEqual({ code: 0, stderr: '', stdout: 'no letters match --reason OVERSIZE in dlq-topic. Nothing to replay.\n' });
  });

  it('--help lists every flag and exits 0', async () => {
    const { code, stdout, stderr } = await runDlqCli(['--help'], {});
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    for (const flag of ['inspect', 'replay', '--source', '--reason', '--table', '--offset', '--record', '--since', '--json', '--all', '--file', '--dry-run', '--allow-topic', '--help']) expect(stdout).toContain(flag);
    expect((await runDlqCli(['replay', '-h'], {})).stdout).toBe(stdout);
  });
});
