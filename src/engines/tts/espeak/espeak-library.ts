/**
 * The part of libespeak-ng's classic API (speak_lib.h) the engine needs, bound through koffi. Only
 * the espeak worker thread loads it: the library keeps one synthesiser per process and every call
 * here blocks until the audio is made.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** espeak_AUDIO_OUTPUT: audio goes to the synth callback, and espeak_Synth returns when all of it has. */
const AUDIO_OUTPUT_SYNCHRONOUS = 2;
/** espeakINITIALIZE_DONT_EXIT: report a missing data folder instead of exiting the process. */
const INITIALIZE_DONT_EXIT = 0x8000;
/** Milliseconds of audio per callback (the library's own default). */
const BUFFER_MS = 60;
/** espeak_PARAMETER espeakRATE: words per minute. */
const PARAMETER_RATE = 1;
/** espeak_POSITION_TYPE POS_CHARACTER. */
const POSITION_CHARACTER = 1;
/**
 * The flags `espeak-ng -b 1` synthesises with, so the library speaks exactly as the program:
 * espeakCHARS_UTF8 | espeakPHONEMES ([[…]] phoneme input) | espeakENDPAUSE (pause after the last clause).
 */
const SYNTH_FLAGS = 0x1 | 0x100 | 0x1000;
/** espeak_ERROR EE_OK. */
const EE_OK = 0;

type Pointer = object;

/** Called with each piece of audio; returning true stops the synthesis. */
export type SynthSink = (samples: Int16Array) => boolean;

export interface EspeakLibrary {
  /** The output rate (22050 Hz for espeak-ng's own voices). */
  readonly rate: number;
  /** Selects a voice by espeak id (`en-us`); false when there is no such voice. */
  setVoice(voice: string): boolean;
  setRate(wpm: number): void;
  /** Speaks `text` into `sink`; returns false when the library reports an error. */
  synth(text: string, sink: SynthSink): boolean;
}

/** Loads and initialises libespeak-ng; throws when it cannot be loaded or finds no data. */
export function loadEspeakLibrary(library: string): EspeakLibrary {
  const koffi = require('koffi') as typeof import('koffi');
  const lib = koffi.load(library);
  const callbackType = koffi.proto('int espeak_synth_callback(int16_t *wav, int numsamples, void *events)');
  const initialize = lib.func('int espeak_Initialize(int output, int buflength, const char *path, int options)') as (o: number, b: number, p: null, f: number) => number;
  const setCallback = lib.func('void espeak_SetSynthCallback(espeak_synth_callback *callback)') as (cb: unknown) => void;
  const setVoiceByName = lib.func('int espeak_SetVoiceByName(const char *name)') as (name: string) => number;
  const setParameter = lib.func('int espeak_SetParameter(int parameter, int value, int relative)') as (p: number, v: number, r: number) => number;
  const synth = lib.func(
    'int espeak_Synth(const char *text, size_t size, unsigned int position, int position_type, unsigned int end_position, unsigned int flags, void *unique_identifier, void *user_data)',
  ) as (text: string, size: number, position: number, type: number, end: number, flags: number, id: null, user: null) => number;

  const rate = initialize(AUDIO_OUTPUT_SYNCHRONOUS, BUFFER_MS, null, INITIALIZE_DONT_EXIT);
  if (rate <= 0) throw new Error(`${library} found no espeak-ng-data (espeak_Initialize returned ${rate})`);

  let sink: SynthSink | undefined;
  // The callback runs on this thread, inside espeak_Synth; the library reuses its buffer afterwards, so the samples are copied.
  const callback = koffi.register(
    (wav: Pointer | null, count: number) => {
      if (!sink || !wav || count <= 0) return 0;
      return sink(new Int16Array(koffi.view(wav, count * 2).slice(0))) ? 1 : 0;
    },
    koffi.pointer(callbackType),
  );
  setCallback(callback);

  return {
    rate,
    setVoice: (voice) => setVoiceByName(voice) === EE_OK,
    setRate: (wpm) => void setParameter(PARAMETER_RATE, wpm, 0),
    synth: (text, onAudio) => {
      sink = onAudio;
      try {
        return synth(text, Buffer.byteLength(text, 'utf8') + 1, 0, POSITION_CHARACTER, 0, SYNTH_FLAGS, null, null) === EE_OK;
      } finally {
        sink = undefined;
      }
    },
  };
}
