import { z } from 'zod';
import { isoDateTime } from './fields';

/** The JSON value of every data-topic message; `data` is checked by the table's schema. */
export const EnvelopeSchema = z.object({
  table: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
  messageId: z.string().trim().min(1).max(256),
  timestamp: isoDateTime(),
});

export type Envelope = z.infer<typeof EnvelopeSchema>;
