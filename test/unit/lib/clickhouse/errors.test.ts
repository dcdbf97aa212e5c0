import { ClickHouseError } from '@clickhouse/client';
import {
  AUTH_CLICKHOUSE_CODES,
  classifyClickHouseError,
  DATA_CLICKHOUSE_CODES,
  errorSignature,
  rejectedRowNumber,
  TRANSIENT_CLICKHOUSE_CODES,
} from '../../../../lib/clickhouse/errors';

const serverError = (code: number) => new ClickHouseError({ message: 'boom', code: String(code), type: 'X' });

describe('classifyClickHouseError', () => {
  it.each([...TRANSIENT_CLICKHOUSE_CODES.keys()])('treats server code %i as transient', (code) => {
    expect(classifyClickHouseError(serverError(code))).toBe('transient');
  });

  it.each([...DATA_CLICKHOUSE_CODES.keys()])('treats server code %i as a data error', (code) => {
    expect(classifyClickHouseError(serverError(code))).toBe('data');
  });

  it.each([...AUTH_CLICKHOUSE_CODES.keys()])('treats server code %i as refused credentials (refresh and retry once)', (code) => {
    expect(classifyClickHouseError(serverError(code))).toBe('auth');
  });

  it.each([60, 62, 81, 497, 8, 16])('treats deployment error %i as fatal (retried, never dead-lettered)', (code) => {
    expect(classifyClickHouseError(serverError(code))).toBe('fatal');
  });

  it('reads the code from a plain error message too', () => {
    expect(classifyClickHouseError(new Error('Code: 25. DB::Exception: Cannot parse escape sequence'))).toBe('data');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])('treats socket error %s as transient', (code) => {
    expect(classifyClickHouseError(Object.assign(new Error('socket'), { code }))).toBe('transient');
  });

  it('treats the client request timeout as transient', () => {
    expect(classifyClickHouseError(new Error('Timeout error.'))).toBe('transient');
  });

  it('keeps the code sets disjoint', () => {
    const all = [...TRANSIENT_CLICKHOUSE_CODES.keys(), ...DATA_CLICKHOUSE_CODES.keys(), ...AUTH_CLICKHOUSE_CODES.keys()];
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('rejectedRowNumber', () => {
  it.each([
    ['Code: 376. DB::Exception: Cannot parse UUID from String: (while reading the value of key id): (at row 2)', 2],
    ['Code: 469. DB::Exception: Constraint `c` for table t.users is violated at row 12. Expression: (name != \'bad\')', 12],
    ['Code: 60. DB::Exception: Unknown table', undefined],
  ])('finds the row ClickHouse names in %s', (message, row) => {
    expect(rejectedRowNumber(new Error(message))).toBe(row);
  });
});

describe('errorSignature', () => {
  it('is the same for the same error on different rows and values', () => {
    const a = new Error("Code: 469. DB::Exception: Constraint `c` is violated at row 2. Column values: name = 'bad'. (VIOLATED_CONSTRAINT) (version 26.7.2.1)");
    const b = new Error("Code: 469. DB::Exception: Constraint `c` is violated at row 7. Column values: name = 'worse'. (VIOLATED_CONSTRAINT) (version 26.7.2.1)");
    expect(errorSignature(a)).toBe(errorSignature(b));
  });

  it('differs between errors', () => {
    expect(errorSignature(new Error('Code: 469. DB::Exception: Constraint `c` is violated at row 2'))).not.toBe(errorSignature(new Error('Code: 376. Cannot parse UUID (at row 2)')));
  });
});

describe('timeouts and aborts from the platform', () => {
  it('a DOMException TimeoutError (code 23) or AbortError (code 20) is transient, not ClickHouse code 23 or 20', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect([timeout.code, abort.code]).toEqual([23, 20]);
    expect(classifyClickHouseError(timeout)).toBe('transient');
    expect(classifyClickHouseError(abort)).toBe('transient');
  });
});
