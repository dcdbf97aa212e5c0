import { z } from 'zod';
import { money, text, timestamp, UINT32_MAX, unsigned, uuid } from './fields';

export const ProductFields = {
  id: uuid(),
  name: text(500),
  category: text(200),
  price: money(),
  stock: unsigned(UINT32_MAX),
  created_at: timestamp(),
};

export const ProductSchema = z.object(ProductFields);

export type Product = z.infer<typeof ProductSchema>;
