/**
 * What the satellite remembers across restarts (mute, volume, chosen wake words): a small JSON
 * file in the state folder, written atomically. Not the user's YAML: that stays as they wrote it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../util/logger.js';

const persisted = z.object({
  muted: z.boolean().optional(),
  volume: z.number().min(0).max(100).optional(),
  wake_words: z.array(z.string()).optional(),
});

export type PersistedSatellite = z.output<typeof persisted>;

export const STATE_FILE_NAME = 'satellite.json';

export class SatelliteStateFile {
  readonly file: string;

  constructor(
    stateDir: string,
    private readonly log: Logger,
  ) {
    this.file = path.join(stateDir, STATE_FILE_NAME);
  }

  /** What was saved, or {} when nothing (or something unreadable) is there. */
  load(): PersistedSatellite {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return {};
    }
    try {
      const parsed = persisted.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      this.log.warn({ file: this.file }, 'ignoring invalid satellite state file');
    } catch (err) {
      this.log.warn({ err, file: this.file }, 'ignoring unreadable satellite state file');
    }
    return {};
  }

  save(state: PersistedSatellite): void {
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
      renameSync(temp, this.file);
    } catch (err) {
      this.log.warn({ err, file: this.file }, 'could not save satellite state');
    }
  }
}
