/**
 * Stable identity of this machine: the one display name that the satellite's `info`, the mDNS
 * instance names and the MQTT device all use (`displayName`), and the short machine id (systemd
 * machine id, else a MAC address) that keeps ids unique. Nothing here changes across restarts.
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

/** Host names that say nothing about the machine, so they never become its display name. */
const ANONYMOUS_HOSTS = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

/**
 * THE display name of this daemon in Home Assistant, used for the satellite's `info` name (which
 * HA makes the satellite device's name and its config entry's title), the mDNS instance names
 * (`<name>-provider`, `<name>-satellite`) and the MQTT device name, so one machine shows one name
 * everywhere: the configured top-level `name`, else the host name (its first label, as people call
 * the machine), else `speech-satellite-<machine id>` when the host name says nothing.
 * The provider entry is the exception on purpose: HA titles it after the first program in `info`
 * (`speech-satellite-stt`, see provider-info.ts), a fixed name its unique id is built from.
 */
export function displayName(configuredName: string | null | undefined, sources: { hostname?: () => string; shortId?: () => string } = {}): string {
  const configured = configuredName?.trim();
  if (configured) return configured;
  const host = ((sources.hostname ?? os.hostname)().split('.')[0] ?? '').trim();
  if (host && !ANONYMOUS_HOSTS.has(host.toLowerCase())) return host;
  return `speech-satellite-${(sources.shortId ?? machineShortId)()}`;
}

/**
 * DNS-SD instance name of one endpoint: `<name>-<endpoint>` (the daemon passes `displayName`; a
 * missing name falls back to the machine id), dots replaced (they would split the label), at most
 * 63 bytes with the endpoint suffix always kept.
 */
export function instanceName(name: string | null, shortId: string, endpoint: string): string {
  const base = (name?.trim() || shortId).replaceAll('.', '-');
  const suffix = `-${endpoint}`;
  return truncateUtf8(base, MAX_INSTANCE_BYTES - Buffer.byteLength(suffix)) + suffix;
}

/** Default mDNS host label: the machine's host name plus `-wyoming`, so avahi's records stay untouched. */
export function defaultHostLabel(hostname: string = os.hostname(), shortId = machineShortId()): string {
  const label = slugify(hostname.split('.')[0] ?? '') || `satellite-${shortId}`;
  return `${label.slice(0, 63 - '-wyoming'.length)}-wyoming`;
}
