/**
 * The first run as Home Assistant lives it: an empty models folder, the background pull served by
 * a loopback mirror, and test/peers/ha-first-run.py following HA's wyoming integration (entry set
 * up from the first info, then HA's refreshes and zeroconf re-discoveries) for three releases at
 * once. Each must end with STT, TTS and wake usable and one config entry whose unique id never
 * changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { builtinCataloguePath, readCatalogueFile } from '../../src/models/catalogue.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { referencePython, referencePythonReason, spawnPeer } from '../helpers/python-peers.js';
import { hasCommand, hasSharedModels, need, sharedModel } from '../helpers/system.js';
import { KWS_FOLDER, removeDir, SHARED_BYTES, tempDir, writeCatalogue, ZIPFORMER_FILES, zipformerEntry, zipformerUrl } from './fixtures.js';
import { MirrorServer } from './mirror-server.js';

/** One release per refresh behaviour: coordinator; wake re-read + re-keying; wake re-read only. */
const HA_RELEASES = ['2026.9', '2025.2', '2023.11'];
/** Stands for HA's 30 s between refreshes. */
const REFRESH_S = 0.5;
const SETUP_WAIT_MS = 30_000;
/** Upper bound for the background pull of ~8 MB from loopback (generous for a slow CI box). */
const PULL_WAIT_MS = 90_000;
const PEER_EXIT_MS = 30_000;
const POLL_MS = 100;

const ASR_ID = 'streaming-zipformer-test';
const REPO = 'streaming-zipformer';
const WAKE_ID = 'oww-hey-jarvis';
const WAKE_PARTS = ['oww-melspectrogram', 'oww-embedding', WAKE_ID];

interface PeerLine {
  step: string;
  unique_id?: string;
  available?: { stt: boolean; tts: boolean; wake_word: boolean };
  entries?: string[];
  unique_ids?: string[];
  reloads?: number;
}

/** test/peers/ha-first-run.py for one HA release; its JSON lines as they come. */
class HomeAssistantPeer {
  readonly lines: PeerLine[] = [];
  stderr = '';
  exited = false;
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;

  constructor(
    python: string,
    port: number,
    readonly release: string,
  ) {
    this.#child = spawnPeer(python, 'ha-first-run.py', ['--port', String(port), '--ha', release, '--interval', String(REFRESH_S)]);
    let buffer = '';
    this.#child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        this.lines.push(JSON.parse(buffer.slice(0, nl)) as PeerLine);
        buffer = buffer.slice(nl + 1);
      }
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.#exited = new Promise((resolve) =>
      this.#child.once('exit', (code) => {
        this.exited = true;
        resolve(code);
      }),
    );
  }

  step(name: string): PeerLine | undefined {
    return this.lines.find((l) => l.step === name);
  }

  /** Closes stdin (one last refresh, then the "final" line) and waits for the exit. */
  async finish(): Promise<number | null> {
    this.#child.stdin!.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), PEER_EXIT_MS);
    try {
      return await this.#exited;
    } finally {
      clearTimeout(timer);
    }
  }

  describe(): string {
    return `HA ${this.release}:\n${this.lines.map((l) => JSON.stringify(l)).join('\n')}\n${this.stderr.slice(-2000)}`;
  }
}

/** The shared streaming zipformer as an ASR entry, and a preset of it plus the built-in "hey jarvis". */
function catalogue(dir: string): string {
  return writeCatalogue(dir, [zipformerEntry(ASR_ID, REPO)], { 'ha-first-run': { description: 'test', models: [ASR_ID, WAKE_ID] } });
}

async function waitUntil(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

test('first run: Home Assistant set up from the first info ends with STT, TTS and wake under one config entry', async (t) => {
  if (!need(t, hasSharedModels(), 'shared models folder not present')) return;
  if (!need(t, hasCommand('espeak-ng'), 'espeak-ng not installed')) return;
  const python = referencePython();
  if (!need(t, python !== undefined, referencePythonReason())) return;

  const server = await new MirrorServer().start();
  const dir = tempDir('first-run-ha');
  // The ASR and wake word files wait until every peer has set its entry up from the first info.
  let release!: () => void;
  const hold = new Promise<void>((resolve) => (release = resolve));
  for (const f of ZIPFORMER_FILES) server.route(zipformerUrl(REPO, f), { file: sharedModel(KWS_FOLDER, f), ...(f.startsWith('encoder') ? { hold } : {}) });
  const builtin = readCatalogueFile(builtinCataloguePath());
  for (const id of WAKE_PARTS) {
    const url = builtin.models.find((e) => e.id === id)!.downloads[0]!.url;
    server.route(url, { file: sharedModel(SHARED_BYTES[id]!), ...(id === WAKE_ID ? { hold } : {}) });
  }
  let daemon: TestDaemon | undefined;
  let peers: HomeAssistantPeer[] = [];
  try {
    daemon = await startTestDaemon({
      models_dir: path.join(dir, 'models'),
      models: { auto_pull: true, preset: 'ha-first-run', catalogues: [catalogue(dir)], mirrors: server.mirrors(), retries: 1, retry_base_ms: 10 },
    });
    const logs = daemon.logs;
    peers = HA_RELEASES.map((ha) => new HomeAssistantPeer(python!, daemon!.providerPort, ha));
    await waitUntil(() => peers.every((p) => p.step('setup') !== undefined || p.exited), SETUP_WAIT_MS, 'every peer to set up its entry');

    release();
    await waitUntil(() => logs.some((l) => l.includes('all missing models installed')), PULL_WAIT_MS, 'the first-run pull');
    // a few refreshes after the last install, as HA would make within a couple of minutes
    await new Promise((resolve) => setTimeout(resolve, REFRESH_S * 4000));
    const exits = await Promise.all(peers.map((p) => p.finish()));

    const problems = peers.flatMap((peer, i) => {
      const setUp = peer.step('setup');
      const final = peer.step('final');
      if (exits[i] !== 0 || !setUp || !final) return [`HA ${peer.release}: exit ${exits[i]}`];
      const wrong: string[] = [];
      if (JSON.stringify(final.unique_ids) !== JSON.stringify([setUp.unique_id])) wrong.push(`unique id changed: ${final.unique_ids?.join(' -> ')}`);
      if (final.entries?.length !== 1) wrong.push(`config entries: ${final.entries?.join(', ')}`);
      if (final.reloads !== 0) wrong.push(`reloaded ${final.reloads} time(s)`);
      const missing = Object.entries(final.available ?? {}).filter(([, ok]) => !ok);
      if (missing.length) wrong.push(`not available: ${missing.map(([kind]) => kind).join(', ')}`);
      return wrong.map((w) => `HA ${peer.release}: ${w}`);
    });
    assert.deepEqual(problems, [], peers.map((p) => p.describe()).join('\n'));
  } finally {
    release();
    await Promise.all(peers.map((p) => p.finish()));
    await daemon?.stop();
    await server.close();
    removeDir(dir);
  }
});
