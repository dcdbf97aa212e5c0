import { createTableHandler } from '../lib/handler';

/** Lambda entry for `orders-topic`: validates and writes `orders` rows exactly once. */
export const handler = createTableHandler('orders');
