import { z } from 'zod';
import { COUNTRY_CODES } from './countries';
import { text, timestamp, unsigned, uuid } from './fields';

/** Optional fields may be absent or null: both are stored as NULL. */
export const UserFields = {
  id: uuid(),
  email: z.email(),
  name: text(200),
  age: unsigned(150).nullish(),
  // Normalisation: ISO codes are upper-cased ("de" → "DE").
  country: z
    .string()
    .transform((code) => code.toUpperCase())
    .refine((code) => COUNTRY_CODES.has(code), { message: 'must be an ISO 3166-1 alpha-2 country code' })
    .nullish(),
  created_at: timestamp(),
};

export const UserSchema = z.object(UserFields);

export type User = z.infer<typeof UserSchema>;
