import type { TableName } from '../../lib/schemas';

/** The offsets one partition gained while the run produced: its records are `[from, to)`. */
export interface RunRange {
  readonly topic: string;
  readonly partition: number;
  readonly from: bigint;
  readonly to: bigint;
}

/** What a handler reported for an invocation (its `BatchSummary`), or for several summed. */
export interface HandlerFigures {
  readonly received: number;
  readonly inserted: number;
  readonly skippedDuplicates: number;
  readonly sentToDlq: number;
}

/** A committed invocation: which records it held and what the handler reported for them. */
export interface DeliveredBatch extends HandlerFigures {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
}

export interface MissingRecords {
  readonly topic: string;
  readonly partition: number;
  readonly from: bigint;
  /** Exclusive. */
  readonly to: bigint;
}

/** The figures are those of the invocations that held this run's records. */
export interface TableAccount extends HandlerFigures {
  readonly table: TableName;
  /** Records this run sent. */
  readonly produced: number;
  /** Records in those invocations that this run did not send (another producer was writing too). */
  readonly others: number;
  /** This run's offsets that no committed invocation held. */
  readonly missing: readonly MissingRecords[];
}

/** The handler's figures summed over `batches`. */
export function totals(batches: readonly DeliveredBatch[]): HandlerFigures {
  const sum = (field: keyof HandlerFigures) => batches.reduce((n, b) => n + b[field], 0);
  return { received: sum('received'), inserted: sum('inserted'), skippedDuplicates: sum('skippedDuplicates'), sentToDlq: sum('sentToDlq') };
}

/**
 * Accounts for one table's records of one run: the invocations that held any of the run's
 * offsets, and the offsets none held. Offsets in the demo's topics are contiguous (no
 * transactions, no compaction), so a batch holds every offset from its first to its last.
 */
export function accountForTable(table: TableName, produced: number, ranges: readonly RunRange[], batches: readonly DeliveredBatch[]): TableAccount {
  const held: DeliveredBatch[] = [];
  const missing: MissingRecords[] = [];
  for (const range of ranges) {
    const mine = batches
      .filter((b) => b.topic === range.topic && b.partition === range.partition && b.lastOffset >= range.from && b.firstOffset < range.to)
      .sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
    let next = range.from;
    for (const batch of mine) {
      if (batch.firstOffset > next) missing.push({ topic: range.topic, partition: range.partition, from: next, to: batch.firstOffset });
      if (batch.lastOffset + 1n > next) next = batch.lastOffset + 1n;
    }
    if (next < range.to) missing.push({ topic: range.topic, partition: range.partition, from: next, to: range.to });
    held.push(...mine);
  }
  const figures = totals(held);
  return { table, produced, ...figures, others: Math.max(0, figures.received - produced), missing };
}

const describeGap = (g: MissingRecords) => `${g.topic}[${g.partition}] ${g.to - g.from === 1n ? `offset ${g.from}` : `offsets ${g.from}..${g.to - 1n}`}`;

/**
 * One line naming the table and what is not accounted for, or undefined when every record the
 * run produced is inserted, skipped as a duplicate or sent to the DLQ.
 */
export function shortfall(account: TableAccount): string | undefined {
  const accounted = account.inserted + account.skippedDuplicates + account.sentToDlq;
  const figures = `inserted ${account.inserted}, skipped ${account.skippedDuplicates}, sent to DLQ ${account.sentToDlq}`;
  if (account.missing.length > 0) {
    const lost = account.missing.reduce((n, g) => n + Number(g.to - g.from), 0);
    const shown = account.missing.slice(0, 3).map(describeGap).join(', ');
    const more = account.missing.length > 3 ? ` and ${account.missing.length - 3} more range(s)` : '';
    return `${account.table}: ${lost} of ${account.produced} produced record(s) never reached the handler (${shown}${more}); ${figures}`;
  }
  if (accounted !== account.received) {
    return `${account.table}: the handler accounted for ${accounted} of the ${account.received} record(s) it received (${figures})`;
  }
  if (account.received < account.produced) {
    return `${account.table}: ${account.produced} record(s) produced, ${account.received} delivered (${figures})`;
  }
  return undefined;
}
