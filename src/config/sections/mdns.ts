/** Zeroconf announcement of the Wyoming endpoints (owned by the mDNS adapter). */
import { z } from 'zod';

export const mdnsSection = z.object({
  enabled: z.boolean().default(true),
  interfaces: z.array(z.string()).default([]).describe('network interfaces whose addresses are announced; empty = all LAN interfaces'),
});
