import { z } from 'zod';
import { MAX_MONEY_CENTS, money, timestamp, toCents, UINT32_MAX, unsigned, uuid } from './fields';

export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;

/** A present `total` may differ from quantity × unit_price by at most one cent (rounding). */
export const TOTAL_TOLERANCE_CENTS = 1;

export const OrderFields = {
  id: uuid(),
  user_id: uuid(),
  product_id: uuid(),
  quantity: unsigned(UINT32_MAX, 1),
  unit_price: money(),
  // Absent or null: computed.
  total: money().nullish(),
  status: z.enum(ORDER_STATUSES),
  created_at: timestamp(),
};

export const OrderSchema = z.object(OrderFields).transform((order, ctx) => {
  // In integer cents: exact for every amount money() accepts.
  const expected = toCents(order.unit_price) * order.quantity;
  if (expected > MAX_MONEY_CENTS) {
    ctx.issues.push({ code: 'custom', path: ['total'], input: order, message: `quantity × unit_price (${expected / 100}) is larger than the largest storable amount` });
    return z.NEVER;
  }
  if (order.total !== undefined && order.total !== null && Math.abs(toCents(order.total) - expected) > TOTAL_TOLERANCE_CENTS) {
    ctx.issues.push({ code: 'custom', path: ['total'], input: order.total, message: `must equal quantity × unit_price (${expected / 100}) ± 0.01` });
    return z.NEVER;
  }
  return { ...order, total: order.total ?? expected / 100 };
});

export type Order = z.infer<typeof OrderSchema>;
