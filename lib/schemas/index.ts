import { z } from 'zod';
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
