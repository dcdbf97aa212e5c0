import { Faker, en } from '@faker-js/faker';
import { COUNTRY_CODES } from '../schemas/countries';
import { ORDER_STATUSES } from '../schemas/orders';
import { toCents } from '../schemas/fields';
import { TOPIC_OF_TABLE, type TableName } from '../schemas';


/** The kinds of poison the producer mixes in, so demos exercise every dead-letter path. */
export const POISON_KINDS = ['INVALID_JSON', 'SCHEMA_VALIDATION', 'TABLE_MISMATCH', 'EMPTY_VALUE'] as const;
export type PoisonKind = (typeof POISON_KINDS)[number];

export interface SampleRecord {
  readonly table: TableName;
  readonly topic: string;
  readonly key: string;
  /** `null` is a tombstone (an `EMPTY_VALUE` poison record). */
  readonly value: string | null;
  readonly poison?: PoisonKind;
}

export interface SampleDataOptions {
  readonly users: number;
  readonly products: number;
  readonly orders: number;
  /** Share (0..1) of records replaced by poison. */
  readonly invalidRate: number;
  /** Same seed, same data; omit for fresh data on every run. */
  readonly seed?: number;
  readonly now?: Date;
}

const COUNTRIES = [...COUNTRY_CODES];

/**
 * Generates realistic records that pass the schemas: users, products, and orders that reference
 * the generated users and products. Keys are record ids and every `messageId` is unique.
 */
export function generateSampleData(options: SampleDataOptions): SampleRecord[] {
  const faker = new Faker({ locale: [en] });
  if (options.seed !== undefined) faker.seed(options.seed);
  const now = options.now ?? new Date();
  const createdAt = () => faker.date.recent({ days: 90, refDate: now }).toISOString();
  const envelope = (table: TableName, data: { id: string } & Record<string, unknown>): SampleRecord => ({
    table,
    topic: TOPIC_OF_TABLE[table],
    key: data.id,
    value: JSON.stringify({ table, data, messageId: faker.string.uuid(), timestamp: now.toISOString() }),
  });

  const users = Array.from({ length: options.users }, () => {
    const first = faker.person.firstName();
    const last = faker.person.lastName();
    return envelope('users', {
      id: faker.string.uuid(),
      email: faker.internet.email({ firstName: first, lastName: last }).toLowerCase(),
      name: `${first} ${last}`,
      ...(faker.datatype.boolean(0.9) ? { age: faker.number.int({ min: 18, max: 90 }) } : {}),
      ...(faker.datatype.boolean(0.9) ? { country: faker.helpers.arrayElement(COUNTRIES) } : {}),
      created_at: createdAt(),
    });
  });
  const products = Array.from({ length: options.products }, () =>
    envelope('products', {
      id: faker.string.uuid(),
      name: faker.commerce.productName(),
      category: faker.commerce.department(),
      price: Number(faker.commerce.price({ min: 1, max: 500 })),
      stock: faker.number.int({ min: 0, max: 1_000 }),
      created_at: createdAt(),
    }),
  );
  const userIds = users.map((u) => u.key);
  const productIds = products.map((p) => p.key);
  const orders = Array.from({ length: options.orders }, () => {
    const quantity = faker.number.int({ min: 1, max: 5 });
    const unitPrice = Number(faker.commerce.price({ min: 1, max: 500 }));
    return envelope('orders', {
      id: faker.string.uuid(),
      user_id: userIds.length ? faker.helpers.arrayElement(userIds) : faker.string.uuid(),
      product_id: productIds.length ? faker.helpers.arrayElement(productIds) : faker.string.uuid(),
      quantity,
      unit_price: unitPrice,
      ...(faker.datatype.boolean(0.5) ? { total: toCents(quantity * unitPrice) / 100 } : {}),
      status: faker.helpers.arrayElement(ORDER_STATUSES),
      created_at: createdAt(),
    });
  });

  return [...users, ...products, ...orders].map((record) =>
    faker.number.float({ min: 0, max: 1 }) < options.invalidRate ? poison(record, faker.helpers.arrayElement(POISON_KINDS)) : record,
  );
}

/** Turns a valid record into poison of the given kind, keeping its topic and key. */
function poison(record: SampleRecord, kind: PoisonKind): SampleRecord {
  const parsed = JSON.parse(record.value!) as { table: TableName; data: Record<string, unknown> };
  switch (kind) {
    case 'INVALID_JSON':
      return { ...record, value: record.value!.slice(0, Math.floor(record.value!.length / 2)), poison: kind };
    case 'SCHEMA_VALIDATION':
      return { ...record, value: JSON.stringify({ ...parsed, data: { ...parsed.data, id: 'not-a-uuid' } }), poison: kind };
    case 'TABLE_MISMATCH': {
      const other: TableName = parsed.table === 'users' ? 'products' : 'users';
      return { ...record, value: JSON.stringify({ ...parsed, table: other }), poison: kind };
    }
    case 'EMPTY_VALUE':
      return { ...record, value: null, poison: kind };
  }
}
