/**
 * Model manager speed: pulling the shared openWakeWord + Silero files from a loopback mirror
 * (download, SHA-256 while streaming, atomic install, lock write) and `verify` re-hashing them.
 * Loopback removes the network, so the figures show the manager's own overhead per MB; a Pi's
 * SD card, not the code, should be the limit. Skips with a note when ../shared/models is absent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { builtinCataloguePath, loadCatalogue, readCatalogueFile } from '../../src/models/catalogue.js';
import { readLock } from '../../src/models/lock-file.js';
import { ModelManager } from '../../src/models/manager.js';
import { hasSharedModels, sharedModel } from '../../test/helpers/system.js';
import { SHARED_BYTES } from '../../test/models/fixtures.js';
import { MirrorServer } from '../../test/models/mirror-server.js';
import type { BenchResult } from './types.js';

const ROUNDS = 3;
/** Loopback pull should run far faster than any real link (a 100 Mbit/s line is 12.5 MB/s). */
const TARGET_PULL_MB_S = 50;
const TARGET_VERIFY_MB_S = 100;

export async function bench(): Promise<BenchResult[]> {
  if (!hasSharedModels()) {
    return [{ name: 'models pull (loopback)', value: 0, unit: 'MB/s', note: 'skipped: ../shared/models not present' }];
  }
  const server = await new MirrorServer().start();
  const builtin = readCatalogueFile(builtinCataloguePath());
  for (const [id, rel] of Object.entries(SHARED_BYTES)) server.route(builtin.models.find((e) => e.id === id)!.downloads[0]!.url, { file: sharedModel(rel) });
  const catalogue = loadCatalogue();
  const ids = Object.keys(SHARED_BYTES);
  let pullBest = 0;
  let verifyBest = 0;
  let bytes = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-bench-models-'));
      try {
        const manager = new ModelManager({ modelsDir: dir, catalogue, mirrors: server.mirrors(), log: pino({ level: 'silent' }), env: {} });
        const start = performance.now();
        const reports = await manager.pull(manager.plan(ids));
        const pullS = (performance.now() - start) / 1000;
        if (reports.some((r) => r.outcome !== 'installed')) throw new Error(`pull failed: ${reports.map((r) => r.error?.message).join('; ')}`);
        bytes = Object.values((await readLock(dir)).models).reduce((n, m) => n + m.size, 0);
        const vStart = performance.now();
        await manager.verify();
        const verifyS = (performance.now() - vStart) / 1000;
        pullBest = Math.max(pullBest, bytes / pullS / 1e6);
        verifyBest = Math.max(verifyBest, bytes / verifyS / 1e6);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await server.close();
  }
  const note = `${ids.length} models, ${(bytes / 1e6).toFixed(1)} MB, best of ${ROUNDS}`;
  return [
    { name: 'models pull (loopback: download + sha256 + install + lock)', value: round1(pullBest), unit: 'MB/s', target: `≥ ${TARGET_PULL_MB_S}`, pass: pullBest >= TARGET_PULL_MB_S, note },
    { name: 'models verify (re-hash installed files)', value: round1(verifyBest), unit: 'MB/s', target: `≥ ${TARGET_VERIFY_MB_S}`, pass: verifyBest >= TARGET_VERIFY_MB_S, note },
  ];
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
