/**
 * How the writer treats each ClickHouse failure. The code lists are checked against the server's
 * own code → name table (`errorCodeToName`) by test/integration/clickhouse-error-codes.test.ts.
 */

import { clipText } from '../text';

/**
 * "Try again later": the server is overloaded, restarting, or a replica is behind. Started from
 * the ClickHouse Kafka Connect sink's retry list (3, 159, 164, 202, 203, 209, 210, 242, 252, 285,
 * 319, 425, 999, 1002); every entry says why retrying the whole batch is right.
 */
export const TRANSIENT_CLICKHOUSE_CODES: ReadonlyMap<number, string> = new Map([
  [3, 'UNEXPECTED_END_OF_FILE: the connection broke mid-request'],
  [32, 'ATTEMPT_TO_READ_AFTER_EOF: the request body was cut off in transit'],
  [159, 'TIMEOUT_EXCEEDED: the query ran out of time on the server'],
  [164, 'READONLY: the server or replica is in read-only mode, e.g. while Keeper is away'],
  [201, 'QUOTA_EXCEEDED: the user quota resets at the end of its interval'],
  [202, 'TOO_MANY_SIMULTANEOUS_QUERIES: server-side concurrency limit'],
  [203, 'NO_FREE_CONNECTION: connection pool to a shard/replica exhausted'],
  [209, 'SOCKET_TIMEOUT: network timeout between servers'],
  [210, 'NETWORK_ERROR: network failure between servers'],
  [225, 'NO_ZOOKEEPER: the coordination service is unreachable for now'],
  [241, 'MEMORY_LIMIT_EXCEEDED: the server is under memory pressure right now'],
  [242, 'TABLE_IS_READ_ONLY: replicated table lost its Keeper session; recovers by itself'],
  [243, 'NOT_ENOUGH_SPACE: the disk is full; writing resumes once space is freed'],
  [252, 'TOO_MANY_PARTS: inserts outpace merges; back off and retry'],
  [285, 'TOO_FEW_LIVE_REPLICAS: quorum insert cannot be satisfied right now'],
  [286, 'UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE: an earlier quorum insert is still in progress'],
  [319, 'UNKNOWN_STATUS_OF_INSERT: the insert may or may not have happened; markers and the dedup token make a retry safe'],
  [394, 'QUERY_WAS_CANCELLED: the server cancelled the query (shutdown, kill)'],
  [425, 'SYSTEM_ERROR: an OS-level error such as a full socket buffer'],
  [439, 'CANNOT_SCHEDULE_TASK: the server thread pool is exhausted'],
  [473, 'DEADLOCK_AVOIDED: a lock could not be taken in time; retrying succeeds'],
  [999, 'KEEPER_EXCEPTION: coordination service unavailable'],
  [1002, 'UNKNOWN_EXCEPTION: ClickHouse Cloud uses it for transient proxy failures'],
]);

/**
 * "This row can never be inserted": a value fails to parse or violates a type, range or
 * constraint. Only these make the writer isolate the rejected rows and dead-letter them.
 */
export const DATA_CLICKHOUSE_CODES: ReadonlyMap<number, string> = new Map([
  [6, 'CANNOT_PARSE_TEXT'],
  [19, 'SIZE_OF_FIXED_STRING_DOESNT_MATCH'],
  [25, 'CANNOT_PARSE_ESCAPE_SEQUENCE'],
  [26, 'CANNOT_PARSE_QUOTED_STRING'],
  [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
  [38, 'CANNOT_PARSE_DATE'],
  [41, 'CANNOT_PARSE_DATETIME'],
  [53, 'TYPE_MISMATCH'],
  [69, 'ARGUMENT_OUT_OF_BOUND'],
  [70, 'CANNOT_CONVERT_TYPE'],
  [72, 'CANNOT_PARSE_NUMBER'],
  [117, 'INCORRECT_DATA'],
  [128, 'TOO_LARGE_ARRAY_SIZE'],
  [130, 'CANNOT_READ_ARRAY_FROM_TEXT'],
  [131, 'TOO_LARGE_STRING_SIZE'],
  [321, 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE'],
  [349, 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN'],
  [376, 'CANNOT_PARSE_UUID'],
  [395, 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO'],
  [407, 'DECIMAL_OVERFLOW'],
  [441, 'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING'],
  [467, 'CANNOT_PARSE_BOOL'],
  [469, 'VIOLATED_CONSTRAINT'],
  [632, 'UNEXPECTED_DATA_AFTER_PARSED_VALUE'],
  [675, 'CANNOT_PARSE_IPV4'],
  [676, 'CANNOT_PARSE_IPV6'],
  [691, 'UNKNOWN_ELEMENT_OF_ENUM'],
  [760, 'UNICODE_ERROR'],
]);

/**
 * Rules an operator put on rows — `CHECK` constraints, `throwIf` in a default or a view — that a
 * record can break whatever the table's shape. Rejections with these codes are always the
 * record's, never schema drift, however many rows they hit.
 */
export const ROW_RULE_CLICKHOUSE_CODES: ReadonlySet<number> = new Set([395, 469]);

/** True for a rejection that can only be the row's own (see {@link ROW_RULE_CLICKHOUSE_CODES}). */
export const isRowRuleViolation = (error: unknown): boolean => ROW_RULE_CLICKHOUSE_CODES.has(clickHouseErrorCode(error) ?? -1);

/**
 * The credentials were refused: after a secret rotation the cached ones are stale, so the caller
 * re-reads the secret and retries once before treating it as a deployment problem.
 */
export const AUTH_CLICKHOUSE_CODES: ReadonlyMap<number, string> = new Map([
  [192, 'UNKNOWN_USER'],
  [193, 'WRONG_PASSWORD'],
  [194, 'REQUIRED_PASSWORD'],
  [516, 'AUTHENTICATION_FAILED'],
]);

/** Socket-level failures of the HTTP transport: the server was not reached or went away. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);

export type ClickHouseFailureKind = 'transient' | 'data' | 'auth' | 'fatal';

/** The server's numeric error code of a failure, if it has one. */
export function clickHouseErrorCode(error: unknown): number | undefined {
  // By shape, not instanceof: the client is loaded only when first used. The client's errors carry
  // the code as a string of digits; a number in `code` is someone else's (a DOMException's
  // TimeoutError is code 23, which is not ClickHouse's 23).
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e && typeof e.code === 'string' && /^\d+$/.test(e.code)) return Number(e.code);
  const match = typeof e?.message === 'string' ? /^Code: (\d+)\./.exec(e.message) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * Sorts a ClickHouse client failure: `transient` (retry the batch), `data` (isolate the rejected
 * rows and dead-letter them), `auth` (refresh credentials, retry once) or `fatal` (a deployment
 * problem such as a missing table: the batch fails and is redelivered once an operator fixes it;
 * nothing is dropped). Unknown server codes are `fatal`, never `data`: a row is dead-lettered only
 * when ClickHouse says its data is wrong.
 */
export function classifyClickHouseError(error: unknown): ClickHouseFailureKind {
  const code = clickHouseErrorCode(error);
  if (code !== undefined) {
    if (TRANSIENT_CLICKHOUSE_CODES.has(code)) return 'transient';
    if (DATA_CLICKHOUSE_CODES.has(code)) return 'data';
    if (AUTH_CLICKHOUSE_CODES.has(code)) return 'auth';
    return 'fatal';
  }
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; name?: unknown } | null;
  if (e && typeof e.code === 'string' && NETWORK_ERROR_CODES.has(e.code)) return 'transient';
  if (e?.cause) return classifyClickHouseError(e.cause);
  // A failure without a server code (socket hang-up, aborted request, timeout): retrying is the
  // only choice that loses nothing.
  return 'transient';
}

/**
 * The 1-based row ClickHouse names in a data error ("(at row 3)", "violated at row 3"), if any.
 * Exact only with `input_format_parallel_parsing = 0`, which the writer sets.
 */
export function rejectedRowNumber(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const match = /\bat row (\d+)\b/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/**
 * A ClickHouse error reduced to what is the same for every row it hits: code, and message without
 * row numbers, quoted values and the version suffix. Two rows with equal signatures failed for the
 * same reason.
 */
export function errorSignature(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const normalised = message
    .replace(/\(version [^)]*\)/g, '')
    .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\d+/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
  return `${clickHouseErrorCode(error) ?? '?'}:${normalised}`;
}

/** The first line of a ClickHouse message, without the version suffix: enough for a log or a letter. */
export function shortClickHouseMessage(error: unknown, max = 1_000): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\(version [^)]*\)/g, '').trim();
  const firstLine = message.split('\n')[0] ?? message;
  return clipText(firstLine, max);
}
