/**
 * The built-in satellite sounds, synthesised here (no recorded files are shipped): short sine
 * tones with soft edges. awake rises, done falls, timer rings three times.
 */
import type { PcmFormat } from '../../audio/pcm.js';
import type { SoundName } from '../../core/satellite/state.js';

export const SOUND_FORMAT: PcmFormat = { rate: 22050, width: 2, channels: 1 };
/** Fade in/out length, so tones start and stop without clicks. */
const FADE_S = 0.01;
const LEVEL = 0.35;

interface Tone {
  hz: number;
  seconds: number;
}

const TONES: Record<SoundName, Tone[]> = {
  awake: [
    { hz: 660, seconds: 0.09 },
    { hz: 0, seconds: 0.02 },
    { hz: 990, seconds: 0.12 },
  ],
  done: [
    { hz: 990, seconds: 0.09 },
    { hz: 0, seconds: 0.02 },
    { hz: 660, seconds: 0.12 },
  ],
  timer: [
    { hz: 1320, seconds: 0.15 },
    { hz: 0, seconds: 0.08 },
    { hz: 1320, seconds: 0.15 },
    { hz: 0, seconds: 0.08 },
    { hz: 1320, seconds: 0.15 },
  ],
};

function tone({ hz, seconds }: Tone, rate: number): Float32Array {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  if (hz === 0) return out;
  const fade = Math.max(1, Math.round(FADE_S * rate));
  for (let i = 0; i < n; i++) {
    const edge = Math.min(1, i / fade, (n - 1 - i) / fade);
    out[i] = LEVEL * edge * Math.sin((2 * Math.PI * hz * i) / rate);
  }
  return out;
}

/** 16-bit mono PCM of a built-in sound at SOUND_FORMAT. */
export function synthesizeSound(name: SoundName): Buffer {
  const parts = TONES[name].map((t) => tone(t, SOUND_FORMAT.rate));
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const pcm = Buffer.alloc(total * 2);
  let at = 0;
  for (const part of parts) {
    for (const v of part) {
      pcm.writeInt16LE(Math.round(v * 32767), at);
      at += 2;
    }
  }
  return pcm;
}
