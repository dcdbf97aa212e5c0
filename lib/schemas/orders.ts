import { MAX_MONEY_CENTS, money, timestamp, toCents, UINT32_MAX, unsigned, uuid } from './fields';
import * as z from 'zod/mini';

export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;

/** A present `total` may differ from quantity × unit_price by at most one cent (rounding). */
export const TOTAL_TOLERANCE_CENTS = 1;

const orderFields = () => ({
  id: uuid(),
  user_id: uuid(),
  product_id: uuid(),
  quantity: unsigned(UINT32_MAX, 1),
  unit_price: money(),
  // Absent or null: computed.
  total: z.nullish(money()),
  status: z.enum(ORDER_STATUSES),
  created_at: timestamp(),
});

type OrderInput = z.output<z.ZodMiniObject<ReturnType<typeof orderFields>>>;

/** The orders table: its fields (in column order) and schema, built on first use. */
export const orders = () => {
  const fields = orderFields();
  const schema = z.pipe(
    z.object(fields),
    z.transform((order: OrderInput, ctx) => {
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
    }),
  );
  return { fields, schema };
};

export type Order = z.infer<ReturnType<typeof orders>['schema']>;
