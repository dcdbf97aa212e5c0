import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliDecompressSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { ChdbEngine, type EngineResult } from './chdb-engine';
import { httpStatusForCode } from './http-status';

export interface ClickHouseHttpServerOptions {
  readonly dataDir: string;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  /** Longest request URI accepted (ClickHouse's `http_max_uri_size`, 1 MiB by default). */
  readonly maxUriBytes?: number;
  /** Longest value of a multipart form field (ClickHouse's `http_max_field_value_size`, 128 KiB). */
  readonly maxFieldValueBytes?: number;
}

/** What the endpoint has served, for tests that hold the client to its budget of requests. */
export interface ClickHouseRequestStats {
  readonly requests: number;
  /** Length of the longest request line (method, URI, version) seen. */
  readonly maxRequestLineBytes: number;
}

/** ClickHouse's own defaults for the limits this endpoint enforces. */
export const CLICKHOUSE_LIMITS = { maxUriBytes: 1024 * 1024, maxFieldValueBytes: 128 * 1024 } as const;

/** Faults for reliability tests: refuse connections, answer with an error, or never answer. */
export type ClickHouseFault =
  | { readonly kind: 'none' }
  | { readonly kind: 'refuse' }
  | { readonly kind: 'fail'; readonly code?: number; readonly status?: number }
  | { readonly kind: 'stall' };

/** URL parameters that are part of the HTTP protocol, not ClickHouse settings. */
const PROTOCOL_PARAMS = new Set(['query', 'database', 'default_format', 'query_id', 'user', 'password', 'session_id', 'session_timeout', 'session_check', 'compress', 'decompress', 'quota_key', 'buffer_size', 'role']);
/** Settings that only the HTTP layer of a real server understands; the embedded engine rejects them. */
const HTTP_ONLY_SETTINGS = /^(enable_http_compression|wait_end_of_query|send_progress_in_http_headers|cancel_http_readonly_queries_on_client_close|http_.*)$/;
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Where embedded chdb's defaults differ from clickhouse-server's, the server's win (clients expect them). */
const SERVER_DEFAULT_SETTINGS: ReadonlyArray<[string, string]> = [['output_format_json_quote_64bit_integers', '1']];
const VERSION_SUFFIX = ' (version chdb-local)';

class HttpQueryError extends Error {
  constructor(readonly code: number, readonly type: string, message: string) {
    super(`Code: ${code}. DB::Exception: ${message}. (${type})`);
  }
}

const CONTENT_TYPES: Record<string, string> = {
  JSON: 'application/json; charset=UTF-8',
  JSONEachRow: 'application/x-ndjson; charset=UTF-8',
  JSONCompactEachRow: 'application/x-ndjson; charset=UTF-8',
  CSV: 'text/csv; charset=UTF-8; header=absent',
  CSVWithNames: 'text/csv; charset=UTF-8; header=present',
};

/**
 * The part of ClickHouse's HTTP interface that `@clickhouse/client` and `curl` use, executed by
 * chdb on a persistent data directory: ping, queries in the URL or body, inserts with data in the
 * body, `param_*`, settings in the URL, basic and header auth, gzip both ways, `X-ClickHouse-*`
 * headers and ClickHouse-style errors with ClickHouse's HTTP statuses.
 */
export class ClickHouseHttpServer {
  private readonly engine: ChdbEngine;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private fault: ClickHouseFault = { kind: 'none' };
  private readonly stalled = new Set<ServerResponse>();
  private credentials: { user: string; password: string };
  private stats = { requests: 0, maxRequestLineBytes: 0 };

  constructor(private readonly options: ClickHouseHttpServerOptions) {
    this.engine = new ChdbEngine(options.dataDir);
    this.credentials = { user: options.user ?? 'default', password: options.password ?? '' };
    // Node's header limit is raised so that ClickHouse's own URI limit (checked below) decides.
    this.server = createServer({ maxHeaderSize: 2 * (options.maxUriBytes ?? CLICKHOUSE_LIMITS.maxUriBytes) + 64 * 1024 }, (req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      if (this.fault.kind === 'refuse') {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    return this.url;
  }

  get url(): string {
    const address = this.server.address() as AddressInfo;
    return `http://${address.address}:${address.port}`;
  }

  /** Changes the accepted password, as rotating the secret of a real server's user would. */
  setCredentials(user: string, password: string): void {
    this.credentials = { user, password };
  }

  /** Requests served so far and the longest request line; `reset` starts counting again. */
  requestStats(reset = false): ClickHouseRequestStats {
    const stats = { ...this.stats };
    if (reset) this.stats = { requests: 0, maxRequestLineBytes: 0 };
    return stats;
  }

  setFault(fault: ClickHouseFault): void {
    this.fault = fault;
    if (fault.kind === 'refuse') for (const socket of this.sockets) socket.destroy();
    if (fault.kind !== 'stall') {
      for (const res of this.stalled) res.destroy();
      this.stalled.clear();
    }
  }

  async stop(): Promise<void> {
    for (const res of this.stalled) res.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    await this.engine.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestLine = Buffer.byteLength(`${req.method} ${req.url} HTTP/${req.httpVersion}`);
    this.stats.requests += 1;
    this.stats.maxRequestLineBytes = Math.max(this.stats.maxRequestLineBytes, requestLine);
    if (Buffer.byteLength(req.url ?? '') > (this.options.maxUriBytes ?? CLICKHOUSE_LIMITS.maxUriBytes)) {
      req.resume();
      res.writeHead(414, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Code: 1000. DB::Exception: HTTP request URI is too long (http_max_uri_size). (POCO_EXCEPTION)\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const queryId = url.searchParams.get('query_id') ?? randomUUID();
    res.setHeader('X-ClickHouse-Server-Display-Name', 'chdb-local');
    res.setHeader('X-ClickHouse-Query-Id', queryId);
    res.setHeader('X-ClickHouse-Timezone', 'UTC');
    try {
      let body = await readBody(req);
      const form = parseMultipartForm(req, body, this.options.maxFieldValueBytes ?? CLICKHOUSE_LIMITS.maxFieldValueBytes);
      if (form) {
        // Form fields join the URL parameters (query, param_*, settings), as in ClickHouse.
        for (const [name, value] of form) url.searchParams.append(name, value);
        body = Buffer.alloc(0);
      }
      if (this.fault.kind === 'stall') {
        this.stalled.add(res);
        return;
      }
      if (this.fault.kind === 'fail') {
        const code = this.fault.code ?? 202;
        throw new HttpQueryError(code, 'INJECTED_FAULT', 'Injected fault: the local server was told to fail requests');
      }
      if ((url.pathname === '/ping' || url.pathname === '/') && !url.searchParams.has('query') && body.length === 0) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' }).end('Ok.\n');
        return;
      }
      if (url.pathname !== '/') throw new HttpQueryError(404, 'NOT_FOUND', `There is no handle ${url.pathname}`);
      this.authenticate(req, url);

      const urlQuery = url.searchParams.get('query');
      const sql = urlQuery !== null ? (body.length > 0 ? `${urlQuery}\n${body.toString('utf8')}` : urlQuery) : body.toString('utf8');
      if (sql.trim() === '') throw new HttpQueryError(62, 'SYNTAX_ERROR', 'Empty query');
      const format = url.searchParams.get('default_format') ?? 'TabSeparated';
      const result = await this.engine.execute({
        sql,
        database: url.searchParams.get('database') ?? 'default',
        format,
        settings: settingsFrom(url),
        params: paramsFrom(url),
      });
      this.respond(req, res, url, result, explicitFormat(sql) ?? format);
    } catch (error) {
      this.respondError(res, error);
    }
  }

  private authenticate(req: IncomingMessage, url: URL): void {
    let user = url.searchParams.get('user') ?? 'default';
    let password = url.searchParams.get('password') ?? '';
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      user = colon === -1 ? decoded : decoded.slice(0, colon);
      password = colon === -1 ? '' : decoded.slice(colon + 1);
    }
    if (typeof req.headers['x-clickhouse-user'] === 'string') user = req.headers['x-clickhouse-user'];
    if (typeof req.headers['x-clickhouse-key'] === 'string') password = req.headers['x-clickhouse-key'];
    if (user !== this.credentials.user || password !== this.credentials.password) {
      throw new HttpQueryError(516, 'AUTHENTICATION_FAILED', `${user}: Authentication failed: password is incorrect, or there is no user with such name`);
    }
  }

  private respond(req: IncomingMessage, res: ServerResponse, url: URL, result: EngineResult, format: string): void {
    const summary = {
      read_rows: String(result.rowsRead),
      read_bytes: String(result.bytesRead),
      written_rows: '0',
      written_bytes: '0',
      total_rows_to_read: '0',
      result_rows: String(result.rowsRead),
      result_bytes: String(result.body.length),
      elapsed_ns: String(Math.round(result.elapsedSeconds * 1e9)),
    };
    res.setHeader('X-ClickHouse-Summary', JSON.stringify(summary));
    res.setHeader('X-ClickHouse-Format', format);
    res.setHeader('Content-Type', CONTENT_TYPES[format] ?? 'text/tab-separated-values; charset=UTF-8');
    const wantsGzip = url.searchParams.get('enable_http_compression') === '1' && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (wantsGzip) {
      res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(gzipSync(result.body));
    } else {
      res.writeHead(200).end(result.body);
    }
  }

  private respondError(res: ServerResponse, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const match = /Code: (\d+)\./.exec(message);
    const code = match ? Number(match[1]) : 1002;
    const text = match ? message : `Code: 1002. DB::Exception: ${message}. (UNKNOWN_EXCEPTION)`;
    const status = this.fault.kind === 'fail' && this.fault.status ? this.fault.status : httpStatusForCode(code);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res
      .writeHead(status, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': String(code) })
      .end(`${text.trimEnd()}${VERSION_SUFFIX}\n`);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  try {
    if (encoding === 'gzip') return gunzipSync(raw);
    if (encoding === 'deflate') return inflateSync(raw);
    if (encoding === 'br') return brotliDecompressSync(raw);
  } catch (error) {
    throw new HttpQueryError(354, 'CANNOT_DECOMPRESS', `Cannot decompress ${encoding} request body: ${(error as Error).message}`);
  }
  if (encoding !== '' && encoding !== 'identity') {
    throw new HttpQueryError(638, 'UNKNOWN_COMPRESSION_METHOD', `Unknown HTTP compression method: ${encoding}`);
  }
  return raw;
}

/**
 * The fields of a `multipart/form-data` body (query parameters, the query, settings), or
 * undefined for any other body. File parts (ClickHouse's external tables) are not supported here.
 */
function parseMultipartForm(req: IncomingMessage, body: Buffer, maxFieldValueBytes: number): Array<[string, string]> | undefined {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^multipart\/form-data\b/i.test(type)) return undefined;
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (!boundary) throw new HttpQueryError(1000, 'POCO_EXCEPTION', 'multipart/form-data without a boundary');
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const fields: Array<[string, string]> = [];
  const text = body.toString('latin1');
  for (const part of text.split(delimiter).slice(1)) {
    if (part.startsWith('--')) break;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new HttpQueryError(1000, 'POCO_EXCEPTION', 'malformed multipart/form-data part');
    const headers = part.slice(0, headerEnd);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined) continue;
    if (/filename=/i.test(headers)) throw new HttpQueryError(48, 'NOT_IMPLEMENTED', 'External tables (file parts in multipart/form-data) are not supported by the local endpoint');
    const value = Buffer.from(part.slice(headerEnd + 4).replace(/\r\n$/, ''), 'latin1');
    if (value.length > maxFieldValueBytes) throw new HttpQueryError(1000, 'POCO_EXCEPTION', 'Field value too long (http_max_field_value_size)');
    fields.push([name, value.toString('utf8')]);
  }
  return fields;
}

function settingsFrom(url: URL): Array<[string, string]> {
  const settings: Array<[string, string]> = SERVER_DEFAULT_SETTINGS.filter(([name]) => !url.searchParams.has(name));
  for (const [name, value] of url.searchParams) {
    if (PROTOCOL_PARAMS.has(name) || name.startsWith('param_') || HTTP_ONLY_SETTINGS.test(name)) continue;
    if (!SETTING_NAME.test(name)) throw new HttpQueryError(115, 'UNKNOWN_SETTING', `Unknown setting '${name}'`);
    settings.push([name, value]);
  }
  return settings;
}

function paramsFrom(url: URL): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of url.searchParams) if (name.startsWith('param_')) params[name.slice(6)] = value;
  return params;
}

/** The output format named by a trailing `FORMAT X` clause, if any (not for INSERT data formats). */
function explicitFormat(sql: string): string | undefined {
  if (/^\s*INSERT\b/i.test(sql)) return undefined;
  return /\bFORMAT\s+(\w+)\s*;?\s*$/i.exec(sql)?.[1];
}
