/** The live web view served by the HTTP shim (owned by the web view adapter, src/adapters/http/ui). */
import { z } from 'zod';

export const httpUiSection = z.strictObject({
  enabled: z.boolean().default(true).describe('serve the live web view at / and /ui (the page asks for http.api_key and keeps it in the browser)'),
  max_viewers: z.number().int().min(1).max(256).default(8).describe('browsers watching the live view at once; one more is refused (503)'),
});
