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

/**
 * `--offset` values: `PARTITION:OFFSET` on the DLQ topic, or a bare `OFFSET` when the topic has
 * a single partition (otherwise it would be ambiguous). `partitions` lists the topic's partitions.
 */
export function parsePositions(values: readonly string[], topic: string, partitions: readonly number[]): DlqPosition[] {
  return values.map((value) => {
    const match = /^(\d+):(\d+)$/.exec(value);
    if (match) {
      const partition = Number(match[1]);
      if (!partitions.includes(partition)) throw new DlqUsageError(`--offset ${value}: ${topic} has no partition ${partition} (it has ${partitions.join(', ')})`);
      return { partition, offset: BigInt(match[2]!).toString() };
    }
    if (!DIGITS.test(value)) throw new DlqUsageError(`--offset ${JSON.stringify(value)} is not PARTITION:OFFSET, e.g. --offset 0:42`);
    if (partitions.length !== 1) {
      throw new DlqUsageError(`--offset ${value} is ambiguous: ${topic} has ${partitions.length} partitions; write PARTITION:OFFSET, e.g. --offset 0:${value}`);
    }
    return { partition: partitions[0]!, offset: BigInt(value).toString() };
  });
}

/** `--record TOPIC:PARTITION:OFFSET` values (Kafka topic names cannot contain `:`). */
export function parseRecordRefs(values: readonly string[]): SourceRecordRef[] {
  return values.map((value) => {
    const match = /^([A-Za-z0-9._-]+):(\d+):(\d+)$/.exec(value);
    if (!match) throw new DlqUsageError(`--record ${JSON.stringify(value)} is not TOPIC:PARTITION:OFFSET, e.g. --record users-topic:2:42`);
    return { topic: match[1]!, partition: Number(match[2]), offset: BigInt(match[3]!) };
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
