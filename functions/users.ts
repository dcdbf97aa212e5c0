import { createTableHandler } from '../lib/handler';

/** Lambda entry for `users-topic`: validates and writes `users` rows exactly once. */
export const handler = createTableHandler('users');
