/**
 * `satellite transcribe FILE.wav [--model NAME] [--language xx] [--json]`: one-shot speech-to-text
 * with the installed models, through the same session logic as the Wyoming service (format
 * conversion, VAD silence trimming for offline models). `--json` adds timings and the model used.
 * FILE `-` reads the WAV from stdin. A file shorter than its header says (a copy cut off) is
 * transcribed as far as it goes, with a warning and exit 1.
 */
import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { parseWav, readWavLayout } from '../audio/wav.js';
import { errorCode, errorMessage, SatelliteError } from '../util/errors.js';
import { createLogger } from '../util/logger.js';
import { oneShotSpeech } from '../wiring/speech.js';
import { loadFromArgs, sharedOptions, type GlobalArgs } from './options.js';

type TranscribeArgs = GlobalArgs & {
  file?: string;
  model?: string;
  language?: string;
  json?: boolean;
  'list-models'?: boolean;
};

/** Audio handed to the session per step, like a stream of 100 ms chunks. */
const CHUNK_SECONDS = 0.1;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
/** What streaming writers put in a WAV's data size: no length known. */
const OPEN_DATA_SIZES = new Set([0, 0xffffffff]);

/** The declared and present seconds of a WAV whose data chunk is shorter than its header says. */
export function wavTruncation(bytes: Buffer): { declaredSeconds: number; presentSeconds: number } | undefined {
  const layout = readWavLayout(bytes);
  const declared = bytes.readUInt32LE(layout.dataOffset - 4);
  if (OPEN_DATA_SIZES.has(declared) || declared <= layout.dataBytes) return undefined;
  const bytesPerSecond = (layout.rate * layout.channels * layout.bits) / 8;
  if (!(bytesPerSecond > 0)) return undefined;
  return { declaredSeconds: declared / bytesPerSecond, presentSeconds: layout.dataBytes / bytesPerSecond };
}

async function transcribe(args: TranscribeArgs): Promise<void> {
  const { config } = loadFromArgs(args);
  // Logs go to stderr: stdout carries the transcript.
  const log = createLogger({ level: config.log.level === 'info' ? 'warn' : config.log.level, format: 'pretty', destination: process.stderr });
  const speech = await oneShotSpeech(config, log);
  try {
    if (args['list-models']) {
      for (const m of speech.asrModels()) process.stdout.write(`${m.name}\t${m.backend}\t${m.languages.join(',')}\t${m.description}\n`);
      return;
    }
    // yargs turns a bare `-` into an empty string.
    const fromStdin = args.file === '-' || (args.file === '' && process.argv.includes('-'));
    if (!args.file && !fromStdin) throw new SatelliteError('SAT_ERR_USAGE', 'give the WAV file to transcribe (or - to read it from stdin)');
    const source = fromStdin ? 'standard input' : args.file!;
    const bytes = readFileSync(fromStdin ? 0 : args.file!);
    const wav = parseWav(bytes);
    const truncated = wavTruncation(bytes);
    if (wav.pcm.length === 0) throw new SatelliteError('SAT_ERR_BAD_WAV', `${source} holds no audio`);
    // The same rule and session as a Wyoming request: model by name, language, default, preference.
    const engine = speech.pickAsr({ name: args.model, language: args.language });
    const started = performance.now();
    await engine.load?.();
    const loaded = performance.now();
    const { session } = await speech.openTranscription({ name: engine.info.name, language: args.language });
    const { format } = wav;
    const step = Math.max(1, Math.round(format.rate * CHUNK_SECONDS)) * format.width * format.channels;
    session.start(format);
    for (let at = 0; at < wav.pcm.length; at += step) await session.push(wav.pcm.subarray(at, at + step), format);
    const outcome = await session.finish();
    const done = performance.now();
    if (truncated) {
      // what is there is transcribed, but the result is not what the file was meant to hold
      const { declaredSeconds, presentSeconds } = truncated;
      process.stderr.write(
        `transcribe: warning: ${source} is truncated: its header declares ${declaredSeconds.toFixed(2)} s of audio, it holds ${presentSeconds.toFixed(2)} s (SAT_ERR_BAD_WAV)\n`,
      );
      process.exitCode = EXIT_FAILED;
    }
    if (!args.json) {
      process.stdout.write(`${outcome.text}\n`);
      return;
    }
    const decodeMs = done - loaded;
    process.stdout.write(
      `${JSON.stringify({
        text: outcome.text,
        language: outcome.language ?? null,
        model: engine.info.name,
        backend: engine.info.backend,
        audio_seconds: Number(outcome.audioSeconds.toFixed(3)),
        timings: {
          load_ms: Math.round(loaded - started),
          decode_ms: Math.round(decodeMs),
          total_ms: Math.round(done - started),
          real_time_factor: Number((decodeMs / 1000 / Math.max(outcome.audioSeconds, 1e-9)).toFixed(4)),
        },
      })}\n`,
    );
  } finally {
    await speech.close();
  }
}

export const transcribeCommand: CommandModule<object, TranscribeArgs> = {
  command: 'transcribe [file]',
  describe: 'transcribe a WAV file with an installed speech-to-text model',
  builder: (y) =>
    sharedOptions(y)
      .positional('file', { type: 'string', describe: 'WAV file (any rate, 8/16/24/32-bit, mono or stereo); - reads stdin' })
      .option('model', { alias: 'm', type: 'string', describe: 'model name (see --list-models); default: stt.default_model or the first installed' })
      .option('language', { alias: 'l', type: 'string', describe: 'language of the speech, e.g. en' })
      .option('json', { type: 'boolean', describe: 'print JSON with the model used and timings' })
      .option('list-models', { type: 'boolean', describe: 'list the installed speech-to-text models and exit' }) as never,
  handler: async (args) => {
    try {
      await transcribe(args);
    } catch (err) {
      const code = errorCode(err);
      process.stderr.write(`transcribe: ${errorMessage(err)} (${code})\n`);
      process.exitCode = code === 'SAT_ERR_USAGE' ? EXIT_USAGE : EXIT_FAILED;
    }
  },
};
