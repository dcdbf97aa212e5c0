import { z } from 'zod';
import { loneSurrogateAt, loneSurrogateMessage, timestamp } from './fields';

/** The idempotency `messageId`: stored and compared verbatim (no trimming), well-formed Unicode. */
export const messageId = () =>
  z
    .string()
    .min(1)
    .max(256)
    .superRefine((value, ctx) => {
      const at = loneSurrogateAt(value);
      if (at >= 0) ctx.addIssue({ code: 'custom', message: loneSurrogateMessage(value, at) });
    });

/**
 * The JSON value of every data-topic message, with the table's own schema for `data`. One schema
 * per table validates the whole record in one pass; `table` is checked first by the parser
 * (a record for another table is `TABLE_MISMATCH`, not a schema error).
 */
export const envelopeOf = <Data extends z.ZodType>(table: string, data: Data) =>
  z.object({
    table: z.literal(table),
    messageId: messageId(),
    timestamp: timestamp(),
    data,
  });
