import { z } from 'zod';
import { isoDateTime, money, recordId, roundToCents } from './fields';

export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;

/** A present `total` may differ from quantity × unit_price by at most this (rounding). */
export const TOTAL_TOLERANCE = 0.01;

export const OrderSchema = z
  .object({
    id: recordId(),
    user_id: recordId(),
    product_id: recordId(),
    quantity: z.number().int().min(1).max(4_294_967_295), // UInt32: ClickHouse would wrap larger values silently
    unit_price: money(),
    total: money().optional(),
    status: z.enum(ORDER_STATUSES),
    created_at: isoDateTime(),
  })
  .superRefine((order, ctx) => {
    if (order.total === undefined) return;
    const expected = order.quantity * order.unit_price;
    if (Math.abs(order.total - expected) > TOTAL_TOLERANCE + 1e-9) {
      ctx.addIssue({
        code: 'custom',
        path: ['total'],
        message: `must equal quantity × unit_price (${roundToCents(expected)}) ± ${TOTAL_TOLERANCE}`,
      });
    }
  })
  .transform((order) => ({
    ...order,
    total: order.total ?? roundToCents(order.quantity * order.unit_price),
  }));

export type Order = z.infer<typeof OrderSchema>;
