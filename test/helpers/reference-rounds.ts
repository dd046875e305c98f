/**
 * A well-behaved Home Assistant stand-in: test/peers/reference-client-rounds.py (the reference
 * `wyoming` library) doing describe, a full transcribe and a synthesize per round, and the checks
 * that decide whether a round's answers were right.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnPeer } from './python-peers.js';
import { wer } from './wer.js';

export interface RoundResult {
  round: number;
  describe: { error?: string; ms?: number; asr?: string[]; tts?: string[]; wake?: string[] };
  transcribe: { error?: string; ms?: number; text?: string };
  synthesize: { error?: string; ms?: number; starts?: number; chunks?: number; stops?: number; bytes?: number; formats?: number[][] };
}

export interface RoundExpectations {
  reference: string;
  werLimit: number;
  asrModel: string;
  voice: string;
}

/** Less than this much synthesized audio means the reply was cut short. */
const MIN_TTS_SECONDS = 0.3;
const EXIT_TIMEOUT_MS = 120_000;

export class ReferenceRounds {
  readonly results: RoundResult[] = [];
  stderr = '';
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;

  private constructor(child: ChildProcess) {
    this.#child = child;
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        this.results.push(JSON.parse(buffer.slice(0, nl)) as RoundResult);
        buffer = buffer.slice(nl + 1);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Rounds go on until `finish()` (or `rounds` are done). */
  static start(python: string, options: { port: number; wav: string; voice: string; rounds?: number }): ReferenceRounds {
    const args = ['--port', String(options.port), '--wav', options.wav, '--voice', options.voice, '--rounds', String(options.rounds ?? 0)];
    return new ReferenceRounds(spawnPeer(python, 'reference-client-rounds.py', args));
  }

  /** Lets the current round complete, then resolves with every round and the exit code. */
  async finish(): Promise<{ results: RoundResult[]; code: number | null }> {
    this.#child.stdin!.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    try {
      const code = await this.#exited;
      return { results: this.results, code };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** What was wrong with one round's answers (empty when all were right). */
export function roundProblems(r: RoundResult, expect: RoundExpectations): string[] {
  const problems: string[] = [];
  const d = r.describe;
  if (d.error) problems.push(`describe: ${d.error}`);
  else {
    if (!d.asr?.includes(expect.asrModel)) problems.push(`describe: asr lacks ${expect.asrModel}: ${JSON.stringify(d.asr)}`);
    if (!d.tts?.includes(expect.voice)) problems.push(`describe: tts lacks ${expect.voice}: ${JSON.stringify(d.tts)}`);
  }
  const t = r.transcribe;
  if (t.error) problems.push(`transcribe: ${t.error}`);
  else if (wer(expect.reference, t.text ?? '') > expect.werLimit) problems.push(`transcribe: "${t.text}" is too far from "${expect.reference}"`);
  problems.push(...synthesizeProblems(r.synthesize));
  return problems;
}

function synthesizeProblems(s: RoundResult['synthesize']): string[] {
  if (s.error) return [`synthesize: ${s.error}`];
  const out: string[] = [];
  if (s.starts !== 1 || s.stops !== 1) out.push(`synthesize: ${s.starts} audio-start and ${s.stops} audio-stop`);
  const [format, ...others] = s.formats ?? [];
  if (!format || others.length > 0) return [...out, `synthesize: formats ${JSON.stringify(s.formats)}`];
  const [rate, width, channels] = format as [number, number, number];
  const frameBytes = width * channels;
  if ((s.chunks ?? 0) < 1) out.push('synthesize: no audio-chunk');
  if ((s.bytes ?? 0) % frameBytes !== 0) out.push(`synthesize: ${s.bytes} bytes is not whole ${frameBytes}-byte frames`);
  if ((s.bytes ?? 0) < MIN_TTS_SECONDS * rate * frameBytes) out.push(`synthesize: only ${s.bytes} bytes of audio`);
  return out;
}
