/**
 * sherpa-onnx with no daemon around it, as the STT benches' baseline: one offline recogniser at
 * one intra-op thread (as each of the daemon's copies runs), decoding clips back to back.
 */
import { loadSherpa, type SherpaOfflineRecognizer } from '../../src/engines/runtime/sherpa-native.js';
import { offlineRecognizerConfig } from '../../src/engines/asr/sherpa-offline/sherpa-offline.js';
import type { AsrModelSpec } from '../../src/engines/asr/model-spec.js';

export function directRecognizer(spec: AsrModelSpec): SherpaOfflineRecognizer {
  return new (loadSherpa().OfflineRecognizer)(offlineRecognizerConfig({ spec, runtime: { provider: 'cpu', numThreads: 1, idleUnloadSeconds: 0, maxQueue: 8, preload: false } }));
}

/** Decodes every clip (16 kHz mono) in turn. */
export function decodeAll(recognizer: SherpaOfflineRecognizer, clips: readonly Float32Array[]): void {
  for (const samples of clips) {
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples, sampleRate: 16_000 });
    recognizer.decode(stream);
    recognizer.getResult(stream);
  }
}
