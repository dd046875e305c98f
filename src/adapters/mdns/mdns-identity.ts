/**
 * Stable identity of this machine for mDNS instance names and the MQTT device: the configured
 * name, else the systemd machine id, else a MAC address. Nothing here changes across restarts.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createHash } from 'node:crypto';

export const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'];
/** Hex digits of the machine id used in names (as many as a MAC has). */
const SHORT_ID_LENGTH = 12;
/** RFC 6763: an instance name is one DNS label of at most 63 bytes. */
export const MAX_INSTANCE_BYTES = 63;

export interface IdentitySources {
  readMachineId?: () => string | null;
  interfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  hostname?: () => string;
}

function readFirstMachineId(): string | null {
  for (const file of MACHINE_ID_FILES) {
    try {
      const id = readFileSync(file, 'utf8').trim().toLowerCase();
      if (/^[0-9a-f]{32}$/.test(id)) return id;
    } catch {
      // try the next place
    }
  }
  return null;
}

/** The first real MAC (sorted by interface name so it does not depend on enumeration order). */
export function firstMac(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>): string | null {
  for (const name of Object.keys(interfaces).sort()) {
    for (const info of interfaces[name] ?? []) {
      if (info.internal || !info.mac || info.mac === '00:00:00:00:00:00') continue;
      return info.mac.replaceAll(':', '').toLowerCase();
    }
  }
  return null;
}

/** 12 lowercase hex digits identifying this machine. */
export function machineShortId(sources: IdentitySources = {}): string {
  const machineId = (sources.readMachineId ?? readFirstMachineId)();
  if (machineId) return machineId.slice(0, SHORT_ID_LENGTH);
  const mac = firstMac((sources.interfaces ?? os.networkInterfaces)());
  if (mac) return mac.slice(0, SHORT_ID_LENGTH).padStart(SHORT_ID_LENGTH, '0');
  const host = (sources.hostname ?? os.hostname)();
  return createHash('sha256').update(host).digest('hex').slice(0, SHORT_ID_LENGTH);
}

/** Lowercase a-z0-9 and single dashes: safe in topics, host names and entity ids. */
export function slugify(text: string, separator = '-'): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, separator)
    .replace(new RegExp(`^\\${separator}+|\\${separator}+$`, 'g'), '');
}

/** Cuts a UTF-8 string to at most `maxBytes` without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/**
 * DNS-SD instance name of one endpoint: `<name or machine id>-<endpoint>`, dots replaced (they
 * would split the label), at most 63 bytes with the endpoint suffix always kept.
 */
export function instanceName(configuredName: string | null, shortId: string, endpoint: string): string {
  const base = (configuredName?.trim() || shortId).replaceAll('.', '-');
  const suffix = `-${endpoint}`;
  return truncateUtf8(base, MAX_INSTANCE_BYTES - Buffer.byteLength(suffix)) + suffix;
}

/** Default mDNS host label: the machine's host name plus `-wyoming`, so avahi's records stay untouched. */
export function defaultHostLabel(hostname: string = os.hostname(), shortId = machineShortId()): string {
  const label = slugify(hostname.split('.')[0] ?? '') || `satellite-${shortId}`;
  return `${label.slice(0, 63 - '-wyoming'.length)}-wyoming`;
}
