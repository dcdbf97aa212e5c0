import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import fc from 'fast-check';
import { ClickHouseHttpServer } from '../../infra/local/clickhouse-http-server';

/**
 * ClickHouse takes a `param_<name>` value (URL or multipart field) verbatim and parses it in its
 * escaped text format (`deserializeTextEscaped` in ReplaceQueryParameterVisitor.cpp): `\'`, `\\`,
 * `\t`… are decoded, a raw TAB ends a String, and an Array(String) is a literal with the same
 * escapes inside its quotes. @clickhouse/client writes values that way; so does a person with curl.
 * Whatever the string, it must come back exactly as it went in.
 */
const CORPUS: ReadonlyArray<readonly [string, string]> = [
  ['empty', ''],
  ['a quote', "'"],
  ['a backslash', '\\'],
  ['two backslashes', '\\\\'],
  ['TAB', '\t'],
  ['LF', '\n'],
  ['CR', '\r'],
  ['CRLF', '\r\n'],
  ['NUL', '\0'],
  ['backspace and form feed', '\b\f'],
  ['ESC, VT and DEL', '\x1b\v\x7f'],
  ['backslash then quote', "\\'"],
  ['text that looks escaped', '\\t\\n\\r\\0\\N\\x41\\%'],
  ['ends in a backslash', 'abc\\'],
  ['a quote, then a backslash at the end', "x'\\"],
  ['SQL injection', "'); DROP TABLE lookup; --"],
  ['an array literal', "['a','b']"],
  ['a placeholder', '{p:String}'],
  ['URL syntax', 'a+b c%20d&e=f?g#h'],
  ['multipart syntax', '\r\n--boundary\r\nContent-Disposition: form-data; name="query"\r\n\r\nSELECT 2'],
  ['double quote and backtick', '"`'],
  ['Latin-1 and CJK', 'Grüße, 東京'],
  ['emoji, a ZWJ sequence, a flag', '🎉👩‍👩‍👧🇩🇪'],
  ['right-to-left and combining marks', 'שלום e\u0301'],
  ['line and paragraph separators, BOM', '\u2028\u2029\ufeff'],
  ['the highest code points', '\uffff\u{10ffff}'],
  ['every ASCII character', String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i))],
  // Three copies in one Array(String) stay under ClickHouse's 128 KiB multipart field limit.
  ['20,000 characters, every one escaped', "'\\\t\n".repeat(5_000)],
];
const VALUES = CORPUS.map(([, value]) => value);

/** The escaped text form with every special character escaped: what a person writes for curl. */
const escaped = (s: string): string =>
  s.replace(/[\\'\t\n\r\0\b\f]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0', '\b': '\\b', '\f': '\\f' })[c]!);
const arrayLiteral = (values: readonly string[]): string => `[${values.map((v) => `'${escaped(v)}'`).join(',')}]`;

// curl must run asynchronously: the server answers from this very event loop.
const run = promisify(execFile);
/** Runs curl; the status is the HTTP status, the body ClickHouse's answer or error text. */
const curl = async (...args: string[]): Promise<{ status: number; body: string }> => {
  const { stdout } = await run('curl', ['-sS', '-w', '\n%{http_code}', ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
};
const jsonRows = <T>(body: string): T[] => body.split('\n').filter(Boolean).map((line) => JSON.parse(line) as T);

const TRANSPORTS = [
  ['in the URL', false],
  ['in a multipart body', true],
] as const;

// The endpoint runs in this process here: these tests exercise it alone, with no Kafka client.
describe('local ClickHouse endpoint: query parameters round-trip as on a ClickHouse server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kcl-ch-params-'));
  const server = new ClickHouseHttpServer({ dataDir });
  let url: string;
  let client: ClickHouseClient;

  beforeAll(async () => {
    url = await server.start();
    const admin = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
    await admin.command({ query: 'CREATE DATABASE IF NOT EXISTS params' });
    await admin.close();
    client = createClient({ url, database: 'params', log: { level: ClickHouseLogLevel.OFF } });
    await client.command({ query: 'CREATE TABLE lookup (id String) ENGINE = MergeTree ORDER BY id' });
    // JSON, not a parameter: the stored ids do not depend on the code under test.
    await client.insert({ table: 'lookup', format: 'JSONEachRow', values: VALUES.map((id) => ({ id })) });
  });

  afterAll(async () => {
    await client.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const select = async <T>(query: string, query_params: Record<string, unknown>, use_multipart_params: boolean): Promise<T[]> =>
    (await client.query({ query, query_params, use_multipart_params, format: 'JSONEachRow' })).json<T>();

  describe.each(TRANSPORTS)('@clickhouse/client, parameters %s', (_, multipart) => {
    it.each(CORPUS)('%s: {p:String} and {a:Array(String)} come back exactly', async (_name, value) => {
      // Act
      const [row] = await select<{ p: string; a: string[] }>('SELECT {p:String} AS p, {a:Array(String)} AS a', { p: value, a: [value, 'next', value] }, multipart);
      // Assess
      expect(row).toEqual({ p: value, a: [value, 'next', value] });
    });

    it('every corpus value finds its row: IN an array, IN arrayConcat of arrays, = a string', async () => {
      // Act
      const inArray = await select<{ id: string }>('SELECT id FROM lookup WHERE id IN {ids:Array(String)}', { ids: VALUES }, multipart);
      const half = Math.ceil(VALUES.length / 2);
      const inConcat = await select<{ id: string }>('SELECT id FROM lookup WHERE id IN arrayConcat({m0:Array(String)}, {m1:Array(String)})', { m0: VALUES.slice(0, half), m1: VALUES.slice(half) }, multipart);
      const one = await Promise.all(VALUES.map(async (id) => (await select<{ id: string }>('SELECT id FROM lookup WHERE id = {id:String}', { id }, multipart)).map((r) => r.id)));
      // Assess
      const sorted = [...VALUES].sort();
      expect(inArray.map((r) => r.id).sort()).toEqual(sorted);
      expect(inConcat.map((r) => r.id).sort()).toEqual(sorted);
      expect(one).toEqual(VALUES.map((id) => [id]));
    });

    it('any string, heavy in escapes, comes back exactly (property)', async () => {
      const tricky = fc.constantFrom("'", '\\', '\t', '\n', '\r', '\0', '\b', '\f', 'N', 'x', '4', '%', '+', ' ', '[', ']', ',', '{', '}');
      const text = fc.array(fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 24 }).map((parts) => parts.join(''));
      await fc.assert(
        fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 5 }), async (values) => {
          const [row] = await select<{ p: string; a: string[] }>('SELECT {p:String} AS p, {a:Array(String)} AS a', { p: values[0], a: values }, multipart);
          expect(row).toEqual({ p: values[0], a: values });
        }),
        { numRuns: 40 },
      );
    });
  });

  describe.each([
    ['in the URL', (name: string, value: string) => ['--data-urlencode', `${name}=${value}`]],
    ['as multipart form fields', (name: string, value: string) => ['--form-string', `${name}=${value}`]],
  ] as const)('curl, parameters %s', (how, field) => {
    const curlQuery = (query: string, params: Record<string, string>) =>
      curl(...(how === 'in the URL' ? ['-G'] : []), ...field('query', query), ...Object.entries(params).flatMap(([name, value]) => field(`param_${name}`, value)), `${url}/?database=params`);

    it("answers ['a\\'b','c'] for {m:Array(String)} = ['a\\'b','c'] (the reported case)", async () => {
      expect(await curlQuery('SELECT {m:Array(String)}', { m: "['a\\'b','c']" })).toEqual({ status: 200, body: "['a\\'b','c']\n" });
    });

    it('decodes the escapes ClickHouse decodes, and keeps the backslash where it does', async () => {
      // \xHH is a byte, \N nothing, \/ a slash, \a BEL; \% stays \% (readHelpers' parseComplexEscapeSequence).
      const { status, body } = await curlQuery('SELECT {s:String} AS s, {a:Array(String)} AS a FORMAT JSONEachRow', { s: "\\'\\\\\\t\\n\\r\\0\\b\\f\\x41\\N\\/\\a\\%", a: "['\\x41\\'','\\%']" });
      expect(status).toBe(200);
      expect(jsonRows(body)).toEqual([{ s: "'\\\t\n\r\0\b\fA/\x07\\%", a: ["A'", '\\%'] }]);
    });

    it('every corpus value, escaped by hand, comes back exactly', async () => {
      const params = Object.fromEntries(VALUES.flatMap((value, i) => [[`p${i}`, escaped(value)]]));
      const columns = VALUES.map((_, i) => `{p${i}:String} AS p${i}`).join(', ');
      // Act
      const strings = await curlQuery(`SELECT ${columns} FORMAT JSONEachRow`, params);
      const arrays = await curlQuery('SELECT id FROM lookup WHERE id IN {ids:Array(String)} FORMAT JSONEachRow', { ids: arrayLiteral(VALUES) });
      // Assess
      expect(strings.status).toBe(200);
      expect(jsonRows(strings.body)).toEqual([Object.fromEntries(VALUES.map((value, i) => [`p${i}`, value]))]);
      expect(arrays.status).toBe(200);
      expect(jsonRows<{ id: string }>(arrays.body).map((r) => r.id).sort()).toEqual([...VALUES].sort());
    });

    it('refuses what ClickHouse refuses: a raw TAB in a String, a trailing backslash', async () => {
      const tab = await curlQuery('SELECT {s:String}', { s: 'a\tb' });
      const trailing = await curlQuery('SELECT {s:String}', { s: 'a\\' });
      expect(tab.body).toMatch(/^Code: 457\. .*\(BAD_QUERY_PARAMETER\)/);
      expect(trailing.body).toMatch(/^Code: 25\. .*\(CANNOT_PARSE_ESCAPE_SEQUENCE\)/);
    });
  });

  it('binds the other types the project uses as a server does: UUID, UInt8, UInt64, DateTime64, a NULL, Array(UInt32)', async () => {
    // Prepare
    const at = new Date('2024-05-01T12:34:56.789Z');
    const params = { id: '00000000-0000-4000-8000-00000000002a', n: 255, big: 18446744073709551615n, at, none: null, nums: [1, 2, 3] };
    for (const [, multipart] of TRANSPORTS) {
      // Act
      const [row] = await select<Record<string, unknown>>(
        "SELECT {id:UUID} AS id, {n:UInt8} AS n, toString({big:UInt64}) AS big, toString({at:DateTime64(3, 'UTC')}) AS at, {none:Nullable(String)} AS none, {nums:Array(UInt32)} AS nums",
        params,
        multipart,
      );
      // Assess
      expect(row).toEqual({ id: params.id, n: 255, big: '18446744073709551615', at: '2024-05-01 12:34:56.789', none: null, nums: [1, 2, 3] });
    }
  });
});
