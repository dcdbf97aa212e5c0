import { ClickHouseError } from '@clickhouse/client';

/**
 * ClickHouse error codes that mean "try again later": the server is overloaded, restarting or
 * a replica is behind. Started from the ClickHouse Kafka Connect sink's retry list.
 */
export const TRANSIENT_CLICKHOUSE_CODES: ReadonlyMap<number, string> = new Map([
  [3, 'UNEXPECTED_END_OF_FILE: the connection broke mid-request'],
  [159, 'TIMEOUT_EXCEEDED: the query ran out of time on the server'],
  [164, 'READONLY: the server or replica is in read-only mode, e.g. while ZooKeeper/Keeper is away'],
  [202, 'TOO_MANY_SIMULTANEOUS_QUERIES: server-side concurrency limit'],
  [203, 'NO_FREE_CONNECTION: connection pool to a shard/replica exhausted'],
  [209, 'SOCKET_TIMEOUT: network timeout between servers'],
  [210, 'NETWORK_ERROR: network failure between servers'],
  [242, 'TABLE_IS_READ_ONLY: replicated table lost its Keeper session; recovers by itself'],
  [252, 'TOO_MANY_PARTS: inserts outpace merges; back off and retry'],
  [285, 'TOO_FEW_LIVE_REPLICAS: quorum insert cannot be satisfied right now'],
  [319, 'UNKNOWN_STATUS_OF_INSERT: the insert may or may not have happened; the dedup token makes a retry safe'],
  [425, 'SYSTEM_ERROR: an OS-level error such as a full socket buffer'],
  [999, 'KEEPER_EXCEPTION: coordination service unavailable'],
  [1002, 'UNKNOWN_EXCEPTION: ClickHouse Cloud uses it for transient proxy failures'],
  [241, 'MEMORY_LIMIT_EXCEEDED: the server is under memory pressure right now'],
  [394, 'QUERY_WAS_CANCELLED: the server cancelled the query (shutdown, kill)'],
]);

/**
 * Codes that mean "this data can never be inserted": a row fails to parse or violates a type or
 * constraint. Only these make the writer split the insert to find the poison rows.
 */
export const DATA_CLICKHOUSE_CODES: ReadonlyMap<number, string> = new Map([
  [6, 'CANNOT_PARSE_TEXT'],
  [26, 'CANNOT_PARSE_QUOTED_STRING'],
  [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
  [38, 'CANNOT_PARSE_DATE'],
  [41, 'CANNOT_PARSE_DATETIME'],
  [53, 'TYPE_MISMATCH'],
  [69, 'ARGUMENT_OUT_OF_BOUND'],
  [70, 'CANNOT_CONVERT_TYPE'],
  [72, 'CANNOT_PARSE_NUMBER'],
  [117, 'INCORRECT_DATA'],
  [131, 'TOO_LARGE_STRING_SIZE'],
  [321, 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE'],
  [349, 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN'],
  [407, 'DECIMAL_OVERFLOW'],
  [469, 'VIOLATED_CONSTRAINT'],
]);

/** Socket-level failures of the HTTP transport: the server was not reached or went away. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

export type ClickHouseFailureKind = 'transient' | 'data' | 'fatal';

/**
 * Sorts a ClickHouse client failure: `transient` (retry the batch), `data` (isolate the bad rows
 * and dead-letter them), or `fatal` (a deployment problem such as a missing table or wrong
 * credentials: the batch fails and is redelivered once an operator fixes it; nothing is dropped).
 */
export function classifyClickHouseError(error: unknown): ClickHouseFailureKind {
  if (error instanceof ClickHouseError || isCodedServerError(error)) {
    const code = Number((error as { code: string | number }).code);
    if (TRANSIENT_CLICKHOUSE_CODES.has(code)) return 'transient';
    if (DATA_CLICKHOUSE_CODES.has(code)) return 'data';
    return 'fatal';
  }
  const e = error as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (e && typeof e.code === 'string' && NETWORK_ERROR_CODES.has(e.code)) return 'transient';
  const message = typeof e?.message === 'string' ? e.message : '';
  // @clickhouse/client reports its own request timeout and dropped sockets by message only.
  if (/timeout|socket hang up|other side closed|ECONNRESET|ECONNREFUSED/i.test(message)) return 'transient';
  if (e?.cause) return classifyClickHouseError(e.cause);
  // An unknown failure without a server code: retrying is the only choice that loses nothing.
  return 'transient';
}

const isCodedServerError = (error: unknown): boolean =>
  error instanceof Error && 'code' in error && /^\d+$/.test(String((error as { code: unknown }).code));
