/**
 * Long lists of values as ClickHouse query parameters in the request body: never in the URL (a
 * request line a server or proxy would refuse), and never one form field over the server's limit.
 */

/**
 * Bytes of one query parameter's value as the client sends it (quoted, escaped, comma-separated).
 * ClickHouse accepts a multipart form field of at most `http_max_field_value_size` (128 KiB by
 * default); this leaves room under it. Few, large parameters: the server's work grows with their
 * number.
 */
export const PARAMETER_CHUNK_BYTES = 112 * 1024;

/** Bytes `value` takes inside an `Array(String)` parameter: quotes, a comma, and a backslash before each TAB, LF, CR, ' and \\. */
export function escapedLength(value: string): number {
  let escapes = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13 || c === 39 || c === 92) escapes++;
  }
  return Buffer.byteLength(value) + escapes + 3;
}

const sentLength = (value: string | number | bigint): number => (typeof value === 'string' ? escapedLength(value) : String(value).length + 1);

export interface ArrayParameter {
  /** SQL for the whole list: `arrayConcat({p0:Array(T)}, {p1:Array(T)}, …)`. */
  readonly sql: string;
  readonly params: Record<string, unknown[]>;
}

/** `values`, in order, as `Array(type)` parameters `<prefix>0`, `<prefix>1`, … of at most PARAMETER_CHUNK_BYTES each as sent. */
export function arrayParameter(prefix: string, type: string, values: ReadonlyArray<string | number | bigint>): ArrayParameter {
  const chunks: Array<Array<string | number | bigint>> = [[]];
  let bytes = 0;
  for (const value of values) {
    const size = sentLength(value);
    if (bytes + size > PARAMETER_CHUNK_BYTES && chunks[chunks.length - 1]!.length > 0) {
      chunks.push([]);
      bytes = 0;
    }
    chunks[chunks.length - 1]!.push(value);
    bytes += size;
  }
  const params: Record<string, unknown[]> = {};
  chunks.forEach((chunk, i) => (params[`${prefix}${i}`] = chunk));
  return { sql: `arrayConcat(${chunks.map((_, i) => `{${prefix}${i}:Array(${type})}`).join(', ')})`, params };
}
