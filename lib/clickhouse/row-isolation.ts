import type { PendingRow } from '../parse-record';
import type { Deadline } from '../deadline';
import { classifyClickHouseError, errorSignature, rejectedRowNumber, shortClickHouseMessage } from './errors';

/** Inserts beyond the first that isolating rejected rows may cost per batch (and never past the deadline). */
export const ISOLATION_INSERT_BUDGET = 16;

/** When this many rejections in a row look identical and hit the first row of their insert, probe for a schema problem. */
const SYSTEMIC_EVIDENCE = 3;

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
}

/**
 * Finds the rows ClickHouse rejects for their data, after a whole-batch insert failed with
 * `firstError`, writing every other row. ClickHouse names the first failing row of an insert
 * ("at row N"), so each further insert settles at least one row: k rejected rows cost about k
 * inserts; without a row number the segment is split in halves. The work is bounded by a budget of
 * inserts and by the deadline; what is left is `unresolved`.
 *
 * Schema drift (a column whose type changed) makes every row fail the same way. That is detected —
 * identical rejections, each at the first row of its insert, confirmed by the batch's last row
 * failing alone the same way — and reported as `systemic` instead of dead-lettering good data.
 * Batches of fewer than {@link MIN_ROWS_FOR_SYSTEMIC} rows cannot tell the two apart: they are
 * treated as bad data.
 */
export async function isolateRejectedRows(
  rows: readonly PendingRow[],
  firstError: unknown,
  insert: (rows: readonly PendingRow[]) => Promise<void>,
  options: IsolationOptions,
): Promise<IsolationResult> {
  const written: PendingRow[] = [];
  const rejected: RejectedRow[] = [];
  const signatures = new Set<string>();
  let budget = options.budget ?? ISOLATION_INSERT_BUDGET;
  let firstRowStreak = 0;
  let lastRowProbed = false;
  const last = rows[rows.length - 1]!;

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
    firstRowStreak = atFirstRow && written.length === 0 ? firstRowStreak + 1 : 0;
  };
  const looksSystemic = (): boolean =>
    rows.length >= MIN_ROWS_FOR_SYSTEMIC && written.length === 0 && signatures.size === 1 && firstRowStreak >= Math.min(SYSTEMIC_EVIDENCE, rows.length);

  const queue: Array<{ segment: readonly PendingRow[]; error?: unknown }> = [{ segment: rows, error: firstError }];
  while (queue.length > 0) {
    const { segment, error: known } = queue.shift()!;
    const remaining = segment.filter((r) => !(lastRowProbed && r === last));
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

    if (looksSystemic()) {
      if (rejected.length === rows.length) return { written, rejected: [], unresolved: [], systemic: { message: rejected[0]!.message } };
      if (!lastRowProbed && !rejected.some((r) => r.pending === last) && budget > 0 && options.deadline.remainingMs() > 0) {
        lastRowProbed = true;
        const probe = await attempt([last]);
        if (probe === undefined) continue;
        if (errorSignature(probe) === [...signatures][0]) return { written, rejected: [], unresolved: [], systemic: { message: rejected[0]!.message } };
        reject(last, probe, false);
      }
    }
  }
  return { written, rejected, unresolved: queue.flatMap((q) => q.segment.filter((r) => !(lastRowProbed && r === last))) };
}
