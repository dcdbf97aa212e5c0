import type { PoisonCode } from '../../lib/errors';
import type { TableName } from '../../lib/schemas';

/**
 * Adversarial records, one kind each, for the corpus test: every kind is placed between two valid
 * neighbours and must end as a row written exactly as sent, a row written with a documented
 * normalisation, or a dead letter with a precise code — never a failed batch.
 */
export interface CorpusCase {
  readonly kind: string;
  readonly table: TableName;
  /** The record value; a function of the case's number (so ids stay unique). */
  readonly value: (n: number) => string | Buffer | null;
  /** The value field of the Lambda event exactly (for values that are not base64). */
  readonly rawEventValue?: string;
  readonly rawEventKey?: string;
  readonly key?: string | null;
  /** `written`: the columns the row must hold, as a function of the case's number. */
  readonly expect: { readonly deadLetter: PoisonCode } | { readonly written: (n: number) => Readonly<Record<string, unknown>> } | { readonly duplicate: true };
}

export const uuidOf = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const envelope = (table: TableName, n: number, data: Record<string, unknown>, patch: Record<string, unknown> = {}) =>
  JSON.stringify({ table, messageId: `corpus-${n}`, timestamp: '2024-05-01T00:00:00.000Z', data, ...patch });

export const validUser = (n: number, patch: Record<string, unknown> = {}) =>
  ({ id: uuidOf(n), email: `u${n}@example.com`, name: `User ${n}`, age: 30, country: 'DE', created_at: '2024-01-01T00:00:00.000Z', ...patch });
export const validProduct = (n: number, patch: Record<string, unknown> = {}) =>
  ({ id: uuidOf(n), name: `Product ${n}`, category: 'Toys', price: 9.99, stock: 5, created_at: '2024-01-01T00:00:00.000Z', ...patch });
export const validOrder = (n: number, patch: Record<string, unknown> = {}) =>
  ({ id: uuidOf(n), user_id: uuidOf(1), product_id: uuidOf(2), quantity: 2, unit_price: 1.25, status: 'paid', created_at: '2024-01-01T00:00:00.000Z', ...patch });

/** A valid record of `table` with number `n`: the neighbours of every case. */
export function validRecord(table: TableName, n: number): string {
  const data = table === 'users' ? validUser(n) : table === 'products' ? validProduct(n) : validOrder(n);
  return envelope(table, n, data);
}

const user = (patch: Record<string, unknown>, envelopePatch: Record<string, unknown> = {}) => (n: number) => envelope('users', n, validUser(n, patch), envelopePatch);
const product = (patch: Record<string, unknown>) => (n: number) => envelope('products', n, validProduct(n, patch));
const order = (patch: Record<string, unknown>) => (n: number) => envelope('orders', n, validOrder(n, patch));
/** A valid record of `table` with the text `from` replaced by `to`: number literals JSON.stringify cannot write. */
const rewritten = (table: TableName, from: string, to: string) => (n: number) => {
  const json = validRecord(table, n);
  if (!json.includes(from)) throw new Error(`corpus: ${from} is not in ${json}`);
  return json.replace(from, to);
};
const withoutField = (field: string) => (n: number) => {
  const data: Record<string, unknown> = validUser(n);
  delete data[field];
  return envelope('users', n, data);
};
const withoutEnvelopeField = (field: string) => (n: number) => {
  const value = JSON.parse(envelope('users', n, validUser(n))) as Record<string, unknown>;
  delete value[field];
  return JSON.stringify(value);
};
const poison = (code: PoisonCode) => ({ deadLetter: code });

export const BAD_INPUT_CORPUS: readonly CorpusCase[] = [
  // Bytes and framing
  { kind: 'tombstone (null value)', table: 'users', value: () => null, expect: poison('EMPTY_VALUE') },
  { kind: 'empty value', table: 'users', value: () => '', expect: poison('EMPTY_VALUE') },
  { kind: 'invalid UTF-8 bytes', table: 'users', value: () => Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), expect: poison('UNDECODABLE') },
  { kind: 'UTF-8 encoded surrogate (CESU)', table: 'users', value: () => Buffer.from([0x22, 0xed, 0xa0, 0xbd, 0x22]), expect: poison('UNDECODABLE') },
  { kind: 'value that is not base64 in the event', table: 'users', value: () => 'x', rawEventValue: '!!not base64!!', expect: poison('UNDECODABLE') },
  { kind: 'key that is not base64 in the event', table: 'users', value: (n) => validRecord('users', n), rawEventKey: '***', expect: poison('UNDECODABLE') },
  { kind: 'value that is not base64 in the event, with a lone surrogate', table: 'users', value: () => 'x', rawEventValue: '!!\ud800!!', expect: poison('UNDECODABLE') },
  // Text the letter quotes, cut where an emoji's two UTF-16 halves meet (either parity): the letter
  // and its dead_letters row must stay well-formed Unicode, or ClickHouse refuses the row.
  ...[45, 46].map((controls): CorpusCase => ({
    kind: `table name of ${controls} control characters and emoji, cut inside an emoji in the letter`,
    table: 'users',
    value: (n) => envelope('users', n, validUser(n), { table: `${'\u0001'.repeat(controls)}a${'😀'.repeat(30)}` }),
    expect: poison('TABLE_MISMATCH'),
  })),
  { kind: 'value over MAX_RECORD_BYTES', table: 'users', value: (n) => envelope('users', n, validUser(n, { bio: 'x'.repeat(1_100_000) })), expect: poison('OVERSIZE') },
  { kind: 'plain text', table: 'users', value: () => 'not json', expect: poison('INVALID_JSON') },
  { kind: 'truncated JSON', table: 'users', value: (n) => validRecord('users', n).slice(0, 40), expect: poison('INVALID_JSON') },
  { kind: 'JSON nested 100,000 deep', table: 'users', value: () => '['.repeat(100_000), expect: poison('INVALID_JSON') },
  { kind: 'JSON array', table: 'users', value: () => '[1,2,3]', expect: poison('SCHEMA_VALIDATION') },
  { kind: 'JSON string', table: 'users', value: () => '"users"', expect: poison('SCHEMA_VALIDATION') },
  { kind: 'JSON number', table: 'users', value: () => '42', expect: poison('SCHEMA_VALIDATION') },
  { kind: 'JSON null', table: 'users', value: () => 'null', expect: poison('SCHEMA_VALIDATION') },
  { kind: 'byte-order mark before valid JSON', table: 'users', value: (n) => `\ufeff${validRecord('users', n)}`, expect: { written: (n) => ({ name: `User ${n}` }) } },
  // Envelope
  { kind: 'record for another table', table: 'users', value: (n) => envelope('users', n, validUser(n), { table: 'orders' }), expect: poison('TABLE_MISMATCH') },
  { kind: 'table missing', table: 'users', value: withoutEnvelopeField('table'), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'table as a number', table: 'users', value: (n) => envelope('users', n, validUser(n), { table: 7 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'messageId missing', table: 'users', value: withoutEnvelopeField('messageId'), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'messageId empty', table: 'users', value: user({}, { messageId: '' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'messageId of 257 characters', table: 'users', value: user({}, { messageId: 'm'.repeat(257) }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'messageId with a lone surrogate', table: 'users', value: user({}, { messageId: 'id-\ud83d' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'messageId as a number', table: 'users', value: user({}, { messageId: 12 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'messageId with spaces (stored verbatim)', table: 'users', value: (n) => envelope('users', n, validUser(n), { messageId: ` corpus-${n} ` }), expect: { written: (n) => ({ message_id: ` corpus-${n} ` }) } },
  { kind: 'messageId of 256 characters with emoji', table: 'users', value: (n) => envelope('users', n, validUser(n), { messageId: `${n}-${'😀'.repeat(100)}`.padEnd(256, 'x') }), expect: { written: () => ({}) } },
  { kind: 'timestamp missing', table: 'users', value: withoutEnvelopeField('timestamp'), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'timestamp not ISO-8601', table: 'users', value: user({}, { timestamp: 'yesterday' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'timestamp as epoch number', table: 'users', value: user({}, { timestamp: 1714521600000 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'timestamp before 1900', table: 'users', value: user({}, { timestamp: '1800-01-01T00:00:00Z' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'data missing', table: 'users', value: withoutEnvelopeField('data'), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'data as an array', table: 'users', value: (n) => envelope('users', n, [] as unknown as Record<string, unknown>), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'data null', table: 'users', value: (n) => JSON.stringify({ table: 'users', messageId: `corpus-${n}`, timestamp: '2024-05-01T00:00:00Z', data: null }), expect: poison('SCHEMA_VALIDATION') },
  // users fields
  { kind: 'id not a uuid', table: 'users', value: user({ id: 'not-a-uuid' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'id missing', table: 'users', value: withoutField('id'), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'id in upper case (stored lower case)', table: 'users', value: (n) => envelope('users', n, validUser(n, { id: uuidOf(n).toUpperCase() })), expect: { written: () => ({}) } },
  { kind: 'email invalid', table: 'users', value: user({ email: 'nope' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'email missing', table: 'users', value: withoutField('email'), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'name empty', table: 'users', value: user({ name: '' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'name blank', table: 'users', value: user({ name: ' \t ' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'name of 201 characters', table: 'users', value: user({ name: 'n'.repeat(201) }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'name with a lone high surrogate (cut emoji)', table: 'users', value: user({ name: 'Zo\ud83d' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'name with a lone low surrogate', table: 'users', value: user({ name: '\udc00Zoe' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'name with emoji, accents and CJK', table: 'users', value: user({ name: 'Zoë 😀 山田' }), expect: { written: () => ({ name: 'Zoë 😀 山田' }) } },
  { kind: 'name with NUL, tab and newline', table: 'users', value: user({ name: 'a\u0000b\tc\nd' }), expect: { written: () => ({ name: 'a\u0000b\tc\nd' }) } },
  { kind: 'name with quotes and backslashes', table: 'users', value: user({ name: `O'Brien "\\x" \\` }), expect: { written: () => ({ name: `O'Brien "\\x" \\` }) } },
  { kind: 'name with leading spaces (stored verbatim)', table: 'users', value: user({ name: '  Ada  ' }), expect: { written: () => ({ name: '  Ada  ' }) } },
  { kind: 'name as a number', table: 'users', value: user({ name: 42 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'age 151', table: 'users', value: user({ age: 151 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'age -1', table: 'users', value: user({ age: -1 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'age 3.5', table: 'users', value: user({ age: 3.5 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'age as a string', table: 'users', value: user({ age: '30' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'age 1e300', table: 'users', value: user({ age: 1e300 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'age null (stored NULL)', table: 'users', value: user({ age: null }), expect: { written: () => ({ age: null }) } },
  { kind: 'country unknown', table: 'users', value: user({ country: 'XX' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'country lower case (upper-cased)', table: 'users', value: user({ country: 'fr' }), expect: { written: () => ({ country: 'FR' }) } },
  { kind: 'country as a number', table: 'users', value: user({ country: 49 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'country ß (Unicode upper-cases it to SS)', table: 'users', value: user({ country: 'ß' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'country ıt (dotless i: Unicode upper-cases it to IT)', table: 'users', value: user({ country: 'ıt' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'created_at date only', table: 'users', value: user({ created_at: '2024-01-01' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'created_at after 2299', table: 'users', value: user({ created_at: '2300-01-01T00:00:00Z' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'created_at with an offset (stored in UTC)', table: 'users', value: user({ created_at: '2024-01-01T02:00:00+02:00' }), expect: { written: () => ({ created_at: '2024-01-01 00:00:00.000' }) } },
  { kind: 'created_at with microseconds (stored to the millisecond)', table: 'users', value: user({ created_at: '2024-01-01T00:00:00.123456Z' }), expect: { written: () => ({ created_at: '2024-01-01 00:00:00.123' }) } },
  { kind: 'unknown fields and a huge extra array (dropped)', table: 'users', value: user({ nickname: 'x', tags: Array.from({ length: 50_000 }, (_, i) => i) }), expect: { written: () => ({}) } },
  { kind: '__proto__ key in data', table: 'users', value: (n) => validRecord('users', n).replace('"data":{', '"data":{"__proto__":{"polluted":true},'), expect: { written: () => ({}) } },
  { kind: 'duplicate JSON keys (the last wins)', table: 'users', value: (n) => validRecord('users', n).replace('"name":', '"name":"first","name":'), expect: { written: () => ({}) } },
  { kind: 'a 2 KB key', table: 'users', key: 'k'.repeat(2_048), value: (n) => validRecord('users', n), expect: { written: () => ({}) } },
  { kind: 'the same record twice in the batch', table: 'users', value: (n) => validRecord('users', n - 1), expect: { duplicate: true } },
  // products fields
  { kind: 'price with 3 decimals', table: 'products', value: product({ price: 1.001 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'price 1e16', table: 'products', value: product({ price: 1e16 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'price beyond exact cents', table: 'products', value: product({ price: 1234567890123456.78 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'price negative', table: 'products', value: product({ price: -0.01 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'price as a string', table: 'products', value: product({ price: '9.99' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'largest exact price', table: 'products', value: product({ price: 9_999_999_999_999.99 }), expect: { written: () => ({ price: 9_999_999_999_999.99 }) } },
  // Literals JSON.parse rounds to an amount the schema would accept: judged as written.
  { kind: 'price 19.9900000000000001 (JSON.parse makes 19.99 of it)', table: 'products', value: rewritten('products', '"price":9.99', '"price":19.9900000000000001'), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'price 9999999999999.9899 (JSON.parse makes the largest amount of it)', table: 'products', value: rewritten('products', '"price":9.99', '"price":9999999999999.9899'), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'price 5000000000000.0001', table: 'products', value: rewritten('products', '"price":9.99', '"price":5000000000000.0001'), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'price 1e13 (above the largest amount)', table: 'products', value: rewritten('products', '"price":9.99', '"price":1e13'), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'price twice, the last with 3 decimals', table: 'products', value: rewritten('products', '"price":9.99', '"price":9.99,"price":9.991'), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'price twice, the first with 3 decimals (the last counts)', table: 'products', value: rewritten('products', '"price":9.99', '"price":9.991,"price":9.99'), expect: { written: () => ({ price: 9.99 }) } },
  { kind: 'price 1.999e3 (stored 1999)', table: 'products', value: rewritten('products', '"price":9.99', '"price":1.999e3'), expect: { written: () => ({ price: 1999 }) } },
  { kind: 'price 0.100 (trailing zeros, stored 0.1)', table: 'products', value: rewritten('products', '"price":9.99', '"price" : 0.100 '), expect: { written: () => ({ price: 0.1 }) } },
  { kind: 'price -0.0 (stored 0)', table: 'products', value: rewritten('products', '"price":9.99', '"price":-0.0'), expect: { written: () => ({ price: 0 }) } },
  { kind: 'name holding "price": 1.234 and escaped quotes', table: 'products', value: product({ name: 'a "price": 1.234, \\"price\\":1.234' }), expect: { written: () => ({ name: 'a "price": 1.234, \\"price\\":1.234', price: 9.99 }) } },
  { kind: 'unknown fields with long decimals (dropped)', table: 'products', value: product({ weight: 1.2345, meta: { price: 9.999, rates: [1e-9] } }), expect: { written: () => ({ price: 9.99 }) } },
  { kind: 'stock 2^32', table: 'products', value: product({ stock: 2 ** 32 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'category with a lone surrogate', table: 'products', value: product({ category: 'Toys\ud83d' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'category rejected by a ClickHouse constraint', table: 'products', value: product({ category: 'Banned' }), expect: poison('CLICKHOUSE_REJECTED') },
  // ClickHouse quotes the offending value in its message; the letter cuts that message.
  ...['REJ', 'REJx'].map((prefix): CorpusCase => ({
    kind: `name of emoji rejected by a ClickHouse constraint (${prefix})`,
    table: 'products',
    value: product({ name: `${prefix}${'😀'.repeat(240)}` }),
    expect: poison('CLICKHOUSE_REJECTED'),
  })),
  // orders fields
  { kind: 'total off by more than a cent', table: 'orders', value: order({ total: 2.52 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'total null (computed)', table: 'orders', value: order({ total: null }), expect: { written: () => ({ total: 2.5 }) } },
  { kind: 'unit_price 1.2500000000000001 (JSON.parse makes 1.25 of it)', table: 'orders', value: rewritten('orders', '"unit_price":1.25', '"unit_price":1.2500000000000001'), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'total 2.5000000000000001 (JSON.parse makes 2.5 of it)', table: 'orders', value: rewritten('orders', '"unit_price":1.25', '"unit_price":1.25,"total":2.5000000000000001'), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'total 2.500 (stored 2.5)', table: 'orders', value: rewritten('orders', '"unit_price":1.25', '"unit_price":1.25,"total":2.500'), expect: { written: () => ({ total: 2.5 }) } },
  { kind: 'quantity 0', table: 'orders', value: order({ quantity: 0 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'status unknown', table: 'orders', value: order({ status: 'lost' }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'quantity × unit_price beyond exact cents', table: 'orders', value: order({ quantity: 4_000_000_000, unit_price: 9_999_999.99 }), expect: poison('SCHEMA_VALIDATION') },
  { kind: 'user_id not a uuid', table: 'orders', value: order({ user_id: 'u-1' }), expect: poison('SCHEMA_VALIDATION') },
];
