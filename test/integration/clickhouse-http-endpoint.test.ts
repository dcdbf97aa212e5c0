import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient as createClickHouseClient, type ClickHouseClient } from '@clickhouse/client';
import { ClickHouseHttpServer } from '../../infra/local/clickhouse-http-server';

const createClient: typeof createClickHouseClient = (options) => createClickHouseClient({ ...options, log: { level: ClickHouseLogLevel.OFF } });
// curl must run asynchronously: the server answers from this very event loop.
const curl = async (...args: string[]) => (await promisify(execFile)('curl', ['-sS', '--fail-with-body', ...args], { encoding: 'utf8' })).stdout;

// The endpoint runs in this process here: these tests exercise it alone, with no Kafka client.
describe('local ClickHouse HTTP endpoint', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kcl-ch-'));
  const server = new ClickHouseHttpServer({ dataDir, user: 'app', password: 's3cret' });
  let url: string;
  let client: ClickHouseClient;

  beforeAll(async () => {
    url = await server.start();
    client = createClient({ url, username: 'app', password: 's3cret', compression: { request: true, response: true } });
    await client.command({ query: 'CREATE DATABASE IF NOT EXISTS it' });
  });

  afterAll(async () => {
    await client.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers ping', async () => {
    expect(await client.ping()).toEqual({ success: true });
    expect(await (await fetch(`${url}/ping`)).text()).toBe('Ok.\n');
  });

  it('runs DDL, a gzip JSONEachRow insert and a parameterised select', async () => {
    // Prepare
    const db = createClient({ url, username: 'app', password: 's3cret', database: 'it', compression: { request: true, response: true } });
    await db.command({ query: 'CREATE TABLE IF NOT EXISTS t1 (id UInt32, name String) ENGINE = MergeTree ORDER BY id' });
    // Act
    await db.insert({ table: 't1', format: 'JSONEachRow', values: [{ id: 1, name: "O'Brien; DROP" }, { id: 2, name: 'b' }, { id: 3, name: 'c' }] });
    const rows = await (
      await db.query({ query: 'SELECT id, name FROM t1 WHERE id IN {ids:Array(UInt32)} AND name != {skip:String} ORDER BY id', query_params: { ids: [1, 2, 3], skip: 'c' }, format: 'JSONEachRow' })
    ).json();
    // Assess
    expect(rows).toEqual([{ id: 1, name: "O'Brien; DROP" }, { id: 2, name: 'b' }]);
    await db.close();
  });

  it('honours settings in the URL per request (insert_deduplication_token)', async () => {
    const db = createClient({ url, username: 'app', password: 's3cret', database: 'it' });
    await db.command({ query: 'CREATE TABLE IF NOT EXISTS t2 (id UInt32) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100' });
    for (let i = 0; i < 3; i++) {
      await db.insert({ table: 't2', format: 'JSONEachRow', values: [{ id: 1 }], clickhouse_settings: { insert_deduplication_token: 'same' } });
    }
    await db.insert({ table: 't2', format: 'JSONEachRow', values: [{ id: 1 }] });
    const [row] = await (await db.query({ query: 'SELECT count() AS c FROM t2', format: 'JSONEachRow' })).json<{ c: string }>();
    expect(Number(row!.c)).toBe(2);
    // The token must not leak into later requests.
    const [setting] = await (await db.query({ query: "SELECT getSetting('insert_deduplication_token') AS v", format: 'JSONEachRow' })).json<{ v: string }>();
    expect(setting!.v).toBe('');
    await db.close();
  });

  it('returns ClickHouse errors with their code, type, header and HTTP status', async () => {
    await expect(client.query({ query: 'SELECT * FROM it.missing' })).rejects.toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    const response = await fetch(`${url}/?query=SELECT%20*%20FROM%20it.missing`, { headers: { 'X-ClickHouse-User': 'app', 'X-ClickHouse-Key': 's3cret' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-clickhouse-exception-code')).toBe('60');
    expect(await response.text()).toMatch(/^Code: 60\. DB::Exception: .*\(UNKNOWN_TABLE\)/);
  });

  it('rejects wrong credentials with AUTHENTICATION_FAILED', async () => {
    const intruder = createClient({ url, username: 'app', password: 'wrong' });
    await expect(intruder.query({ query: 'SELECT 1' })).rejects.toMatchObject({ code: '516', type: 'AUTHENTICATION_FAILED' });
    await intruder.close();
    expect((await fetch(`${url}/?query=SELECT%201`)).status).toBe(403);
  });

  it('serves curl: SELECT 1 in the URL and an insert with data in the body', async () => {
    const auth = ['-u', 'app:s3cret'];
    expect(await curl(...auth, `${url}/?query=SELECT%201`)).toBe('1\n');
    await curl(...auth, '--data-binary', 'CREATE TABLE IF NOT EXISTS it.t3 (n UInt8) ENGINE = Memory', `${url}/`);
    await curl(...auth, '--data-binary', '7\n8\n', `${url}/?query=INSERT%20INTO%20it.t3%20FORMAT%20TabSeparated`);
    expect(await curl(...auth, '--data-binary', 'SELECT sum(n) FROM it.t3', `${url}/`)).toBe('15\n');
  });

  it('reports query id, format and summary headers', async () => {
    const response = await fetch(`${url}/?query=SELECT%201&query_id=q-123&default_format=JSONEachRow`, { headers: { Authorization: `Basic ${Buffer.from('app:s3cret').toString('base64')}` } });
    expect(response.headers.get('x-clickhouse-query-id')).toBe('q-123');
    expect(response.headers.get('x-clickhouse-format')).toBe('JSONEachRow');
    expect(JSON.parse(response.headers.get('x-clickhouse-summary')!)).toHaveProperty('read_rows');
    expect(await response.json()).toEqual({ '1': 1 });
  });

  it('answers ping while a query is running', async () => {
    // Prepare: a query that keeps the engine busy for 2 s.
    let slowDone = false;
    const slow = client.query({ query: 'SELECT sleep(2)', format: 'JSONEachRow' }).then(() => (slowDone = true));
    // Act
    const ping = await client.ping();
    // Assess
    expect(ping).toEqual({ success: true });
    expect(slowDone).toBe(false);
    await slow;
  });

  it('injects faults: failing requests, then healthy again', async () => {
    server.setFault({ kind: 'fail', code: 202 });
    await expect(client.query({ query: 'SELECT 1' })).rejects.toMatchObject({ code: '202' });
    server.setFault({ kind: 'none' });
    expect(await client.ping()).toEqual({ success: true });
  });
});
