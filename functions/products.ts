import { createTableHandler } from '../lib/handler';

/** Lambda entry for `products-topic`: validates and writes `products` rows exactly once. */
export const handler = createTableHandler('products');
