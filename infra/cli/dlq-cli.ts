import { logLevel, type Kafka } from 'kafkajs';
import { getConfig, type Config } from '../../lib/config';
import { createClickHouseClient } from '../../lib/clickhouse/client';
import { formatLetterJson, formatLetterLine, formatOutcome, formatSummary } from '../../lib/dlq/format-letter';
import type { Letter } from '../../lib/dlq/letter';
import { isFiltered, type LetterFilter } from '../../lib/dlq/letter-filter';
import { NO_POSITIONS_IN_TABLE, readLettersFromTable } from '../../lib/dlq/read-dead-letters-table';
import { readLettersFromTopic } from '../../lib/dlq/read-dlq-topic';
import { replay } from '../../lib/dlq/replay';
import { planReplay, SOURCE_TOPICS } from '../../lib/dlq/replay-plan';
import { parseReason } from '../../lib/dlq/reasons';
import { rereadOriginals } from '../../lib/dlq/reread-originals';
import { DlqUsageError, parsePositions, parseRecordRefs, parseSince, readOffsetRefs } from '../../lib/dlq/selectors';
import { createKafka, createProducer } from '../../lib/kafka/client';
import { readTopicRanges } from '../../lib/kafka/read-topic';
import { isTableName, TABLE_NAMES } from '../../lib/schemas';
import { fetchOffsetBounds } from '../../lib/kafka/topic-offsets';
import { readLettersFile } from './read-letters-file';
import { commandOf, parseCliArgs, runCli } from './run-cli';

const HELP = `usage: npm run dlq -- inspect [--source topic|table] [filters] [--json]
       npm run dlq -- replay (filters | --all | --file FIXED.jsonl) [--dry-run]

Lists and replays dead letters: the handlers' letters, Lambda's on-failure records and anything
else on the DLQ topic (listed as UNKNOWN, never replayed).

commands:
  inspect                 one line per letter: #PARTITION:OFFSET on the DLQ topic, table, reason,
                          source records, why (a table row shows its failure time instead)
  replay                  put the original records of the chosen letters back on their source
                          topics (header x-replayed-from-dlq-offset = PARTITION:OFFSET); records a
                          letter does not carry whole (Lambda's metadata-only records, truncated
                          originals) are re-read from the source topic by partition and offset

options:
  --source topic|table    read the DLQ topic (default) or the ClickHouse dead_letters table (inspect only)
  --reason CODE           a PoisonCode (SCHEMA_VALIDATION, ...), a Lambda condition (RetryAttemptsExhausted,
                          ...), or a whole kind: HANDLER, LAMBDA, UNKNOWN; anything else is refused
  --table T               users, products or orders (Lambda letters: the table of their source topic)
  --offset P:O            the letter at partition P, offset O of the DLQ topic (repeatable); a bare O
                          only when the DLQ topic has one partition; the only way to pick an UNKNOWN one
  --record TOPIC:P:O      letters about that source record (repeatable)
  --since WHEN            failed at or after WHEN: ISO-8601 (2024-05-01T12:00Z) or an age (30m, 6h, 7d)
  --json                  inspect: one JSON object per line; edit originalMessage and pass to replay --file
  --all                   replay: every letter that can be replayed
  --file FIXED.jsonl      replay: the edited lines of inspect --json, originalMessage sent as is
  --dry-run               replay: show what would be sent, send nothing
  --allow-topic TOPIC     replay: also send to TOPIC (repeatable); by default replay writes only to the
                          pipeline's source topics (${SOURCE_TOPICS.join(', ')})
  -h, --help              this help

Filters combine (AND); a filter that matches nothing says so and exits 0. Connection settings come from the environment or .local/stack.env
(KAFKA_BROKERS, DLQ_TOPIC, CLICKHOUSE_URL, ...).`;

const OPTIONS = {
  source: { type: 'string' },
  reason: { type: 'string' },
  table: { type: 'string' },
  offset: { type: 'string', multiple: true },
  record: { type: 'string', multiple: true },
  since: { type: 'string' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  file: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'allow-topic': { type: 'string', multiple: true },
} as const;

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

const parseCommandLine = (argv: string[]) => parseCliArgs({ args: argv, options: OPTIONS, allowPositionals: true });

type Values = ReturnType<typeof parseCommandLine>['values'];

async function filterOf(values: Values, kafka: Kafka | undefined, dlqTopic: string): Promise<LetterFilter> {
  const positions = values.offset?.length && kafka ? parsePositions(values.offset, dlqTopic, [...(await fetchOffsetBounds(kafka, dlqTopic)).keys()]) : undefined;
  return {
    reason: values.reason === undefined ? undefined : parseReason(values.reason),
    table: values.table,
    positions,
    records: values.record ? parseRecordRefs(values.record) : undefined,
    since: values.since === undefined ? undefined : parseSince(values.since),
  };
}

async function inspectTable(config: Config, values: Values): Promise<void> {
  const filter = await filterOf(values, undefined, config.dlqTopic);
  const client = await createClickHouseClient(config.clickhouse);
  try {
    const letters = await readLettersFromTable(client, filter);
    printLetters(letters, values, `the dead_letters table (${config.clickhouse.database})`, isFiltered(filter));
  } finally {
    await client.close();
  }
}

/** The filter flags as the user gave them, for "no letters match …". */
function describeFilter(values: Values): string {
  const flags: string[] = [];
  for (const name of ['reason', 'table', 'since'] as const) if (values[name] !== undefined) flags.push(`--${name} ${values[name]}`);
  for (const name of ['offset', 'record'] as const) for (const v of values[name] ?? []) flags.push(`--${name} ${v}`);
  return flags.join(' ');
}

const noMatch = (values: Values, where: string) => `no letters match ${describeFilter(values)} in ${where}.`;

function printLetters(letters: readonly Letter[], values: Values, where: string, filtered: boolean): void {
  // --json keeps stdout to letter lines only: the notice goes to stderr there.
  if (filtered && letters.length === 0) return void (values.json ? console.error : console.log)(noMatch(values, where));
  if (values.json) return void letters.forEach((l) => console.log(formatLetterJson(l)));
  for (const l of letters) console.log(formatLetterLine(l));
  console.log(formatSummary(letters, where, filtered));
}

async function replayLetters(config: Config, kafka: Kafka, values: Values): Promise<void> {
  let letters: Letter[];
  let skipped = 0;
  if (values.file) {
    if (values.all || isFiltered(await filterOf(values, undefined, config.dlqTopic)) || values.offset?.length) {
      throw new DlqUsageError('--file replays the lines of the file: leave out --all and the filters');
    }
    letters = readLettersFile(values.file);
  } else {
    const filter = await filterOf(values, kafka, config.dlqTopic);
    if (!isFiltered(filter) && !values.all) throw new DlqUsageError('choose what to replay: --all, --reason, --table, --offset, --record, --since or --file');
    const read = await readLettersFromTopic(kafka, config.dlqTopic, filter);
    if (read.length === 0) return void console.log(isFiltered(filter) ? `${noMatch(values, config.dlqTopic)} Nothing to replay.` : `${config.dlqTopic} holds no letters. Nothing to replay.`);
    // Unknown messages name no record: only an explicit --offset brings one here, to be told why.
    letters = read.filter((l) => l.kind !== 'unknown' || filter.positions?.length);
    skipped = read.length - letters.length;
  }
  const policy = { allowedTopics: [...SOURCE_TOPICS, ...(values['allow-topic'] ?? [])] };
  const outcomes = await rereadOriginals(letters.map((letter) => planReplay(letter, policy)), (topic, ranges) => readTopicRanges(kafka, topic, ranges));
  const dryRun = values['dry-run'] === true;
  for (const o of outcomes) {
    const { sent, problem } = formatOutcome(o, dryRun);
    if (sent) console.log(sent);
    if (problem) console.error(problem);
  }
  if (skipped) console.log(`skipped ${skipped} UNKNOWN message(s): they name no record to replay (pick one with --offset to see why).`);
  if (outcomes.some((o) => o.problem)) process.exitCode = 1;
  const records = outcomes.flatMap((o) => o.records);
  if (dryRun) return;
  if (records.length === 0) return void console.log('Nothing to replay.');
  const producer = await createProducer(config.kafka);
  await producer.connect();
  try {
    for (const [topic, n] of Object.entries(await replay(producer, records))) console.log(`replayed ${n} record(s) to ${topic}`);
  } finally {
    await producer.disconnect();
  }
}

runCli(
  async (argv) => {
    const { values, positionals } = parseCommandLine(argv);
    const [word, ...extra] = positionals;
    const command = commandOf(word, ['inspect', 'replay'] as const);
    if (extra.length) throw new DlqUsageError(`unexpected argument "${extra[0]}"`);
    const misplaced = command === 'inspect' ? (['all', 'file', 'dry-run', 'allow-topic'] as const).find((f) => values[f] !== undefined) : values.json ? 'json' : undefined;
    if (misplaced) throw new DlqUsageError(`--${misplaced} does not apply to ${command}`);
    if (values.table !== undefined && !isTableName(values.table)) throw new DlqUsageError(`--table must be one of ${TABLE_NAMES.join(', ')} (got ${JSON.stringify(values.table)})`);
    if (values.reason !== undefined) parseReason(values.reason);
    // Checked before anything connects: a typo needs no broker to be told.
    if (values.offset) readOffsetRefs(values.offset);
    if (values.record) parseRecordRefs(values.record);
    const badTopic = values['allow-topic']?.find((t) => !TOPIC_NAME.test(t));
    if (badTopic !== undefined) throw new DlqUsageError(`--allow-topic ${JSON.stringify(badTopic)} is not a Kafka topic name`);
    const source = values.source ?? 'topic';
    if (source !== 'topic' && source !== 'table') throw new DlqUsageError(`--source must be topic or table (got ${JSON.stringify(source)})`);
    if (source === 'table' && command === 'replay') throw new DlqUsageError('replay reads the DLQ topic: find letters with inspect --source table, then replay them with --record TOPIC:PARTITION:OFFSET');
    if (source === 'table' && values.offset?.length) throw new DlqUsageError(NO_POSITIONS_IN_TABLE);
    const config = getConfig();

    if (source === 'table') return inspectTable(config, values);
    // The CLI reports failures itself, in one line: kafkajs' own error log lines would repeat them.
    const kafka = await createKafka(config.kafka, { logLevel: logLevel.NOTHING });
    if (command === 'inspect') {
      const filter = await filterOf(values, kafka, config.dlqTopic);
      return printLetters(await readLettersFromTopic(kafka, config.dlqTopic, filter), values, config.dlqTopic, isFiltered(filter));
    }
    return replayLetters(config, kafka, values);
  },
  { command: 'npm run dlq', usage: HELP },
);
