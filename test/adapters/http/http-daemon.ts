/**
 * The real daemon with the HTTP shim on port 0: the shared streaming zipformer and Silero VAD
 * (linked into a temp models_dir) for speech-to-text, espeak-ng for text-to-speech.
 */
import { mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { hasCommand, hasSharedModels, sharedModel } from '../../helpers/system.js';

export const ZIPFORMER_DIR = 'kws-zipformer-gigaspeech-3.3M-mobile';
export const ESPEAK_VOICE = 'espeak-ng-en-us';

export const haveModels = hasSharedModels();
export const haveEspeak = hasCommand('espeak-ng');

export interface HttpDaemon extends TestDaemon {
  url: string;
}

export async function startHttpDaemon(http: Record<string, unknown> = {}): Promise<HttpDaemon> {
  const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'http-models-'));
  for (const dir of [ZIPFORMER_DIR, 'silero-vad']) symlinkSync(sharedModel(dir), path.join(modelsDir, dir));
  const daemon = await startTestDaemon({
    models_dir: modelsDir,
    http: { enabled: true, port: 0, ...http },
    tts: { espeak: { voices: ['en-us'] } },
  });
  const port = daemon.context.endpoints.http?.port;
  if (!port) {
    await daemon.stop();
    throw new Error('the HTTP shim did not start');
  }
  return { ...daemon, url: `http://127.0.0.1:${port}` };
}
