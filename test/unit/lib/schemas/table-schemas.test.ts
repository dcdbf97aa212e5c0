import { tableDefinition } from '../../../../lib/schemas';
import { MAX_MONEY } from '../../../../lib/schemas/fields';

const UserSchema = tableDefinition('users').data;
const ProductSchema = tableDefinition('products').data;
const OrderSchema = tableDefinition('orders').data;
const RECORD_SCHEMAS = { users: tableDefinition('users').record };

const ID = '3f1c3a7e-9b1d-4c2a-8f7e-2b9d6c1a0e55';
const ID2 = '7a2b9c1d-1e2f-4a3b-9c4d-5e6f7a8b9c0d';
const user = { id: ID, email: 'ada@example.com', name: 'Ada', created_at: '2024-01-01T00:00:00.000Z' };
const product = { id: ID, name: 'Keyboard', category: 'Electronics', price: 19.99, stock: 3, created_at: '2024-01-01T00:00:00Z' };
const order = { id: ID, user_id: ID2, product_id: ID2, quantity: 3, unit_price: 0.1, status: 'paid', created_at: '2024-01-01T00:00:00+02:00' };

const paths = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) =>
  result.error?.issues.map((i) => i.path.join('.')) ?? [];
const messages = (result: { error?: { issues: Array<{ message: string }> } }) => result.error?.issues.map((i) => i.message) ?? [];

describe('users schema', () => {
  it('accepts a minimal user, drops unknown fields, and renders the date for ClickHouse', () => {
    // Act
    const result = UserSchema.parse({ ...user, nickname: 'x' });
    // Assess
    expect(result).toEqual({ ...user, created_at: '2024-01-01 00:00:00.000' });
  });

  it('normalises only what it documents: upper-cased country, lower-cased uuid, UTC time', () => {
    expect(UserSchema.parse({ ...user, id: ID.toUpperCase(), country: 'de', age: 0, created_at: '2024-01-01T02:30:00.123456+02:00' })).toMatchObject({
      id: ID,
      country: 'DE',
      age: 0,
      created_at: '2024-01-01 00:30:00.123',
    });
  });

  it.each(['de', 'De', 'dE', 'DE'])('upper-cases an ASCII country code in any case (%s)', (country) => {
    expect(UserSchema.parse({ ...user, country }).country).toBe('DE');
  });

  // Unicode case mapping makes real codes of these: ß → SS, ﬁ → FI, ſe → SE, ıt → IT, ǆ → DŽ.
  it.each(['ß', 'ﬁ', 'ſe', 'ıt', 'ﬀ', 'ǆ', 'ｄｅ', ' de', 'de ', 'D', ''])('refuses a country code that is not two ASCII letters (%j)', (country) => {
    const result = UserSchema.safeParse({ ...user, country });
    expect(paths(result)).toEqual(['country']);
    expect(messages(result)).toEqual(['must be an ISO 3166-1 alpha-2 country code']);
  });

  it('stores a name verbatim, spaces included', () => {
    expect(UserSchema.parse({ ...user, name: '  Ada  ' }).name).toBe('  Ada  ');
  });

  it.each([
    ['id', { id: 'not-a-uuid' }],
    ['email', { email: 'nope' }],
    ['name', { name: '' }],
    ['name', { name: '   ' }],
    ['name', { name: 'x'.repeat(201) }],
    ['name', { name: 'Zo\ud83d' }],
    ['name', { name: '\udc00x' }],
    ['age', { age: 151 }],
    ['age', { age: -1 }],
    ['age', { age: 3.5 }],
    ['country', { country: 'XX' }],
    ['country', { country: 'DEU' }],
    ['created_at', { created_at: '2024-01-01' }],
    ['created_at', { created_at: 'yesterday' }],
    ['created_at', { created_at: '1899-12-31T23:59:59Z' }],
    ['created_at', { created_at: '2300-01-01T00:00:00Z' }],
  ])('rejects an invalid %s', (field, patch) => {
    expect(paths(UserSchema.safeParse({ ...user, ...patch }))).toEqual([field]);
  });

  it('says where a lone surrogate is', () => {
    expect(messages(UserSchema.safeParse({ ...user, name: 'Zo\ud83d' }))).toEqual(['is not valid Unicode: lone UTF-16 surrogate \\ud83d at character 2 (a truncated emoji?)']);
  });

  it('accepts complete surrogate pairs (emoji)', () => {
    expect(UserSchema.parse({ ...user, name: 'Zoë 😀' }).name).toBe('Zoë 😀');
  });

  it.each(['id', 'email', 'name', 'created_at'])('requires %s', (field) => {
    const { [field as keyof typeof user]: _removed, ...rest } = user;
    expect(paths(UserSchema.safeParse(rest))).toEqual([field]);
  });
});

describe('products schema', () => {
  it('accepts a product with a 2-decimal price and zero stock', () => {
    expect(ProductSchema.parse({ ...product, stock: 0 })).toEqual({ ...product, stock: 0, created_at: '2024-01-01 00:00:00.000' });
  });

  it('accepts the largest amount a JSON number carries exactly', () => {
    expect(ProductSchema.parse({ ...product, price: MAX_MONEY }).price).toBe(9_999_999_999_999.99);
  });

  it.each([
    ['price', { price: -0.01 }],
    ['price', { price: 1.001 }],
    ['price', { price: '10' }],
    ['price', { price: 1234567890123456.78 }],
    ['price', { price: 1e16 }],
    ['price', { price: 10_000_000_000_000 }],
    ['stock', { stock: -1 }],
    ['stock', { stock: 1.5 }],
    ['stock', { stock: 2 ** 32 }],
    ['name', { name: '' }],
    ['category', { category: '' }],
    ['category', { category: 'Toys\ud800' }],
  ])('rejects an invalid %s', (field, patch) => {
    expect(paths(ProductSchema.safeParse({ ...product, ...patch }))).toEqual([field]);
  });
});

describe('orders schema', () => {
  it('computes total from quantity × unit_price when absent, without float noise', () => {
    expect(OrderSchema.parse(order).total).toBe(0.3);
  });

  it.each([0.3, 0.31, 0.29])('accepts a present total within ±0.01 (%s)', (total) => {
    expect(OrderSchema.parse({ ...order, total }).total).toBe(total);
  });

  it('rejects a present total that is off by more than 0.01', () => {
    const result = OrderSchema.safeParse({ ...order, total: 0.32 });
    expect(paths(result)).toEqual(['total']);
    expect(result.error?.issues[0]?.message).toContain('quantity × unit_price');
  });

  it('rejects a computed total that cannot be stored exactly', () => {
    expect(paths(OrderSchema.safeParse({ ...order, quantity: 4_000_000_000, unit_price: 9_999_999.99 }))).toEqual(['total']);
  });

  it.each(['pending', 'paid', 'shipped', 'delivered', 'cancelled'])('accepts status %s', (status) => {
    expect(OrderSchema.safeParse({ ...order, status }).success).toBe(true);
  });

  it.each([
    ['status', { status: 'lost' }],
    ['quantity', { quantity: 0 }],
    ['quantity', { quantity: 1.5 }],
    ['quantity', { quantity: 2 ** 32 }],
    ['unit_price', { unit_price: -1 }],
    ['user_id', { user_id: 'u1' }],
    ['product_id', { product_id: undefined }],
  ])('rejects an invalid %s', (field, patch) => {
    expect(paths(OrderSchema.safeParse({ ...order, ...patch }))).toEqual([field]);
  });
});

describe('record schema (envelope + data in one pass)', () => {
  it('gives the same output and issues compiled as at runtime', () => {
    const { record, compiled } = tableDefinition('users');
    const inputs = [
      { table: 'users', data: user, messageId: 'm-1', timestamp: '2024-01-01T00:00:00.000Z' },
      { table: 'users', data: { ...user, email: 'x', age: 151 }, messageId: '', timestamp: 'now' },
      { table: 'users', data: { ...user, name: 'Zo\ud83d' }, messageId: 'm', timestamp: '2024-01-01T00:00:00+02:00' },
    ];
    for (const input of inputs) expect(JSON.stringify(compiled.safeParse(input))).toBe(JSON.stringify(record.safeParse(input)));
  });

  it('lists each table\'s columns in schema order', () => {
    expect(tableDefinition('orders').columns).toEqual(['id', 'user_id', 'product_id', 'quantity', 'unit_price', 'total', 'status', 'created_at']);
  });

  const envelope = { table: 'users', data: user, messageId: 'm-1', timestamp: '2024-01-01T00:00:00.000Z' };

  it('accepts the seed envelope, drops unknown fields, keeps messageId verbatim', () => {
    expect((RECORD_SCHEMAS.users.safeParse({ ...envelope, messageId: ' m-1 ', extra: true }) as { data: unknown }).data).toEqual({
      table: 'users',
      messageId: ' m-1 ',
      timestamp: '2024-01-01 00:00:00.000',
      data: { ...user, created_at: '2024-01-01 00:00:00.000' },
    });
  });

  it.each([
    ['table', { table: 'orders' }],
    ['data', { data: 'text' }],
    ['data', { data: [1] }],
    ['messageId', { messageId: '' }],
    ['messageId', { messageId: 'x'.repeat(257) }],
    ['messageId', { messageId: 'id-\ud83d' }],
    ['timestamp', { timestamp: 1700000000 }],
    ['timestamp', { timestamp: '0001-01-01T00:00:00Z' }],
  ])('rejects an invalid %s', (field, patch) => {
    expect(paths(RECORD_SCHEMAS.users.safeParse({ ...envelope, ...patch }))).toEqual([field]);
  });

  it('reports data issues under data.<field>', () => {
    expect(paths(RECORD_SCHEMAS.users.safeParse({ ...envelope, data: { ...user, email: 'x' } }))).toEqual(['data.email']);
  });
});
