import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getConfig } from '../../lib/config';
import { createKafka, createProducer } from '../../lib/kafka/client';
import { readDeadLetters, type DeadLetterFilter, type StoredDeadLetter } from '../../lib/dlq/dead-letter-reader';
import { originalRecord, replay } from '../../lib/dlq/replay';
import { runCli, UsageError } from './run-cli';

const USAGE = [
  'usage: npm run dlq -- inspect [--reason CODE] [--table T] [--offset N]... [--json]',
  '       npm run dlq -- replay (--reason CODE | --table T | --offset N... | --file FIXED.jsonl | --all) [--dry-run]',
].join('\n');

const OPTIONS = {
  reason: { type: 'string' },
  table: { type: 'string' },
  offset: { type: 'string', multiple: true },
  file: { type: 'string' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} as const;

/** One line of `inspect --json`: what `replay --file` reads back after you fix `originalMessage`. */
const toJsonLine = (l: StoredDeadLetter) => JSON.stringify({ partition: l.partition, offset: l.offset, key: l.key?.toString('utf8') ?? null, value: l.value });

function fromJsonLines(path: string): StoredDeadLetter[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        const parsed = JSON.parse(line) as { partition: number; offset: string; key: string | null; value: StoredDeadLetter['value'] };
        if (!parsed.value?.source?.topic) throw new Error('no value.source.topic');
        return { ...parsed, key: parsed.key === null ? null : Buffer.from(parsed.key) };
      } catch (error) {
        throw new Error(`${path}:${i + 1} is not a dead letter line from \`npm run dlq -- inspect --json\` (${(error as Error).message})`);
      }
    });
}

runCli(async (argv) => {
  const [command, ...rest] = argv;
  if (command !== 'inspect' && command !== 'replay') throw new UsageError(command ? `unknown command "${command}"` : 'say inspect or replay');
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options: OPTIONS }));
  } catch (error) {
    throw new UsageError((error as Error).message.split(/\.\s/)[0]!);
  }
  const filter: DeadLetterFilter = { reason: values.reason, table: values.table, offsets: values.offset };
  const config = getConfig();
  const kafka = await createKafka(config.kafka);

  if (command === 'inspect') {
    const letters = await readDeadLetters(kafka, config.dlqTopic, filter);
    if (values.json) {
      for (const l of letters) console.log(toJsonLine(l));
      return;
    }
    for (const l of letters) {
      const s = l.value.source;
      console.log(`#${l.offset}  ${l.value.handler ?? '?'}  ${l.value.error.code}  ${s?.topic}[${s?.partition}]@${s?.offset}  ${l.value.failureReason ?? l.value.error.message}`);
    }
    console.log(`${letters.length} dead letter(s) in ${config.dlqTopic}${values.reason || values.table || values.offset ? ' matching the filter' : ''}.`);
    return;
  }

  const chosen = values.file ? fromJsonLines(values.file) : values.reason || values.table || values.offset?.length || values.all ? await readDeadLetters(kafka, config.dlqTopic, filter) : undefined;
  if (!chosen) throw new UsageError('choose what to replay');
  const records = chosen.map(originalRecord);
  if (values['dry-run']) {
    for (const r of records) console.log(`would send to ${r.topic}: key ${r.key?.toString() ?? 'null'}, ${r.value === null ? 'null value' : `${Buffer.byteLength(r.value)} bytes`} (DLQ #${r.dlqOffset})`);
    return;
  }
  if (records.length === 0) return void console.log('Nothing to replay.');
  const producer = await createProducer(config.kafka);
  await producer.connect();
  try {
    const counts = await replay(producer, records);
    for (const [topic, n] of Object.entries(counts)) console.log(`replayed ${n} record(s) to ${topic}`);
  } finally {
    await producer.disconnect();
  }
}, { command: 'npm run dlq', usage: USAGE });
