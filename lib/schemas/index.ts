import './zod-messages';
import * as z from 'zod/mini';
import { envelopeOf } from './envelope';
import { OrderFields, OrderSchema } from './orders';
import { ProductFields, ProductSchema } from './products';
import TOPICS from './topics.json';
import { UserFields, UserSchema } from './users';

/**
 * Every table the pipeline writes. Adding a table starts here: its `data` schema, its columns
 * (the schema's fields, in order) and, in `topics.json`, the topic it arrives on.
 */
export const TABLE_SCHEMAS = {
  users: UserSchema,
  products: ProductSchema,
  orders: OrderSchema,
} as const;

export type TableName = keyof typeof TABLE_SCHEMAS;
export type TableRecord<T extends TableName = TableName> = z.infer<(typeof TABLE_SCHEMAS)[T]>;

export const TABLE_NAMES = Object.keys(TABLE_SCHEMAS) as TableName[];

/** The data columns of each table, in schema order (optional ones are sent as NULL when absent). */
export const TABLE_COLUMNS: Readonly<Record<TableName, readonly string[]>> = {
  users: Object.keys(UserFields),
  products: Object.keys(ProductFields),
  orders: Object.keys(OrderFields),
};

/** The whole message (envelope and data) of each table, validated in one pass. */
export const RECORD_SCHEMAS = {
  users: envelopeOf('users', UserSchema),
  products: envelopeOf('products', ProductSchema),
  orders: envelopeOf('orders', OrderSchema),
} as const;

const compiled = new Map<TableName, (typeof RECORD_SCHEMAS)[TableName]>();

/**
 * The table's record schema with Zod's generated fast path (about half the cost per valid record),
 * built on first use: a handler compiles only its own table. A record the fast path refuses is
 * parsed again by the runtime schema, so issues and messages are exactly the runtime's.
 */
export function compiledRecordSchema<T extends TableName>(table: T): (typeof RECORD_SCHEMAS)[T] {
  let schema = compiled.get(table);
  if (!schema) {
    schema = z.compile(RECORD_SCHEMAS[table]) as (typeof RECORD_SCHEMAS)[TableName];
    compiled.set(table, schema);
  }
  return schema as (typeof RECORD_SCHEMAS)[T];
}

/**
 * The topic each table's records arrive on. One definition for the TypeScript code and the
 * serverless configuration (`infra/aws` reads the same JSON file).
 */
export const TOPIC_OF_TABLE: Readonly<Record<TableName, string>> = TOPICS satisfies Record<TableName, string>;

export const isTableName = (value: string): value is TableName => Object.prototype.hasOwnProperty.call(TABLE_SCHEMAS, value);

export { envelopeOf, messageId } from './envelope';
export { OrderSchema, ORDER_STATUSES, type Order } from './orders';
export { ProductSchema, type Product } from './products';
export { UserSchema, type User } from './users';
