/**
 * What this daemon has published under before (device ids, base topic, discovery prefix), kept in
 * the state folder. A rename changes the device id and the base topic; without this record the
 * old device's retained configs and availability would stay on the broker, and Home Assistant
 * would keep an unavailable ghost device. On connect the bridge clears everything recorded that is
 * no longer current, then records only the current identity.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../util/logger.js';

export const PUBLISHED_FILE_NAME = 'mqtt-published.json';

const identitySchema = z.object({
  device_ids: z.array(z.string().regex(/^[a-zA-Z0-9_-]+$/)),
  base_topic: z.string().min(1),
  discovery_prefix: z.string().min(1),
});
const fileSchema = z.object({ published: z.array(identitySchema) });

export type PublishedIdentity = z.output<typeof identitySchema>;

export class PublishedIdentities {
  readonly file: string;

  constructor(
    stateDir: string,
    private readonly log: Logger,
  ) {
    this.file = path.join(stateDir, PUBLISHED_FILE_NAME);
  }

  /** Every identity recorded, or [] when nothing (or something unreadable) is there. */
  load(): PublishedIdentity[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = fileSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data.published;
      this.log.warn({ file: this.file }, 'ignoring an invalid record of published MQTT identities');
    } catch (err) {
      this.log.warn({ err, file: this.file }, 'ignoring an unreadable record of published MQTT identities');
    }
    return [];
  }

  save(published: PublishedIdentity[]): void {
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify({ published }, null, 2)}\n`);
      renameSync(temp, this.file);
    } catch (err) {
      this.log.warn({ err, file: this.file }, 'could not record the published MQTT identities');
    }
  }
}

/** The same identity (a previous run under the same names)? */
export function sameIdentity(a: PublishedIdentity, b: PublishedIdentity): boolean {
  return a.base_topic === b.base_topic && a.discovery_prefix === b.discovery_prefix && a.device_ids.join(' ') === b.device_ids.join(' ');
}

/** `current` plus every earlier one that differs from it (deduplicated). */
export function withCurrent(previous: PublishedIdentity[], current: PublishedIdentity): PublishedIdentity[] {
  const out = [current];
  for (const p of previous) if (!out.some((o) => sameIdentity(o, p))) out.push(p);
  return out;
}

/** The retained topics under a base topic. */
export const RETAINED_LEAVES = ['availability', 'state'] as const;

/** What a connect has to clean up from earlier identities: their discovery wildcards and their retained base topics. */
export interface Leftovers {
  /** `<prefix>/+/<old device id>/+/config` of every device id no longer current. */
  wildcards: string[];
  /** Retained topics under an old base topic (availability, state) to clear. */
  topics: string[];
}

export function leftovers(previous: PublishedIdentity[], current: PublishedIdentity): Leftovers {
  const wildcards = new Set<string>();
  const topics = new Set<string>();
  for (const p of previous) {
    for (const id of p.device_ids) {
      if (p.discovery_prefix !== current.discovery_prefix || !current.device_ids.includes(id)) wildcards.add(`${p.discovery_prefix}/+/${id}/+/config`);
    }
    if (p.base_topic !== current.base_topic) for (const leaf of RETAINED_LEAVES) topics.add(`${p.base_topic}/${leaf}`);
  }
  return { wildcards: [...wildcards], topics: [...topics] };
}
