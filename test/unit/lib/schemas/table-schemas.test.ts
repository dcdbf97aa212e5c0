import { EnvelopeSchema, OrderSchema, ProductSchema, UserSchema } from '../../../../lib/schemas';

const ID = '3f1c3a7e-9b1d-4c2a-8f7e-2b9d6c1a0e55';
const ID2 = '7a2b9c1d-1e2f-4a3b-9c4d-5e6f7a8b9c0d';
const user = { id: ID, email: 'ada@example.com', name: 'Ada', created_at: '2024-01-01T00:00:00.000Z' };
const product = { id: ID, name: 'Keyboard', category: 'Electronics', price: 19.99, stock: 3, created_at: '2024-01-01T00:00:00Z' };
const order = { id: ID, user_id: ID2, product_id: ID2, quantity: 3, unit_price: 0.1, status: 'paid', created_at: '2024-01-01T00:00:00+02:00' };

const paths = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) =>
  result.error?.issues.map((i) => i.path.join('.')) ?? [];

describe('users schema', () => {
  it('accepts a minimal user and drops unknown fields', () => {
    // Act
    const result = UserSchema.parse({ ...user, nickname: 'x' });
    // Assess
    expect(result).toEqual(user);
  });

  it('upper-cases a valid country code and keeps optional age', () => {
    expect(UserSchema.parse({ ...user, country: 'de', age: 0 })).toMatchObject({ country: 'DE', age: 0 });
  });

  it.each([
    ['id', { id: 'not-a-uuid' }],
    ['email', { email: 'nope' }],
    ['name', { name: '' }],
    ['name', { name: 'x'.repeat(201) }],
    ['age', { age: 151 }],
    ['age', { age: -1 }],
    ['age', { age: 3.5 }],
    ['country', { country: 'XX' }],
    ['country', { country: 'DEU' }],
    ['created_at', { created_at: '2024-01-01' }],
    ['created_at', { created_at: 'yesterday' }],
  ])('rejects an invalid %s', (field, patch) => {
    expect(paths(UserSchema.safeParse({ ...user, ...patch }))).toEqual([field]);
  });

  it.each(['id', 'email', 'name', 'created_at'])('requires %s', (field) => {
    const { [field as keyof typeof user]: _removed, ...rest } = user;
    expect(paths(UserSchema.safeParse(rest))).toEqual([field]);
  });
});

describe('products schema', () => {
  it('accepts a product with a 2-decimal price and zero stock', () => {
    expect(ProductSchema.parse({ ...product, stock: 0 })).toEqual({ ...product, stock: 0 });
  });

  it.each([
    ['price', { price: -0.01 }],
    ['price', { price: 1.001 }],
    ['price', { price: '10' }],
    ['stock', { stock: -1 }],
    ['stock', { stock: 1.5 }],
    ['stock', { stock: 2 ** 32 }],
    ['name', { name: '' }],
    ['category', { category: '' }],
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

  it.each(['pending', 'paid', 'shipped', 'delivered', 'cancelled'])('accepts status %s', (status) => {
    expect(OrderSchema.safeParse({ ...order, status }).success).toBe(true);
  });

  it.each([
    ['status', { status: 'lost' }],
    ['quantity', { quantity: 0 }],
    ['quantity', { quantity: 1.5 }],
    ['unit_price', { unit_price: -1 }],
    ['user_id', { user_id: 'u1' }],
    ['product_id', { product_id: undefined }],
  ])('rejects an invalid %s', (field, patch) => {
    expect(paths(OrderSchema.safeParse({ ...order, ...patch }))).toEqual([field]);
  });
});

describe('envelope schema', () => {
  const envelope = { table: 'users', data: user, messageId: 'm-1', timestamp: '2024-01-01T00:00:00.000Z' };

  it('accepts the seed envelope and drops unknown fields', () => {
    expect(EnvelopeSchema.parse({ ...envelope, extra: true })).toEqual(envelope);
  });

  it.each([
    ['table', { table: '' }],
    ['data', { data: 'text' }],
    ['data', { data: [1] }],
    ['messageId', { messageId: '  ' }],
    ['timestamp', { timestamp: 1700000000 }],
  ])('rejects an invalid %s', (field, patch) => {
    expect(paths(EnvelopeSchema.safeParse({ ...envelope, ...patch }))).toEqual([field]);
  });
});
