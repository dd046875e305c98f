/**
 * Worker thread running libespeak-ng, one request at a time: the library's synthesis is a
 * blocking call with a callback per 60 ms of audio, so it lives here, off the main thread, and
 * stays initialised between requests (the per-process start-up of `espeak-ng` is paid once).
 * Audio goes back in batches; a request cancelled on the board stops at its next callback.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CancelBoard } from '../../runtime/cancel-board.js';
import { loadEspeakLibrary, type EspeakLibrary } from './espeak-library.js';
import type { EspeakReply, EspeakRequest, EspeakSampleFormat, EspeakWorkerConfig } from './espeak-protocol.js';
import { lowerThreadPriority } from '../../runtime/worker-priority.js';

// before the model loads, so the runtime's own threads inherit the lower priority
lowerThreadPriority();

/** The first batch goes out at once (time to first audio); later ones gather this many samples (~1.5 s, made in a few ms) so messages and socket writes stay few. */
const BATCH_SAMPLES = 32768;

const port = parentPort!;
const post = (m: EspeakReply) => port.postMessage(m);
const { config, shared } = workerData as { config: EspeakWorkerConfig; shared: SharedArrayBuffer };
const board = new CancelBoard(shared);

let voice = '';
let wpm = 0;

function flush(id: number, format: EspeakSampleFormat, pieces: Int16Array[], count: number): void {
  const samples = format === 'f32' ? new Float32Array(count) : new Int16Array(count);
  let at = 0;
  for (const piece of pieces) {
    if (format === 's16') samples.set(piece, at);
    else for (let i = 0; i < piece.length; i++) samples[at + i] = piece[i]! / 32768;
    at += piece.length;
  }
  port.postMessage({ type: 'audio', id, samples } satisfies EspeakReply, [samples.buffer]);
}

function speak(lib: EspeakLibrary, m: Extract<EspeakRequest, { type: 'speak' }>): void {
  if (board.isCancelled(m.id)) return post({ type: 'done', id: m.id, cancelled: true });
  if (m.voice !== voice) {
    if (!lib.setVoice(m.voice)) return post({ type: 'error', id: m.id, message: `espeak-ng has no voice "${m.voice}"` });
    voice = m.voice;
    wpm = 0; // a voice change resets the rate
  }
  if (m.wpm !== wpm) {
    lib.setRate(m.wpm);
    wpm = m.wpm;
  }
  let pieces: Int16Array[] = [];
  let count = 0;
  let sent = false;
  let cancelled = false;
  const ok = lib.synth(m.text, (samples) => {
    if (board.isCancelled(m.id)) {
      cancelled = true;
      return true;
    }
    pieces.push(samples);
    count += samples.length;
    if (!sent || count >= BATCH_SAMPLES) {
      flush(m.id, m.format, pieces, count);
      pieces = [];
      count = 0;
      sent = true;
    }
    return false;
  });
  if (cancelled) return post({ type: 'done', id: m.id, cancelled: true });
  if (count > 0) flush(m.id, m.format, pieces, count);
  post(ok ? { type: 'done', id: m.id, cancelled: false } : { type: 'error', id: m.id, message: 'espeak_Synth failed' });
}

let lib: EspeakLibrary;
try {
  lib = loadEspeakLibrary(config.library);
  port.on('message', (m: EspeakRequest) => {
    if (m.type === 'stop') process.exit(0);
    if (m.type === 'exit') process.exit(m.code);
    try {
      speak(lib, m);
    } catch (err) {
      post({ type: 'error', id: m.id, message: err instanceof Error ? err.message : String(err) });
    }
  });
  post({ type: 'ready', rate: lib.rate });
} catch (err) {
  post({ type: 'load-error', message: err instanceof Error ? err.message : String(err) });
}
