import { createHash } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import type { OffsetRange, RangeRead } from '../kafka/read-topic';
import { describeRange, formatPosition, type Letter, type RecordHeaders, type SourceRange } from './letter';
import type { ReplayPlan } from './replay-plan';
import type { ReplayRecord } from './replay';

/** Reads offset ranges of a topic (the real one is `readTopicRanges` bound to a Kafka client). */
export type RangeReader = (topic: string, ranges: readonly OffsetRange[]) => Promise<RangeRead>;

/** What replaying one letter will send, and what it could not. */
export interface ReplayOutcome {
  readonly letter: Letter;
  readonly records: readonly ReplayRecord[];
  /** `letter`: the bytes it carries; `source`: re-read from the source topic. */
  readonly from: 'letter' | 'source' | 'none';
  /** Why some or all of its records cannot be replayed. */
  readonly problem?: string;
}

// A guard against ranges no re-read could serve (AWS's own examples show 56-digit offsets).
const MAX_RECORDS_PER_LETTER = 100_000n;

const sha256 = (bytes: Buffer | null) => createHash('sha256').update(bytes ?? Buffer.alloc(0)).digest('hex');

const headersOf = (message: KafkaMessage): RecordHeaders =>
  Object.fromEntries(Object.entries(message.headers ?? {}).filter((entry): entry is [string, Buffer | string | Array<Buffer | string>] => entry[1] !== undefined));

/** Why the records of `range` that were not found are missing, in one sentence. */
function whyMissing(range: SourceRange, found: number, read: RangeRead): string {
  const bounds = read.bounds.get(range.partition);
  const missing = range.last - range.first + 1n - BigInt(found);
  const where = describeRange(range);
  if (!bounds) return `${range.topic} has no partition ${range.partition}`;
  if (range.first < bounds.low) return `${missing} record(s) of ${where} are gone from the topic: partition ${range.partition} now starts at offset ${bounds.low} (retention)`;
  if (range.last >= bounds.high) return `${missing} record(s) of ${where} are not in the topic: partition ${range.partition} ends before offset ${bounds.high}`;
  return `${missing} record(s) of ${where} are missing from the topic (compacted or deleted)`;
}

function fromSource(plan: Extract<ReplayPlan, { kind: 'reread' }>, reads: ReadonlyMap<string, RangeRead>): ReplayOutcome {
  const { letter } = plan;
  const replayedFrom = letter.position ? formatPosition(letter.position) : undefined;
  const records: ReplayRecord[] = [];
  const problems: string[] = [];
  for (const range of plan.ranges) {
    const read = reads.get(range.topic)!;
    const found = read.messages.filter(({ partition, message }) => {
      const at = BigInt(message.offset);
      return partition === range.partition && at >= range.first && at <= range.last;
    });
    if (BigInt(found.length) < range.last - range.first + 1n) problems.push(whyMissing(range, found.length, read));
    for (const { message } of found) {
      if (plan.sha256 && sha256(message.value) !== plan.sha256) {
        return { letter, records: [], from: 'none', problem: `the record at ${range.topic}[${range.partition}]@${message.offset} is not the one dead-lettered (its SHA-256 differs), so it is not replayed` };
      }
      records.push({ topic: range.topic, key: message.key, value: message.value, headers: headersOf(message), replayedFrom });
    }
  }
  return { letter, records, from: records.length ? 'source' : 'none', problem: problems.length ? problems.join('; ') : undefined };
}

/**
 * Turns plans into what will be sent, reading each source topic once for all the letters that
 * need it. Never throws for one letter's sake: a record that is gone (retention), a topic that
 * cannot be read, or a hash that differs becomes that letter's `problem`.
 */
export async function rereadOriginals(plans: readonly ReplayPlan[], read: RangeReader): Promise<ReplayOutcome[]> {
  const tooLarge = (plan: ReplayPlan) => plan.kind === 'reread' && plan.ranges.some((r) => r.last - r.first + 1n > MAX_RECORDS_PER_LETTER);
  const byTopic = new Map<string, OffsetRange[]>();
  for (const plan of plans) {
    if (plan.kind !== 'reread' || tooLarge(plan)) continue;
    for (const r of plan.ranges) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), { partition: r.partition, first: r.first, last: r.last }]);
  }
  const reads = new Map<string, RangeRead | Error>();
  for (const [topic, ranges] of byTopic) reads.set(topic, await read(topic, ranges).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));

  return plans.map((plan): ReplayOutcome => {
    switch (plan.kind) {
      case 'send':
        return { letter: plan.letter, records: plan.records, from: 'letter' };
      case 'cannot':
        return { letter: plan.letter, records: [], from: 'none', problem: plan.why };
      case 'reread': {
        if (tooLarge(plan)) return { letter: plan.letter, records: [], from: 'none', problem: `${plan.ranges.map(describeRange).join(', ')} spans more than ${MAX_RECORDS_PER_LETTER} offsets; not re-read` };
        const failed = plan.ranges.map((r) => reads.get(r.topic)).find((r): r is Error => r instanceof Error);
        if (failed) return { letter: plan.letter, records: [], from: 'none', problem: `could not re-read ${plan.ranges.map(describeRange).join(', ')}: ${failed.message}` };
        return fromSource(plan, reads as ReadonlyMap<string, RangeRead>);
      }
    }
  });
}
