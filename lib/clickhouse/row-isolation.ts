import type { PendingRow } from '../parse-record';
import type { Deadline } from '../deadline';
import { classifyClickHouseError, errorSignature, isRowRuleViolation, rejectedRowNumber, shortClickHouseMessage } from './errors';

/** Inserts beyond the first that isolating rejected rows may cost per batch (and never past the deadline). */
export const ISOLATION_INSERT_BUDGET = 16;

/** When this many rejections in a row look identical and hit the first row of their insert, probe for a schema problem. */
const SYSTEMIC_EVIDENCE = 3;

/** Rows picked at random and inserted alone to confirm a schema problem: all must fail the same way. */
export const SYSTEMIC_PROBES = 2;

/** Smaller batches whose rows all fail are treated as bad data: too little evidence of a schema problem. */
export const MIN_ROWS_FOR_SYSTEMIC = 3;

export interface RejectedRow {
  readonly pending: PendingRow;
  readonly message: string;
}

export interface IsolationResult {
  readonly written: PendingRow[];
  readonly rejected: RejectedRow[];
  /** Rows not yet resolved when the budget ran out: the batch must be redelivered to finish them. */
  readonly unresolved: PendingRow[];
  /**
   * Set when every row tried was refused with the same error: a schema or deployment problem,
   * not bad data. Nothing may be dead-lettered then.
   */
  readonly systemic?: { readonly message: string };
}

export interface IsolationOptions {
  readonly deadline: Deadline;
  readonly budget?: number;
  /** A number in [0, 1): which rows the schema-problem probes pick (tests make it deterministic). */
  readonly random?: () => number;
}

/**
 * Finds the rows ClickHouse rejects for their data, after a whole-batch insert failed with
 * `firstError`, writing every other row. ClickHouse names the first failing row of an insert
 * ("at row N"), so each further insert settles at least one row: k rejected rows cost about k
 * inserts; without a row number the segment is split in halves. The work is bounded by a budget of
 * inserts and by the deadline; what is left is `unresolved`.
 *
 * Schema drift (a column dropped, or whose type changed) makes every row fail the same way. That
 * is suspected when the first rejections are identical and each hits the first row of its insert,
 * and confirmed by {@link SYSTEMIC_PROBES} rows picked at random from the rest failing alone the
 * same way; then it is reported as `systemic` instead of dead-lettering good data. Random picks
 * mean no placement of bad records can pass for drift: with b bad rows among n, the chance is
 * about (b/n)². Never systemic: rejections by an operator's row rules (constraints, `throwIf`),
 * which are always the record's, and batches of fewer than {@link MIN_ROWS_FOR_SYSTEMIC} rows.
 */
export async function isolateRejectedRows(
  rows: readonly PendingRow[],
  firstError: unknown,
  insert: (rows: readonly PendingRow[]) => Promise<void>,
  options: IsolationOptions,
): Promise<IsolationResult> {
  const random = options.random ?? Math.random;
  const written: PendingRow[] = [];
  const rejected: RejectedRow[] = [];
  const signatures = new Set<string>();
  let budget = options.budget ?? ISOLATION_INSERT_BUDGET;
  let firstRowStreak = 0;
  let probed = false;
  /** Rows settled alone by the probes: left out of the segments still queued. */
  const settled = new Set<PendingRow>();

  /** One insert of `segment`; returns the data error, or undefined when written. Other failures throw. */
  const attempt = async (segment: readonly PendingRow[]): Promise<unknown> => {
    budget -= 1;
    try {
      await insert(segment);
      written.push(...segment);
      return undefined;
    } catch (error) {
      if (classifyClickHouseError(error) !== 'data') throw error;
      return error;
    }
  };
  const reject = (pending: PendingRow, error: unknown, atFirstRow: boolean): void => {
    rejected.push({ pending, message: shortClickHouseMessage(error) });
    signatures.add(errorSignature(error));
    firstRowStreak = atFirstRow && written.length === 0 && !isRowRuleViolation(error) ? firstRowStreak + 1 : 0;
  };
  const looksSystemic = (): boolean =>
    rows.length >= MIN_ROWS_FOR_SYSTEMIC && written.length === 0 && signatures.size === 1 && firstRowStreak >= Math.min(SYSTEMIC_EVIDENCE, rows.length);
  const systemic = (): IsolationResult => ({ written, rejected: [], unresolved: [], systemic: { message: rejected[0]!.message } });

  /** Inserts up to SYSTEMIC_PROBES random untried rows alone; true when every one fails like the rest. */
  const probeAtRandom = async (untried: PendingRow[]): Promise<boolean> => {
    const picks = Math.min(SYSTEMIC_PROBES, untried.length);
    if (picks === 0 || budget < picks || options.deadline.remainingMs() <= 0) return false;
    for (let i = 0; i < picks; i++) {
      const j = i + Math.floor(random() * (untried.length - i));
      [untried[i], untried[j]] = [untried[j]!, untried[i]!];
    }
    let allFailedAlike = true;
    for (const row of untried.slice(0, picks)) {
      settled.add(row);
      const error = await attempt([row]);
      if (error === undefined) allFailedAlike = false;
      else if (errorSignature(error) !== [...signatures][0]) {
        allFailedAlike = false;
        reject(row, error, false);
      } else rejected.push({ pending: row, message: shortClickHouseMessage(error) });
    }
    return allFailedAlike;
  };

  const queue: Array<{ segment: readonly PendingRow[]; error?: unknown }> = [{ segment: rows, error: firstError }];
  while (queue.length > 0) {
    const { segment, error: known } = queue.shift()!;
    const remaining = settled.size === 0 ? segment : segment.filter((r) => !settled.has(r));
    if (remaining.length === 0) continue;
    if (known === undefined && (budget <= 0 || options.deadline.remainingMs() <= 0)) {
      queue.unshift({ segment: remaining });
      break;
    }
    const error = known ?? (await attempt(remaining));
    if (error === undefined) continue;

    const row = remaining.length === 1 ? 1 : rejectedRowNumber(error);
    if (row !== undefined && row >= 1 && row <= remaining.length) {
      reject(remaining[row - 1]!, error, row === 1);
      const rest = remaining.filter((_, i) => i !== row - 1);
      if (rest.length > 0) queue.unshift({ segment: rest });
    } else {
      const middle = Math.ceil(remaining.length / 2);
      queue.unshift({ segment: remaining.slice(0, middle) }, { segment: remaining.slice(middle) });
    }

    if (!probed && looksSystemic()) {
      if (rejected.length === rows.length) return systemic();
      probed = true;
      const untried = queue.flatMap((q) => q.segment.filter((r) => !settled.has(r)));
      if (await probeAtRandom(untried)) return systemic();
    }
  }
  return { written, rejected, unresolved: queue.flatMap((q) => q.segment.filter((r) => !settled.has(r))) };
}
