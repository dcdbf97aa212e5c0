import './zod-messages';
import * as z from 'zod/mini';
import { envelopeOf } from './envelope';
import { numberLiteralCheck, type NumberLiteralCheck } from './number-literals';
import { orders } from './orders';
import { products } from './products';
import TOPICS from './topics.json';
import { users } from './users';

/**
 * Every table the pipeline writes. Adding a table starts here: a file with its fields and schema,
 * and its topic in `topics.json`.
 */
const TABLES = { users, products, orders } as const;

export type TableName = keyof typeof TABLES;
type Built<T extends TableName> = ReturnType<(typeof TABLES)[T]>;
export type TableRecord<T extends TableName = TableName> = z.infer<Built<T>['schema']>;

export const TABLE_NAMES = Object.keys(TABLES) as TableName[];

/** A schema as the pipeline uses it: parse, get the output or the issues. */
export interface RecordParser {
  safeParse(input: unknown): { success: true; data: unknown } | { success: false; error: z.core.$ZodError };
}

/** What the pipeline needs of one table, built on first use (a handler needs only its own). */
export interface TableDefinition<T extends TableName = TableName> {
  /** The schema of `data`. */
  readonly data: Built<T>['schema'];
  /** The whole message (envelope and data), validated in one pass. */
  readonly record: RecordParser;
  /**
   * `record` with Zod's generated fast path (about half the cost per valid record). A record the
   * fast path refuses is parsed again by the runtime schema: issues are exactly the runtime's.
   */
  readonly compiled: RecordParser;
  /** The data columns, in schema order (optional ones are sent as NULL when absent). */
  readonly columns: readonly string[];
  /** The checks of number literals as written (money), when the table has fields that need them. */
  readonly literals?: NumberLiteralCheck;
}

const definitions = new Map<TableName, TableDefinition>();

export function tableDefinition<T extends TableName>(table: T): TableDefinition<T> {
  let definition = definitions.get(table);
  if (!definition) {
    const { fields, schema } = TABLES[table]();
    const record = envelopeOf(table, schema as z.ZodMiniType);
    definition = { data: schema, record, compiled: z.compile(record), columns: Object.keys(fields), literals: numberLiteralCheck(record) } as unknown as TableDefinition;
    definitions.set(table, definition);
  }
  return definition as TableDefinition<T>;
}

/**
 * The topic each table's records arrive on. One definition for the TypeScript code and the
 * serverless configuration (`infra/aws` reads the same JSON file).
 */
export const TOPIC_OF_TABLE: Readonly<Record<TableName, string>> = TOPICS satisfies Record<TableName, string>;

export const isTableName = (value: string): value is TableName => Object.prototype.hasOwnProperty.call(TABLES, value);

export { envelopeOf, messageId } from './envelope';
export { ORDER_STATUSES, type Order } from './orders';
export { type Product } from './products';
export { type User } from './users';
