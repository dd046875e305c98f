/** The shared test clips and their reference transcripts. */
import { readFileSync } from 'node:fs';
import { parseWav, type WavAudio } from '../../src/audio/wav.js';
import { sharedModel } from './system.js';

export interface Clip {
  file: string;
  path: string;
  reference: string;
}

/** Clips of `test-wavs/trans.txt` (strict references). */
export function referenceClips(): Clip[] {
  const text = readFileSync(sharedModel('test-wavs', 'trans.txt'), 'utf8');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const space = line.indexOf(' ');
      const file = line.slice(0, space);
      return { file, path: sharedModel('test-wavs', file), reference: line.slice(space + 1).trim() };
    });
}

export function readClip(file: string): WavAudio {
  return parseWav(readFileSync(sharedModel('test-wavs', file)));
}
