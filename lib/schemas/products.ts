import { z } from 'zod';
import { isoDateTime, money, recordId } from './fields';

export const ProductSchema = z.object({
  id: recordId(),
  name: z.string().trim().min(1).max(500),
  category: z.string().trim().min(1).max(200),
  price: money(),
  stock: z.number().int().nonnegative().max(4_294_967_295), // UInt32: ClickHouse would wrap larger values silently
  created_at: isoDateTime(),
});

export type Product = z.infer<typeof ProductSchema>;
