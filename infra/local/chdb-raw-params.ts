import { dirname, join } from 'node:path';
import type { Session } from 'chdb';

export interface RawQueryResult {
  readonly bytes: Uint8Array;
  readonly elapsed: number;
  readonly rowsRead: number;
  readonly bytesRead: number;
}

interface ChdbAddon {
  QueryAsyncConnection(connection: unknown, sql: string, format: string, params: Readonly<Record<string, string>>): Promise<RawQueryResult>;
}

let addon: ChdbAddon | undefined;

/** chdb's native addon, through chdb's own loader (the same cached module `chdb` itself uses). */
function chdbAddon(): ChdbAddon {
  if (addon) return addon;
  const loader = require(join(dirname(require.resolve('chdb')), 'dist', 'loader.js')) as { loadNative(): Partial<ChdbAddon> };
  const native = loader.loadNative();
  if (typeof native.QueryAsyncConnection !== 'function') {
    throw new Error('this chdb version has no native QueryAsyncConnection: the local ClickHouse endpoint cannot pass query parameters to it unchanged');
  }
  addon = native as ChdbAddon;
  return addon;
}

/**
 * Runs `sql` on the session's connection with its `{name:Type}` parameters set to exactly
 * `params`: each value reaches the engine as a `param_<name>` reaches clickhouse-server, which
 * parses it in its escaped text format (`deserializeTextEscaped` in
 * `ReplaceQueryParameterVisitor`): `\'`, `\\`, `\t`, `\xHH`… are decoded, a raw TAB ends a
 * String, `['a\'b']` is an Array(String) literal.
 *
 * `Session.queryBindAsync` cannot do this: it takes JS values and escapes every string once more
 * (chdb's `formatParamValue`), so a value that is already in the escaped form — what
 * `@clickhouse/client` and curl send — was decoded one level short, and `['a\'b']` failed to
 * parse. No string survives that escaping unchanged if it holds `\'`, `\x41` or a raw TAB, so
 * the values go to the addon's call that `queryBindAsync` itself ends in, minus the escaping.
 *
 * The caller runs one query at a time: chdb serialises parameterised queries only among its own
 * calls, and `Session.close()` waits only for the calls it made.
 */
export function queryWithRawParams(session: Session, sql: string, format: string, params: Readonly<Record<string, string>>): Promise<RawQueryResult> {
  if (!session.connection) return Promise.reject(new Error('the chdb session is closed'));
  return chdbAddon()
    .QueryAsyncConnection(session.connection, sql, format, params)
    .catch((error: unknown) => {
      // The addon rejects with an Error of the main realm (not an instance of a vm's or jest's
      // Error); like chdb's own calls, hand back an Error of ours with the engine's message.
      throw new Error(String((error as { message?: unknown } | undefined)?.message ?? error), { cause: error });
    });
}
