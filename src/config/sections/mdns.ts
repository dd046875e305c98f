/** Zeroconf announcement of the Wyoming endpoints (owned by the mDNS adapter). */
import { z } from 'zod';

export const mdnsSection = z.strictObject({
  enabled: z.boolean().default(true).describe('announce the Wyoming endpoints as _wyoming._tcp.local. for Home Assistant discovery'),
  interfaces: z.array(z.string()).default([]).describe('network interfaces whose addresses are announced; empty = all LAN interfaces'),
  ipv6: z.boolean().default(true).describe('also announce global/ULA IPv6 addresses (AAAA records)'),
  host_name: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,63}$/, 'letters, digits and dashes only (the .local suffix is added)')
    .nullable()
    .default(null)
    .describe('mDNS host name (without .local) the SRV records point at; null = <hostname>-wyoming, kept apart from avahi\'s own host name'),
  address_check_s: z.number().min(1).default(10).describe('how often interface addresses are checked for changes (then re-announced)'),
});
