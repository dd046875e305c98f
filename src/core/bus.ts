/**
 * The daemon's typed event bus. Listeners are isolated: one that throws is logged and the others
 * still run. Listeners register with an owner and are removed by owner on stop.
 */
import type { Logger } from '../util/logger.js';

/** What users see of the satellite; `paused`: Home Assistant sent `pause-satellite` (its own mute, or the link is idle). */
export type SatelliteStateName = 'idle' | 'listening' | 'processing' | 'speaking' | 'paused' | 'muted' | 'disconnected';

/** Which front end handled a provider request (the live view labels captions and replies with it). */
export type Via = 'wyoming' | 'http' | 'realtime';

export interface CoreEvents {
  /** The satellite moved between the user-visible states. */
  'satellite-state': { state: SatelliteStateName; detail?: string };
  /** A wake word fired (locally on the satellite, or on the provider's wake service). */
  'wake-detected': { name: string; phrase: string; source: 'satellite' | 'provider'; at: Date };
  /** A final transcript (from the local STT service or from Home Assistant to the satellite). */
  transcript: { text: string; language: string | null; source: 'satellite' | 'provider'; at: Date; via?: Via; utterance?: string };
  /** One provider request finished. */
  'provider-request': { service: string; ok: boolean; ms: number; code?: string };
  /** Something on disk may have changed the installed models (a pull finished): rescan. */
  'models-changed': { kind: string };
  /** The installed set of one kind changed (after a rescan), by engine id. */
  'speech-changed': { kind: 'asr' | 'vad' | 'tts' | 'wake'; added: string[]; removed: string[] };
  /** The satellite's link to Home Assistant went up or down. */
  'ha-connection': { connected: boolean };
  /** A partial (not yet final) transcript of an utterance in progress; `utterance` ties partials to their final. */
  'transcript-partial': { text: string; source: 'satellite' | 'provider'; utterance: string; at: Date; via?: Via };
  /** The satellite microphone's level over the last interval (throttled; emitted only while someone listens). */
  'mic-level': { rmsDbfs: number; peakDbfs: number; at: Date };
  /** The satellite's wake words' highest score (0–1) over the last interval, by word (throttled; only while someone listens). */
  'wake-scores': { scores: Record<string, number>; at: Date };
  /** A control outside MQTT (the web view) changed a satellite setting (mute, volume, wake word): MQTT republishes its state. */
  'satellite-settings': { by: 'web' };
  /** Text about to be spoken: Home Assistant's reply on the satellite (its informational `synthesize`), or a provider TTS request. */
  'speech-reply': { text: string; voice: string | null; source: 'satellite' | 'provider'; at: Date; via?: Via };
}

type Listener<T> = (payload: T) => void;

export class CoreBus {
  readonly #listeners = new Map<keyof CoreEvents, Array<{ owner: string; fn: Listener<never> }>>();

  constructor(private readonly log: Logger) {}

  on<K extends keyof CoreEvents>(event: K, owner: string, fn: Listener<CoreEvents[K]>): void {
    const list = this.#listeners.get(event) ?? [];
    list.push({ owner, fn: fn as Listener<never> });
    this.#listeners.set(event, list);
  }

  /** Whether anyone listens: producers of high-rate diagnostics skip the work when no one does. */
  hasListeners(event: keyof CoreEvents): boolean {
    return (this.#listeners.get(event)?.length ?? 0) > 0;
  }

  emit<K extends keyof CoreEvents>(event: K, payload: CoreEvents[K]): void {
    for (const { owner, fn } of this.#listeners.get(event) ?? []) {
      try {
        (fn as Listener<CoreEvents[K]>)(payload);
      } catch (err) {
        this.log.error({ err, event, owner }, 'bus listener failed');
      }
    }
  }

  removeOwner(owner: string): void {
    for (const [event, list] of this.#listeners) {
      this.#listeners.set(
        event,
        list.filter((l) => l.owner !== owner),
      );
    }
  }
}
