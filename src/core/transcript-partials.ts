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
    this.#utterance ??= `${this.source}-${++utterances}`;
    this.#text += chunk;
    if (!this.bus.hasListeners('transcript-partial')) return;
    this.bus.emit('transcript-partial', { text: this.#text.trim(), source: this.source, utterance: this.#utterance, at: new Date(), ...(this.via ? { via: this.via } : {}) });
  }

  /** Follows the transcript events of a Wyoming stream. */
  observe(event: WyomingEvent): void {
    if (event.type === 'transcript-start' || event.type === 'transcript') this.start();
    else if (event.type === 'transcript-chunk') this.add(event.data.text);
  }
}
