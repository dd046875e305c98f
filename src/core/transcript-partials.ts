/**
 * Turns a stream of transcript chunks (each one appends to the text, as Wyoming's
 * `transcript-chunk` does) into `transcript-partial` bus events that carry the whole text so far
 * and the id of their utterance. Nothing is emitted while nobody listens.
 */
import type { CoreBus, Via } from './bus.js';
import type { WyomingEvent } from '../wyoming/events.js';

let utterances = 0;

export class TranscriptPartials {
  #utterance: string | undefined;
  #text = '';

  constructor(
    private readonly bus: CoreBus,
    private readonly source: 'satellite' | 'provider',
    private readonly via?: Via,
  ) {}

  /** A new utterance begins (`transcript-start`). */
  start(): void {
    this.#utterance = undefined;
    this.#text = '';
  }

  /** One chunk of text, appended to the utterance's text so far (`transcript-chunk`). */
  add(chunk: string): void {
    this.#text += chunk;
    this.set(this.#text);
  }

  /** The utterance's whole text so far (a recogniser that reports its partial text whole). */
  set(text: string): void {
    this.#utterance ??= `${this.source}-${++utterances}`;
    this.#text = text;
    if (!this.bus.hasListeners('transcript-partial')) return;
    this.bus.emit('transcript-partial', { text: text.trim(), source: this.source, utterance: this.#utterance, at: new Date(), ...(this.via ? { via: this.via } : {}) });
  }

  /** The id of the utterance in progress (undefined before its first text). */
  get utterance(): string | undefined {
    return this.#utterance;
  }

  /** Follows the transcript events of a Wyoming stream. */
  observe(event: WyomingEvent): void {
    if (event.type === 'transcript-start' || event.type === 'transcript') this.start();
    else if (event.type === 'transcript-chunk') this.add(event.data.text);
  }
}
