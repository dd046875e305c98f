/**
 * A small mDNS responder for the Wyoming endpoints, on the multicast socket of bonjour-service.
 * bonjour-service's own publish() announces every interface's addresses and cannot be told
 * otherwise, so the records are built here (LAN addresses only, interfaces selectable) and this
 * class probes its names (renaming on conflict), answers questions, announces, re-announces when
 * the addresses change, and says goodbye.
 */
import os from 'node:os';
import { Bonjour } from 'bonjour-service';
import type { Logger } from '../../util/logger.js';
import { announcedAddresses, sameAddresses, type AddressFilter, type AnnouncedAddress } from './mdns-addresses.js';
import { addressRecords, allRecords, answerQuery, goodbye, serviceFqdn, type AnnouncedService, type MdnsRecord, type Question } from './mdns-records.js';
import {
  conflictingNames, lostTieBreaks, MAX_PROBE_RENAMES, normalName, PROBE_COUNT, PROBE_DEFER_MS, PROBE_INTERVAL_MS,
  renamedHostLabel, renamedInstance, type WireRecord,
} from './mdns-probe.js';

export const MDNS_PORT = 5353;
/** RFC 6762 §8.3: at least two announcements, one second apart, doubling after that. */
export const ANNOUNCE_COUNT = 3;
export const ANNOUNCE_FIRST_INTERVAL_MS = 1000;
/** RFC 6762 §6.7: answers to legacy unicast questions carry TTLs of at most 10 s. */
const LEGACY_UNICAST_TTL_S = 10;

interface QueryPacket {
  id?: number;
  questions: Question[];
  authorities?: WireRecord[];
}

interface ResponsePacket {
  answers?: WireRecord[];
  additionals?: WireRecord[];
  authorities?: WireRecord[];
}

/** The narrow part of multicast-dns (under bonjour-service) used here. */
interface MulticastDns {
  on(event: 'query', fn: (packet: QueryPacket, rinfo: { address: string; port: number }) => void): void;
  on(event: 'response', fn: (packet: ResponsePacket, rinfo: { address: string; port: number }) => void): void;
  on(event: 'error' | 'warning', fn: (err: Error) => void): void;
  respond(packet: object, rinfo: { address: string; port: number } | undefined, cb: (err?: Error | null) => void): void;
  query(packet: { questions: Question[]; authorities: MdnsRecord[] }, cb: (err?: Error | null) => void): void;
}

/** One round of probes in flight: the names asked about, our proposed records, what came back. */
interface ProbeRound {
  names: Set<string>;
  proposed: MdnsRecord[];
  conflicts: Set<string>;
  lostTieBreak: boolean;
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
  /** The names in use: the configured ones, unless probing found them taken. */
  #services: AnnouncedService[];
  #host: string;
  /** Records we have claimed (empty until probing is done): only these are answered and withdrawn. */
  #records: MdnsRecord[] = [];
  #probe: ProbeRound | undefined;
  #claimed: Promise<void> = Promise.resolve();
  #timers = new Map<NodeJS.Timeout, () => void>();
  #watch: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #conflicts = new Set<string>();

  constructor(options: MdnsResponderOptions) {
    this.#o = options;
    this.#interfaces = options.interfaces ?? os.networkInterfaces;
    this.#services = options.services.map((s) => ({ ...s }));
    this.#host = options.host;
  }

  get addresses(): readonly AnnouncedAddress[] {
    return this.#addresses;
  }

  /** Instance names and host name as announced (after any rename). */
  get names(): { services: readonly AnnouncedService[]; host: string } {
    return { services: this.#services, host: this.#host };
  }

  /** Settles once the names are probed and the first announcement is under way (or on stop). */
  get claimed(): Promise<void> {
    return this.#claimed;
  }

  /** Opens the socket and starts probing; the names are announced once nobody else holds them. */
  start(): void {
    this.#addresses = announcedAddresses(this.#interfaces(), this.#o.filter);
    this.#open();
    if (this.#addresses.length === 0) this.#o.log.warn({ filter: this.#o.filter }, 'no LAN address to announce yet; waiting for one');
    this.#claimed = this.#probeAndAnnounce().catch((err: unknown) => this.#o.log.error({ err }, 'mDNS probing failed'));
  }

  /** Compares the interface addresses with what was announced; re-announces on a change. */
  checkAddresses(): boolean {
    if (this.#stopped || this.#probe) return false;
    const now = announcedAddresses(this.#interfaces(), this.#o.filter);
    if (sameAddresses(now, this.#addresses)) return false;
    const gone = this.#addresses.filter((old) => !now.some((a) => a.address === old.address));
    this.#o.log.info({ from: this.#addresses.map((a) => a.address), to: now.map((a) => a.address) }, 'addresses changed; re-announcing');
    if (gone.length > 0) this.#send(goodbye(addressRecords(gone, this.#host)));
    this.#addresses = now;
    this.#records = allRecords(this.#services, this.#host, now);
    this.#announce(this.#records);
    return true;
  }

  /** Withdraws every claimed record with a goodbye packet and closes the socket. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#watch);
    for (const [timer, wake] of this.#timers) {
      clearTimeout(timer);
      wake();
    }
    this.#timers.clear();
    const records = this.#records;
    await new Promise<void>((resolve) => this.#send(goodbye(records), resolve));
    this.#o.log.info('mDNS records withdrawn');
    await new Promise<void>((resolve) => (this.#bonjour ? this.#bonjour.destroy(() => resolve()) : resolve()));
  }

  /** RFC 6762 §8: probe, rename what another host holds, probe again; then announce. */
  async #probeAndAnnounce(): Promise<void> {
    const baseHost = this.#host.replace(/\.local$/i, '');
    const attempts = new Map<string, number>();
    for (let renames = 0; ; ) {
      const outcome = await this.#probeRound();
      if (this.#stopped) return;
      if (outcome === 'clear') break;
      if (outcome === 'deferred') {
        this.#o.log.debug('lost a simultaneous mDNS probe; probing again');
        await this.#sleep(PROBE_DEFER_MS);
        continue;
      }
      if (++renames > MAX_PROBE_RENAMES) {
        this.#o.log.warn({ names: [...outcome] }, 'mDNS names still in use after many renames; announcing anyway');
        break;
      }
      for (const [i, service] of this.#services.entries()) {
        if (!outcome.has(normalName(serviceFqdn(service.instance)))) continue;
        const base = this.#o.services[i]?.instance ?? service.instance;
        const n = (attempts.get(base) ?? 1) + 1;
        attempts.set(base, n);
        const renamed = renamedInstance(base, n);
        this.#o.log.warn({ from: service.instance, to: renamed }, 'mDNS instance name already in use on the network; renamed');
        service.instance = renamed;
      }
      if (outcome.has(normalName(this.#host))) {
        const n = (attempts.get('') ?? 1) + 1;
        attempts.set('', n);
        const renamed = `${renamedHostLabel(baseHost, n)}.local`;
        this.#o.log.warn({ from: this.#host, to: renamed }, 'mDNS host name already in use on the network; renamed');
        this.#host = renamed;
      }
    }
    this.#records = allRecords(this.#services, this.#host, this.#addresses);
    this.#o.log.info(
      { services: this.#services.map((s) => `${s.instance}:${s.port}`), host: this.#host, addresses: this.#addresses.map((a) => a.address) },
      'announcing Wyoming endpoints over mDNS',
    );
    this.#announce(this.#records);
    this.#watch = setInterval(() => this.checkAddresses(), this.#o.addressCheckMs);
    this.#watch.unref();
  }

  /** Three probes for every name at once; 'clear', 'deferred', or the names another host holds. */
  async #probeRound(): Promise<'clear' | 'deferred' | Set<string>> {
    const proposed = allRecords(this.#services, this.#host, this.#addresses)
      .filter((r) => r.type !== 'PTR')
      .map((r) => ({ ...r, flush: false }));
    const names = [...this.#services.map((s) => serviceFqdn(s.instance)), this.#host];
    const round: ProbeRound = { names: new Set(names.map(normalName)), proposed, conflicts: new Set(), lostTieBreak: false };
    this.#probe = round;
    try {
      await this.#sleep(Math.random() * PROBE_INTERVAL_MS);
      for (let i = 0; i < PROBE_COUNT && !this.#stopped; i++) {
        if (round.conflicts.size > 0 || round.lostTieBreak) break;
        this.#mdns?.query({ questions: names.map((name) => ({ name, type: 'ANY' })), authorities: proposed }, (err) => {
          if (err) this.#o.log.warn({ err }, 'mDNS probe send failed');
        });
        await this.#sleep(PROBE_INTERVAL_MS);
      }
    } finally {
      this.#probe = undefined;
    }
    if (round.conflicts.size > 0) return round.conflicts;
    return round.lostTieBreak ? 'deferred' : 'clear';
  }

  /** A timer that stop() ends early. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      this.#timers.set(timer, resolve);
    });
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
    this.#mdns.on('response', (packet) => this.#onResponse(packet));
  }

  #onResponse(packet: ResponsePacket): void {
    const probe = this.#probe;
    if (!probe) {
      this.#watchConflicts(packet.answers ?? []);
      return;
    }
    // RFC 6762 §9: a record for a name being probed, in any section, that is not ours is a conflict.
    const seen = [...(packet.answers ?? []), ...(packet.additionals ?? []), ...(packet.authorities ?? [])];
    for (const name of conflictingNames(seen, probe.proposed, probe.names)) probe.conflicts.add(name);
  }

  /** Another host answering for one of our claimed instance names with other data: say so once. */
  #watchConflicts(answers: WireRecord[]): void {
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

  #onQuery(packet: QueryPacket, rinfo: { address: string; port: number }): void {
    if (this.#stopped) return;
    const probe = this.#probe;
    if (probe) {
      // Nothing is ours to answer yet; another host probing the same names at once is a tie-break.
      if (lostTieBreaks(packet.authorities ?? [], probe.proposed, probe.names).size > 0) probe.lostTieBreak = true;
      return;
    }
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
      this.#timers.set(timer, () => undefined);
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
