import { z } from 'zod';
import type { OurLetterValue, SourceRange } from './letter';

const offset = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String);

// Letters written before originalBytes/originalSha256/originalTruncated/keyTruncated/requestId
// existed lack them: every addition is optional (coordination note, "Dead-letter value").
const OurLetterSchema = z.object({
  originalMessage: z.string().nullable(),
  originalEncoding: z.enum(['utf8', 'base64']).default('utf8'),
  originalBytes: z.number().int().nonnegative().optional(),
  originalSha256: z.string().optional(),
  originalTruncated: z.boolean().optional(),
  source: z.object({
    topic: z.string().min(1),
    partition: z.number().int().nonnegative(),
    offset,
    timestamp: z.number().optional(),
    key: z.string().nullable().optional(),
    keyTruncated: z.boolean().optional(),
  }),
  error: z.object({ code: z.string().min(1), message: z.string().default(''), issues: z.array(z.unknown()).default([]) }),
  failureReason: z.string().optional(),
  failedAt: z.string().optional(),
  handler: z.string().optional(),
  requestId: z.string().optional(),
});

/** Our dead-letter value, or undefined when `json` has another shape. */
export function parseOurLetter(json: unknown): OurLetterValue | undefined {
  const parsed = OurLetterSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** The one source record of our letter, as a range. */
export const sourceOf = (value: OurLetterValue): SourceRange => {
  const at = BigInt(value.source.offset);
  return { topic: value.source.topic, partition: value.source.partition, first: at, last: at };
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Does the letter say base64 but carry text that is not? `Buffer.from(text, 'base64')` would skip
 * the bad characters and yield bytes nobody wrote.
 */
export const hasInvalidBase64 = (value: OurLetterValue): boolean =>
  value.originalEncoding === 'base64' && value.originalMessage !== null && !isBase64(value.originalMessage);

/** Canonical base64 (padding included), the only form the handlers write. */
export const isBase64 = (text: string): boolean => BASE64.test(text);

/** The original bytes the letter carries (a prefix when `originalTruncated`). */
export const originalBytesOf = (value: OurLetterValue): Buffer | null =>
  value.originalMessage === null ? null : Buffer.from(value.originalMessage, value.originalEncoding === 'base64' ? 'base64' : 'utf8');

/** A truncated value or key is only a prefix: the record must be re-read from its source. */
export const needsReread = (value: OurLetterValue): boolean => value.originalTruncated === true || value.source.keyTruncated === true;
