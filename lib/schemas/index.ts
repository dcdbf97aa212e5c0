import type { z } from 'zod';
import { OrderSchema } from './orders';
import { ProductSchema } from './products';
import { UserSchema } from './users';

/** Every table the pipeline writes, with the schema of its `data`. Adding a table starts here. */
export const TABLE_SCHEMAS = {
  users: UserSchema,
  products: ProductSchema,
  orders: OrderSchema,
} as const;

export type TableName = keyof typeof TABLE_SCHEMAS;
export type TableRecord<T extends TableName = TableName> = z.infer<(typeof TABLE_SCHEMAS)[T]>;

export const TABLE_NAMES = Object.keys(TABLE_SCHEMAS) as TableName[];

/** The topic each table's records arrive on (design.md, "Messages"). */
export const TOPIC_OF_TABLE: Readonly<Record<TableName, string>> = { users: 'users-topic', products: 'products-topic', orders: 'orders-topic' };

export const isTableName = (value: string): value is TableName =>
  Object.prototype.hasOwnProperty.call(TABLE_SCHEMAS, value);

export { EnvelopeSchema, type Envelope } from './envelope';
export { OrderSchema, ORDER_STATUSES, type Order } from './orders';
export { ProductSchema, type Product } from './products';
export { UserSchema, type User } from './users';
