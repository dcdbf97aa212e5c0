import { z } from 'zod';
import { COUNTRY_CODES } from './countries';
import { isoDateTime, recordId } from './fields';

export const UserSchema = z.object({
  id: recordId(),
  email: z.email(),
  name: z.string().trim().min(1).max(200),
  age: z.number().int().min(0).max(150).optional(),
  country: z
    .string()
    .transform((code) => code.toUpperCase())
    .refine((code) => COUNTRY_CODES.has(code), { message: 'must be an ISO 3166-1 alpha-2 country code' })
    .optional(),
  created_at: isoDateTime(),
});

export type User = z.infer<typeof UserSchema>;
