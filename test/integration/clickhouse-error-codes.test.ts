import { AUTH_CLICKHOUSE_CODES, DATA_CLICKHOUSE_CODES, TRANSIENT_CLICKHOUSE_CODES } from '../../lib/clickhouse/errors';
import { startTestStack, type TestStack } from '../support/test-stack';

/** Every code the writer sorts is checked against the name the server itself gives it. */
describe("the ClickHouse error codes the writer sorts are the server's own", () => {
  let ts: TestStack;

  beforeAll(async () => {
    ts = await startTestStack();
  });

  afterAll(() => ts.stop());

  const lists = [
    ['transient', TRANSIENT_CLICKHOUSE_CODES],
    ['data', DATA_CLICKHOUSE_CODES],
    ['auth', AUTH_CLICKHOUSE_CODES],
  ] as const;

  it.each(lists)('%s codes carry the name errorCodeToName gives them', async (_kind, codes) => {
    const names = await (
      await ts.clickhouse.query({ query: 'SELECT code, errorCodeToName(code) AS name FROM (SELECT arrayJoin({codes:Array(UInt32)}) AS code)', query_params: { codes: [...codes.keys()] }, format: 'JSONEachRow' })
    ).json<{ code: number; name: string }>();
    expect(Object.fromEntries(names.map((n) => [n.code, n.name]))).toEqual(Object.fromEntries([...codes].map(([code, text]) => [code, text.split(':')[0]])));
  });
});
