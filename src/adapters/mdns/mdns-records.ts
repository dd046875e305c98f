/**
 * DNS-SD records for the Wyoming endpoints and answers to mDNS questions (pure functions, in the
 * record shape the multicast-dns / dns-packet encoder takes).
 */
import type { AnnouncedAddress } from './mdns-addresses.js';

export const WYOMING_SERVICE_TYPE = '_wyoming._tcp.local';
export const SERVICES_META_QUERY = '_services._dns-sd._udp.local';
/** RFC 6762 §10: host-bound records 120 s, the others 75 minutes. */
export const HOST_RECORD_TTL_S = 120;
export const OTHER_RECORD_TTL_S = 4500;

export interface MdnsRecord {
  name: string;
  type: 'PTR' | 'SRV' | 'TXT' | 'A' | 'AAAA';
  ttl: number;
  /** Cache-flush bit: set on unique records so peers replace what they held. */
  flush?: boolean;
  data: string | string[] | { port: number; target: string; priority: number; weight: number };
}

export interface AnnouncedService {
  /** Instance label, e.g. `kitchen-satellite`. */
  instance: string;
  port: number;
}

export function serviceFqdn(instance: string): string {
  return `${instance}.${WYOMING_SERVICE_TYPE}`;
}

export function serviceRecords(service: AnnouncedService, host: string): MdnsRecord[] {
  const fqdn = serviceFqdn(service.instance);
  return [
    { name: WYOMING_SERVICE_TYPE, type: 'PTR', ttl: OTHER_RECORD_TTL_S, data: fqdn },
    { name: fqdn, type: 'SRV', ttl: HOST_RECORD_TTL_S, flush: true, data: { port: service.port, target: host, priority: 0, weight: 0 } },
    // Wyoming publishes no properties; DNS-SD still wants a TXT record, holding one empty string.
    { name: fqdn, type: 'TXT', ttl: OTHER_RECORD_TTL_S, flush: true, data: [''] },
  ];
}

export function addressRecords(addresses: readonly AnnouncedAddress[], host: string): MdnsRecord[] {
  return addresses.map((a) => ({
    name: host,
    type: a.family === 'IPv4' ? ('A' as const) : ('AAAA' as const),
    ttl: HOST_RECORD_TTL_S,
    flush: true,
    data: a.address,
  }));
}

export function metaRecord(): MdnsRecord {
  return { name: SERVICES_META_QUERY, type: 'PTR', ttl: OTHER_RECORD_TTL_S, data: WYOMING_SERVICE_TYPE };
}

/** Everything this responder owns, as announced. */
export function allRecords(services: readonly AnnouncedService[], host: string, addresses: readonly AnnouncedAddress[]): MdnsRecord[] {
  return [metaRecord(), ...services.flatMap((s) => serviceRecords(s, host)), ...addressRecords(addresses, host)];
}

/** The same records with TTL 0: a goodbye (RFC 6762 §10.1). */
export function goodbye(records: readonly MdnsRecord[]): MdnsRecord[] {
  return records.map((r) => ({ ...r, ttl: 0 }));
}

function sameName(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}

export interface Question {
  name: string;
  type: string;
}

export interface Answer {
  answers: MdnsRecord[];
  additionals: MdnsRecord[];
}

/** Answers one question from `records`; null when the question is not about anything we own. */
export function answerQuestion(question: Question, records: readonly MdnsRecord[]): Answer | null {
  const matches = records.filter((r) => sameName(r.name, question.name) && (question.type === 'ANY' || question.type === r.type));
  if (matches.length === 0) return null;
  const additionals: MdnsRecord[] = [];
  const add = (r: MdnsRecord) => {
    if (!matches.includes(r) && !additionals.includes(r)) additionals.push(r);
  };
  // RFC 6763 §12: a PTR answer brings the instance's SRV/TXT; an SRV brings the host's addresses.
  for (const ptr of matches.filter((r) => r.type === 'PTR')) {
    for (const r of records) if (sameName(r.name, ptr.data as string) && (r.type === 'SRV' || r.type === 'TXT')) add(r);
  }
  const targets = [...matches, ...additionals].filter((r) => r.type === 'SRV').map((r) => (r.data as { target: string }).target);
  for (const target of targets) {
    for (const r of records) if (sameName(r.name, target) && (r.type === 'A' || r.type === 'AAAA')) add(r);
  }
  return { answers: matches, additionals };
}

/** Answers every question of a query packet at once; null when none concerns us. */
export function answerQuery(questions: readonly Question[], records: readonly MdnsRecord[]): Answer | null {
  const merged: Answer = { answers: [], additionals: [] };
  for (const q of questions) {
    const a = answerQuestion(q, records);
    if (!a) continue;
    for (const r of a.answers) if (!merged.answers.includes(r)) merged.answers.push(r);
    for (const r of a.additionals) if (!merged.additionals.includes(r)) merged.additionals.push(r);
  }
  merged.additionals = merged.additionals.filter((r) => !merged.answers.includes(r));
  return merged.answers.length > 0 ? merged : null;
}
