/**
 * `satellite speak "TEXT" -o out.wav [--voice NAME]`: one-shot synthesis with the installed
 * voices, through the same sentence splitting and chunking as the Wyoming service, into a 16-bit
 * mono WAV at the voice's rate. `-o -` writes the WAV to stdout; TEXT `-` reads stdin. `--speed`,
 * `--voice` and `--speaker` are checked as the HTTP shim checks them, before anything is spoken.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { encodeWav } from '../audio/wav.js';
import { MAX_SPEED, MIN_SPEED } from '../adapters/http/speech-route.js';
import type { VoiceChoice } from '../core/speech/select-voice.js';
import type { SpeechService } from '../core/speech/speech-service.js';
import { errorCode, errorMessage, SatelliteError } from '../util/errors.js';
import { createLogger } from '../util/logger.js';
import { cliCommand } from '../wiring/models.js';
import { oneShotSpeech } from '../wiring/speech.js';
import { loadFromArgs, sharedOptions, type GlobalArgs } from './options.js';

type SpeakArgs = GlobalArgs & {
  text?: string;
  output?: string;
  voice?: string;
  speaker?: string;
  speed?: number;
  'list-voices'?: boolean;
};

/** Larger pieces than on the wire: they only go into one buffer. */
const SAMPLES_PER_CHUNK = 4096;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/** The speed asked for, within the range the HTTP shim accepts. */
function checkedSpeed(speed: number | undefined): number | undefined {
  if (speed === undefined) return undefined;
  if (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
    throw new SatelliteError('SAT_ERR_USAGE', `--speed must be a number from ${MIN_SPEED} to ${MAX_SPEED} (1 = normal)`);
  }
  return speed;
}

/** The voice and speaker asked for, or an error that says where to look. */
function checkedVoice(speech: SpeechService, name: string | undefined, speaker: string | undefined): VoiceChoice {
  const listVoices = `\`${cliCommand()} speak --list-voices\` lists the installed voices and their speakers`;
  try {
    return speech.pickVoice({ name, speaker });
  } catch (err) {
    const code = errorCode(err);
    if (code === 'SAT_ERR_TTS_UNKNOWN_VOICE' || code === 'SAT_ERR_TTS_UNKNOWN_SPEAKER') {
      throw new SatelliteError(code, `${errorMessage(err)}; ${listVoices}`, { cause: err });
    }
    throw err;
  }
}

async function speak(args: SpeakArgs): Promise<void> {
  const speed = checkedSpeed(args.speed);
  const { config } = loadFromArgs(args);
  // Logs go to stderr: stdout may carry the WAV.
  const log = createLogger({ level: config.log.level === 'info' ? 'warn' : config.log.level, format: 'pretty', destination: process.stderr });
  const speech = await oneShotSpeech(config, log);
  try {
    if (args['list-voices']) {
      // `speak --list-voices | head` closes the pipe early: that is not an error.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(0);
      });
      for (const { voice } of speech.voices()) {
        const speakers = voice.speakers ? `  speakers: ${voice.speakers.join(', ')}` : '';
        process.stdout.write(`${voice.name}\t${voice.languages.join(',')}\t${voice.sampleRate} Hz\t${voice.description}${speakers}\n`);
      }
      return;
    }
    if (args.text === undefined) throw new SatelliteError('SAT_ERR_USAGE', 'give the text to speak (or - to read it from stdin)');
    if (!args.output) throw new SatelliteError('SAT_ERR_USAGE', 'give the output file with -o FILE.wav (or -o - for stdout)');
    // yargs turns a bare `-` into an empty string.
    const fromStdin = args.text === '-' || (args.text === '' && process.argv.includes('-'));
    checkedVoice(speech, args.voice, args.speaker);
    const text = fromStdin ? readFileSync(0, 'utf8') : args.text;
    // The same cleanup, sentence splitting and voice rule as a Wyoming request.
    const parts: Buffer[] = [];
    let format = { rate: 0, width: 2, channels: 1 };
    const choice = await speech.speak(
      text,
      { start: async (f) => void (format = f), chunk: async (pcm) => void parts.push(pcm), stop: async () => undefined },
      { voice: { name: args.voice, speaker: args.speaker }, speed: speed ?? config.tts.speed, samplesPerChunk: SAMPLES_PER_CHUNK },
    );
    const pcm = Buffer.concat(parts);
    const wav = encodeWav(pcm, format);
    if (args.output === '-') process.stdout.write(wav);
    else {
      writeFileSync(args.output, wav);
      const seconds = pcm.length / (format.width * format.rate);
      process.stderr.write(`wrote ${args.output}: ${seconds.toFixed(2)} s with voice ${choice.voice.name}\n`);
    }
  } finally {
    await speech.close();
  }
}

export const speakCommand: CommandModule<object, SpeakArgs> = {
  command: 'speak [text]',
  describe: 'synthesise TEXT into a WAV file with an installed voice',
  builder: (y) =>
    sharedOptions(y)
      .positional('text', { type: 'string', describe: 'what to say; - reads it from stdin' })
      .option('output', { alias: 'o', type: 'string', describe: 'WAV file to write; - for stdout' })
      .option('voice', { alias: 'v', type: 'string', describe: 'voice name (see --list-voices); default: tts.default_voice or the first installed' })
      .option('speaker', { type: 'string', describe: 'speaker of a multi-speaker voice' })
      .option('speed', { type: 'number', describe: `speaking rate from ${MIN_SPEED} to ${MAX_SPEED}; 1 = normal` })
      .option('list-voices', { type: 'boolean', describe: 'list the installed voices and exit' }) as never,
  handler: async (args) => {
    try {
      await speak(args);
    } catch (err) {
      const code = errorCode(err);
      process.stderr.write(`speak: ${errorMessage(err)} (${code})\n`);
      process.exitCode = code === 'SAT_ERR_USAGE' ? EXIT_USAGE : EXIT_FAILED;
    }
  },
};
