import { ClickHouseError } from '@clickhouse/client';
import { classifyClickHouseError, DATA_CLICKHOUSE_CODES, TRANSIENT_CLICKHOUSE_CODES } from '../../../../lib/clickhouse/errors';

const serverError = (code: number) => new ClickHouseError({ message: 'boom', code: String(code), type: 'X' });

describe('classifyClickHouseError', () => {
  it.each([...TRANSIENT_CLICKHOUSE_CODES.keys()])('treats server code %i as transient', (code) => {
    expect(classifyClickHouseError(serverError(code))).toBe('transient');
  });

  it.each([...DATA_CLICKHOUSE_CODES.keys()])('treats server code %i as a data error', (code) => {
    expect(classifyClickHouseError(serverError(code))).toBe('data');
  });

  it.each([60, 516, 62, 81])('treats deployment error %i as fatal (retried, never dead-lettered)', (code) => {
    expect(classifyClickHouseError(serverError(code))).toBe('fatal');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])('treats socket error %s as transient', (code) => {
    expect(classifyClickHouseError(Object.assign(new Error('socket'), { code }))).toBe('transient');
  });

  it('treats the client request timeout as transient', () => {
    expect(classifyClickHouseError(new Error('Timeout error.'))).toBe('transient');
  });

  it('keeps the transient and data code sets disjoint', () => {
    for (const code of TRANSIENT_CLICKHOUSE_CODES.keys()) expect(DATA_CLICKHOUSE_CODES.has(code)).toBe(false);
  });
});
