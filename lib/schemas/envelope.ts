import { loneSurrogateAt, loneSurrogateMessage, timestamp } from './fields';
import * as z from 'zod/mini';

/** The idempotency `messageId`: stored and compared verbatim (no trimming), well-formed Unicode. */
export const messageId = () =>
  z.string().check(
    z.minLength(1),
    z.maxLength(256),
    z.superRefine((value: string, ctx) => {
      const at = loneSurrogateAt(value);
      if (at >= 0) ctx.addIssue({ code: 'custom', message: loneSurrogateMessage(value, at) });
    }),
  );

/**
 * The JSON value of every data-topic message, with the table's own schema for `data`. One schema
 * per table validates the whole record in one pass; `table` is checked first by the parser
 * (a record for another table is `TABLE_MISMATCH`, not a schema error).
 */
export const envelopeOf = <Data extends z.ZodMiniType>(table: string, data: Data) =>
  z.object({
    table: z.literal(table),
    messageId: messageId(),
    timestamp: timestamp(),
    data,
  });
