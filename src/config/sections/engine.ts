/** Defaults for every engine; the stt/tts/wake/vad sections may override them. */
import { engineRuntime } from './common.js';

export const engineSection = engineRuntime;
