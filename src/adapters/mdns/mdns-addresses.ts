/**
 * Which of this machine's addresses go into A/AAAA records: real LAN addresses only. Loopback,
 * link-local (169.254/16, fe80::/10), unspecified and multicast addresses are never announced,
 * because Home Assistant drops link-local hosts and nobody else can reach the rest.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type os from 'node:os';

export interface AnnouncedAddress {
  interface: string;
  family: 'IPv4' | 'IPv6';
  address: string;
}

export interface AddressFilter {
  /** Interface names to use; empty = every interface. */
  interfaces: readonly string[];
  ipv6: boolean;
}

export function isRoutableIPv4(address: string): boolean {
  if (!isIPv4(address)) return false;
  const [a = 0, b = 0] = address.split('.').map(Number);
  if (a === 0 || a === 127) return false; // unspecified / "this network", loopback
  if (a === 169 && b === 254) return false; // link-local
  if (a >= 224) return false; // multicast and reserved
  return true;
}

export function isRoutableIPv6(address: string): boolean {
  if (!isIPv6(address)) return false;
  const lower = address.toLowerCase().split('%')[0] ?? '';
  if (lower === '::' || lower === '::1') return false;
  const firstHextet = parseInt(lower.split(':')[0] || '0', 16);
  if ((firstHextet & 0xffc0) === 0xfe80) return false; // link-local fe80::/10
  if ((firstHextet & 0xff00) === 0xff00) return false; // multicast
  if (lower.startsWith('::ffff:')) return isRoutableIPv4(lower.slice('::ffff:'.length));
  return true;
}

/** The addresses to announce, sorted so that a change in enumeration order is not a change. */
export function announcedAddresses(
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>,
  filter: AddressFilter,
): AnnouncedAddress[] {
  const out: AnnouncedAddress[] = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    if (filter.interfaces.length > 0 && !filter.interfaces.includes(name)) continue;
    for (const info of infos ?? []) {
      if (info.internal) continue;
      if (info.family === 'IPv4' && isRoutableIPv4(info.address)) {
        out.push({ interface: name, family: 'IPv4', address: info.address });
      } else if (info.family === 'IPv6' && filter.ipv6 && isRoutableIPv6(info.address)) {
        out.push({ interface: name, family: 'IPv6', address: info.address });
      }
    }
  }
  return out.sort((x, y) => (x.family + x.address).localeCompare(y.family + y.address));
}

export function sameAddresses(a: readonly AnnouncedAddress[], b: readonly AnnouncedAddress[]): boolean {
  return a.length === b.length && a.every((x, i) => x.address === b[i]?.address && x.family === b[i]?.family);
}
