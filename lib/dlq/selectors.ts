import type { DlqPosition } from './letter';
import type { SourceRecordRef } from './letter-filter';

/** A flag value the user must fix; the message says how. */
export class DlqUsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DlqUsageError';
  }
}

const DIGITS = /^\d+$/;

/** Kafka offsets are signed 64-bit, partitions signed 32-bit: a larger number is a typo, not a position. */
const MAX_OFFSET = 2n ** 63n - 1n;
const MAX_PARTITION = 2 ** 31 - 1;

/** A `--offset` value read without the topic: the partition is absent for a bare `OFFSET`. */
export interface OffsetRef {
  readonly text: string;
  readonly partition?: number;
  readonly offset: string;
}

function offsetOf(flag: string, value: string, digits: string): string {
  const offset = BigInt(digits);
  if (offset > MAX_OFFSET) throw new DlqUsageError(`${flag} ${value}: offset ${digits} is beyond the largest Kafka offset (${MAX_OFFSET})`);
  return offset.toString();
}

function partitionOf(flag: string, value: string, digits: string): number {
  const partition = Number(digits);
  if (partition > MAX_PARTITION) throw new DlqUsageError(`${flag} ${value}: partition ${digits} is beyond the largest Kafka partition (${MAX_PARTITION})`);
  return partition;
}

/**
 * `--offset` values as written, checked before anything connects: `PARTITION:OFFSET`, or a bare
 * `OFFSET` (placed by {@link parsePositions}), each within Kafka's range.
 */
export function readOffsetRefs(values: readonly string[]): OffsetRef[] {
  return values.map((text) => {
    const match = /^(\d+):(\d+)$/.exec(text);
    if (match) return { text, partition: partitionOf('--offset', text, match[1]!), offset: offsetOf('--offset', text, match[2]!) };
    if (!DIGITS.test(text)) throw new DlqUsageError(`--offset ${JSON.stringify(text)} is not PARTITION:OFFSET, e.g. --offset 0:42`);
    return { text, offset: offsetOf('--offset', text, text) };
  });
}

const partitionList = (partitions: readonly number[]) =>
  partitions.length === 0 ? 'it has no partitions' : `it has ${partitions.length} partition${partitions.length === 1 ? '' : 's'}: ${partitions.join(', ')}`;

/**
 * `--offset` values: `PARTITION:OFFSET` on the DLQ topic, or a bare `OFFSET` when the topic has
 * a single partition (otherwise it would be ambiguous). `partitions` lists the topic's partitions.
 */
export function parsePositions(values: readonly string[], topic: string, partitions: readonly number[]): DlqPosition[] {
  return readOffsetRefs(values).map(({ text, partition, offset }) => {
    if (partition !== undefined) {
      if (!partitions.includes(partition)) throw new DlqUsageError(`--offset ${text}: ${topic} has no partition ${partition} (${partitionList(partitions)})`);
      return { partition, offset };
    }
    if (partitions.length !== 1) {
      throw new DlqUsageError(`--offset ${text} is ambiguous: ${topic} has ${partitions.length} partitions; write PARTITION:OFFSET, e.g. --offset 0:${text}`);
    }
    return { partition: partitions[0]!, offset };
  });
}

/** `--record TOPIC:PARTITION:OFFSET` values (Kafka topic names cannot contain `:`). */
export function parseRecordRefs(values: readonly string[]): SourceRecordRef[] {
  return values.map((value) => {
    const match = /^([A-Za-z0-9._-]+):(\d+):(\d+)$/.exec(value);
    if (!match) throw new DlqUsageError(`--record ${JSON.stringify(value)} is not TOPIC:PARTITION:OFFSET, e.g. --record users-topic:2:42`);
    return { topic: match[1]!, partition: partitionOf('--record', value, match[2]!), offset: BigInt(offsetOf('--record', value, match[3]!)) };
  });
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO-8601 time, or an age such as `30m`, `6h`, `7d` counted back from `now`. */
export function parseSince(value: string, now: Date = new Date()): Date {
  const age = /^(\d+)([mhd])$/.exec(value);
  if (age) return new Date(now.getTime() - Number(age[1]) * UNIT_MS[age[2]!]!);
  const date = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new DlqUsageError(`--since ${JSON.stringify(value)} is neither an ISO-8601 time (2024-05-01T12:00Z) nor an age (30m, 6h, 7d)`);
  return date;
}
