import { money, text, timestamp, UINT32_MAX, unsigned, uuid } from './fields';
import * as z from 'zod/mini';

/** The products table: its fields (in column order) and schema, built on first use. */
export const products = () => {
  const fields = {
    id: uuid(),
    name: text(500),
    category: text(200),
    price: money(),
    stock: unsigned(UINT32_MAX),
    created_at: timestamp(),
  };
  return { fields, schema: z.object(fields) };
};

export type Product = z.infer<ReturnType<typeof products>['schema']>;
