/** Finds (or fetches once, into the temp folder) a libvosk for the Vosk tests. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { voskLibraryCandidates } from '../../src/engines/asr/vosk/vosk-library.js';
import { REPO_ROOT } from './system.js';

const CACHE = path.join(os.tmpdir(), 'satellite-libvosk-0.3.39');

/** A libvosk.so path, or a reason why there is none. */
export function testVoskLibrary(): { path?: string; reason?: string } {
  const fromEnv = process.env['SATELLITE_TEST_VOSK_LIBRARY'];
  if (fromEnv) return existsSync(fromEnv) ? { path: fromEnv } : { reason: `SATELLITE_TEST_VOSK_LIBRARY=${fromEnv} does not exist` };
  if (process.platform !== 'linux' || process.arch !== 'x64') return { reason: 'the vosk npm package ships libvosk for linux-x86_64 only' };
  const installed = voskLibraryCandidates(null).find((p) => p.includes('/') && existsSync(p));
  if (installed) return { path: installed };
  const cached = path.join(CACHE, 'libvosk.so');
  if (!existsSync(cached)) {
    const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'fixtures', 'fetch-libvosk.mjs'), CACHE], { encoding: 'utf8' });
    if (run.status !== 0) return { reason: `could not fetch libvosk through npm: ${run.stderr.trim()}` };
  }
  return { path: cached };
}
