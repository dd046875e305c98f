/**
 * A small mDNS responder for the Wyoming endpoints, on the multicast socket of bonjour-service.
 * bonjour-service's own publish() announces every interface's addresses and cannot be told
 * otherwise, so the records are built here (LAN addresses only, interfaces selectable) and this
 * class answers questions, announces, re-announces when the addresses change, and says goodbye.
 */
import os from 'node:os';
import { Bonjour } from 'bonjour-service';
import type { Logger } from '../util/logger.js';
import { announcedAddresses, sameAddresses, type AddressFilter, type AnnouncedAddress } from './mdns-addresses.js';
import { addressRecords, allRecords, answerQuery, goodbye, type AnnouncedService, type MdnsRecord, type Question } from './mdns-records.js';

export const MDNS_PORT = 5353;
/** RFC 6762 §8.3: at least two announcements, one second apart, doubling after that. */
export const ANNOUNCE_COUNT = 3;
export const ANNOUNCE_FIRST_INTERVAL_MS = 1000;
/** RFC 6762 §6.7: answers to legacy unicast questions carry TTLs of at most 10 s. */
const LEGACY_UNICAST_TTL_S = 10;

/** The narrow part of multicast-dns (under bonjour-service) used here. */
interface MulticastDns {
  on(event: 'query', fn: (packet: { id?: number; questions: Question[] }, rinfo: { address: string; port: number }) => void): void;
  on(event: 'response', fn: (packet: { answers: MdnsRecord[] }, rinfo: { address: string; port: number }) => void): void;
  on(event: 'error' | 'warning', fn: (err: Error) => void): void;
  respond(packet: object, rinfo: { address: string; port: number } | undefined, cb: (err?: Error | null) => void): void;
}

export interface MdnsResponderOptions {
  services: AnnouncedService[];
  /** `.local` host name the SRV records point at. */
  host: string;
  filter: AddressFilter;
  addressCheckMs: number;
  log: Logger;
  /** Injected for tests; defaults to os.networkInterfaces. */
  interfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
}

export class MdnsResponder {
  readonly #o: MdnsResponderOptions;
  readonly #interfaces: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  #bonjour: Bonjour | undefined;
  #mdns: MulticastDns | undefined;
  #addresses: AnnouncedAddress[] = [];
  #records: MdnsRecord[] = [];
  #timers = new Set<NodeJS.Timeout>();
  #watch: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #conflicts = new Set<string>();

  constructor(options: MdnsResponderOptions) {
    this.#o = options;
    this.#interfaces = options.interfaces ?? os.networkInterfaces;
  }

  get addresses(): readonly AnnouncedAddress[] {
    return this.#addresses;
  }

  start(): void {
    this.#addresses = announcedAddresses(this.#interfaces(), this.#o.filter);
    this.#records = allRecords(this.#o.services, this.#o.host, this.#addresses);
    this.#open();
    if (this.#addresses.length === 0) this.#o.log.warn({ filter: this.#o.filter }, 'no LAN address to announce yet; waiting for one');
    this.#o.log.info(
      { services: this.#o.services.map((s) => `${s.instance}:${s.port}`), host: this.#o.host, addresses: this.#addresses.map((a) => a.address) },
      'announcing Wyoming endpoints over mDNS',
    );
    this.#announce(this.#records);
    this.#watch = setInterval(() => this.checkAddresses(), this.#o.addressCheckMs);
    this.#watch.unref();
  }

  /** Compares the interface addresses with what was announced; re-announces on a change. */
  checkAddresses(): boolean {
    if (this.#stopped) return false;
    const now = announcedAddresses(this.#interfaces(), this.#o.filter);
    if (sameAddresses(now, this.#addresses)) return false;
    const gone = this.#addresses.filter((old) => !now.some((a) => a.address === old.address));
    this.#o.log.info({ from: this.#addresses.map((a) => a.address), to: now.map((a) => a.address) }, 'addresses changed; re-announcing');
    if (gone.length > 0) this.#send(goodbye(addressRecords(gone, this.#o.host)));
    this.#addresses = now;
    this.#records = allRecords(this.#o.services, this.#o.host, now);
    this.#announce(this.#records);
    return true;
  }

  /** Withdraws every record with a goodbye packet and closes the socket. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#watch);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const records = this.#records;
    await new Promise<void>((resolve) => this.#send(goodbye(records), resolve));
    this.#o.log.info('mDNS records withdrawn');
    await new Promise<void>((resolve) => (this.#bonjour ? this.#bonjour.destroy(() => resolve()) : resolve()));
  }

  #open(): void {
    const pinned = this.#pinnedInterfaceAddress();
    const opts = pinned ? { interface: pinned, bind: '0.0.0.0' } : {};
    this.#bonjour = new Bonjour(opts as object, (err: Error) => this.#o.log.warn({ err }, 'mDNS socket error'));
    // The socket lives on bonjour-service's server; nothing is published through its registry.
    this.#mdns = (this.#bonjour as unknown as { server: { mdns: MulticastDns } }).server.mdns;
    this.#mdns.on('error', (err) => this.#o.log.warn({ err }, 'mDNS socket error'));
    this.#mdns.on('warning', (err) => this.#o.log.debug({ err }, 'mDNS warning'));
    this.#mdns.on('query', (packet, rinfo) => this.#onQuery(packet, rinfo));
    this.#mdns.on('response', (packet) => this.#watchConflicts(packet.answers ?? []));
  }

  /** Another host answering for one of our instance names with other data: say so once. */
  #watchConflicts(answers: MdnsRecord[]): void {
    for (const r of answers) {
      if (r.type !== 'SRV' || r.ttl === 0) continue;
      const ours = this.#records.find((x) => x.type === 'SRV' && x.name.toLowerCase() === r.name.replace(/\.$/, '').toLowerCase());
      if (!ours || this.#conflicts.has(ours.name)) continue;
      const a = ours.data as { port: number; target: string };
      const b = r.data as { port: number; target: string };
      if (a.port === b.port && a.target.toLowerCase() === b.target.replace(/\.$/, '').toLowerCase()) continue;
      this.#conflicts.add(ours.name);
      this.#o.log.warn({ instance: ours.name, theirs: `${b.target}:${b.port}` }, 'another host announces the same mDNS instance name; set a distinct `name`');
    }
  }

  /** With interfaces chosen, multicast goes out of the first one that has an IPv4 address. */
  #pinnedInterfaceAddress(): string | undefined {
    if (this.#o.filter.interfaces.length === 0) return undefined;
    const all = this.#interfaces();
    for (const name of this.#o.filter.interfaces) {
      const v4 = (all[name] ?? []).find((i) => i.family === 'IPv4');
      if (v4) return v4.address;
    }
    return undefined;
  }

  #onQuery(packet: { id?: number; questions: Question[] }, rinfo: { address: string; port: number }): void {
    if (this.#stopped) return;
    const answer = answerQuery(packet.questions ?? [], this.#records);
    if (!answer) return;
    if (rinfo.port !== MDNS_PORT) {
      // Legacy unicast resolver (e.g. a one-shot dig): answer it directly, with short TTLs.
      const cap = (r: MdnsRecord) => ({ ...r, flush: false, ttl: Math.min(r.ttl, LEGACY_UNICAST_TTL_S) });
      const response = { id: packet.id ?? 0, questions: packet.questions, answers: answer.answers.map(cap), additionals: answer.additionals.map(cap) };
      this.#mdns?.respond(response, rinfo, (err) => err && this.#o.log.debug({ err }, 'mDNS unicast answer failed'));
      return;
    }
    this.#send(answer.answers, undefined, answer.additionals);
  }

  #announce(records: MdnsRecord[]): void {
    let delay = 0;
    let interval = ANNOUNCE_FIRST_INTERVAL_MS;
    for (let i = 0; i < ANNOUNCE_COUNT; i++) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (!this.#stopped) this.#send(records);
      }, delay);
      timer.unref();
      this.#timers.add(timer);
      delay += interval;
      interval *= 2;
    }
  }

  #send(answers: MdnsRecord[], done?: () => void, additionals: MdnsRecord[] = []): void {
    if (!this.#mdns || answers.length === 0) {
      done?.();
      return;
    }
    this.#mdns.respond({ answers, additionals }, undefined, (err) => {
      if (err) this.#o.log.warn({ err }, 'mDNS send failed');
      done?.();
    });
  }
}
