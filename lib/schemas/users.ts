import { COUNTRY_CODES } from './countries';
import { text, timestamp, unsigned, uuid } from './fields';
import * as z from 'zod/mini';

const ASCII_LETTER_PAIR = /^[A-Za-z]{2}$/;

/**
 * The users table: its fields (in column order) and schema. Built on first use, so a handler
 * constructs only its own table's schema at cold start. Optional fields may be absent or null:
 * both are stored as NULL.
 */
export const users = () => {
  const fields = {
    id: uuid(),
    email: z.email(),
    name: text(200),
    age: z.nullish(unsigned(150)),
    // Normalisation: ISO codes are upper-cased ("de" → "DE"). Only ASCII letters are upper-cased:
    // Unicode case mapping turns "ß" into "SS", "ﬁ" into "FI", "ıt" into "IT" — real codes.
    country: z.nullish(
      z.pipe(
        z.string(),
        z.transform((code: string, ctx) => {
          const upper = code.toUpperCase();
          if (ASCII_LETTER_PAIR.test(code) && COUNTRY_CODES.has(upper)) return upper;
          ctx.issues.push({ code: 'custom', input: code, message: 'must be an ISO 3166-1 alpha-2 country code' });
          return z.NEVER;
        }),
      ),
    ),
    created_at: timestamp(),
  };
  return { fields, schema: z.object(fields) };
};

export type User = z.infer<ReturnType<typeof users>['schema']>;
