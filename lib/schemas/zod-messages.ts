import * as z from 'zod/mini';
import { en } from 'zod/locales';

// The schemas use Zod Mini: the same validation core as `zod`, but tree-shakable, so a Lambda
// bundle carries only the checks it uses. Mini has no messages of its own; these are `zod`'s
// English ones ("Invalid email address"), which dead letters carry.
z.config(en());
