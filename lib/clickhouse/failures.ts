import { ClickHouseWriteError, TransientError } from '../errors';
import { classifyClickHouseError, shortClickHouseMessage } from './errors';

const isAbort = (error: unknown): boolean => {
  const e = error as { name?: unknown; message?: unknown } | null;
  return e?.name === 'AbortError' || e?.name === 'TimeoutError' || /aborted/i.test(String(e?.message ?? ''));
};

/**
 * Turns a ClickHouse client failure into the pipeline's error: `TransientError` (the batch is
 * redelivered) or `ClickHouseWriteError` (a deployment problem; also redelivered, but it will not
 * go away by itself). The message is one line naming the endpoint and what failed.
 */
export function clickHouseFailure(error: unknown, what: string, endpoint: string): Error {
  if (error instanceof TransientError || error instanceof ClickHouseWriteError) return error;
  const kind = classifyClickHouseError(error);
  const reason = isAbort(error) ? 'the request timed out (no time left in the invocation or CLICKHOUSE_REQUEST_TIMEOUT_MS)' : describeCause(error);
  const message = `${endpoint}: could not ${what}: ${reason}`;
  return kind === 'transient' ? new TransientError(message, { cause: error }) : new ClickHouseWriteError(message, { cause: error });
}

const describeCause = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    const words: Record<string, string> = { ECONNREFUSED: 'connection refused', ENOTFOUND: 'host not found', ETIMEDOUT: 'connection timed out', ECONNRESET: 'connection reset' };
    return `${words[code] ?? code} (${code})`;
  }
  return shortClickHouseMessage(error, 500);
};
