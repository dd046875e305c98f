/**
 * What the live view shows, from the bus: the satellite's state and controls, the Home Assistant
 * link, captions (partial and final, by source), spoken replies, wake detections and the models.
 * Low-rate events are followed always, so a page opened later sees the recent past; the
 * high-rate ones (mic level, wake scores, partial captions) only while a browser watches, so when
 * nobody does their producers see no listener and skip the work. Each kind of diagnostic goes out
 * at most {@link DIAGNOSTIC_MIN_INTERVAL_MS} apart whatever rate it arrives at.
 */
import type { CoreBus, CoreEvents } from '../../../core/bus.js';
import type { SatelliteControl } from '../../../core/satellite-control.js';
import type { SpeechService } from '../../../core/speech/speech-service.js';
import type { ModelListing } from '../../../core/speech/loaded-models.js';
import type { ModelPulls } from './model-pulls.js';
import type { RecentActivity } from './recent-activity.js';
import type { LiveEvent, ViewerHub } from './viewer-hub.js';

/** At most 10 level and 10 score updates a second reach the browsers. */
export const DIAGNOSTIC_MIN_INTERVAL_MS = 100;
/** While someone watches, state without an event of its own (volume set over MQTT, models loading or unloading) is compared this often. */
export const REFRESH_MS = 2_000;
const ALWAYS = 'web-view';
const WHILE_WATCHED = 'web-view-watched';

export interface SatelliteView {
  state: string;
  detail: string | null;
  haConnected: boolean;
  muted: boolean;
  volume: number;
  wakeWords: readonly string[];
  activeWakeWord: string | null;
}

export interface ModelsView {
  listing: ModelListing;
  voices: Array<{ name: string; engine: string; backend: string; languages: string[]; speakers: string[] }>;
  defaultVoice: string | null;
  asr: Array<{ name: string; languages: string[]; streaming: boolean }>;
}

export interface LiveFeedOptions {
  bus: CoreBus;
  speech: SpeechService;
  satellite: SatelliteControl | undefined;
  activity: RecentActivity;
  hub: ViewerHub;
  pulls: ModelPulls | undefined;
  /** Shown in the page's title and used by its forms. */
  about: { name: string; version: string; maxTextChars: number; catalogueProblem: string | null };
}

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

export class LiveFeed {
  readonly #o: LiveFeedOptions;
  #haConnected: boolean;
  #refresh: NodeJS.Timeout | undefined;
  #lastSent: Record<'satellite' | 'models', string> = { satellite: '', models: '' };
  #lastDiagnostic: Record<'level' | 'scores', number> = { level: 0, scores: 0 };

  constructor(options: LiveFeedOptions) {
    this.#o = options;
    // Until the link reports, a satellite that is not `disconnected` has Home Assistant on the line.
    this.#haConnected = options.satellite ? options.satellite.state !== 'disconnected' : false;
    this.#followAlways();
  }

  /** The first events a new viewer gets: everything the page draws. */
  snapshot(): LiveEvent[] {
    const { activity, pulls, about } = this.#o;
    const satellite = this.#satelliteView();
    const models = this.#modelsView();
    this.#lastSent = { satellite: JSON.stringify(satellite), models: JSON.stringify(models) };
    return [
      {
        type: 'snapshot',
        data: {
          about,
          satellite,
          models,
          catalogue: pulls ? { offline: pulls.offline, items: pulls.items } : null,
          pull: pulls?.pull ?? null,
          captions: activity.captions,
          replies: activity.replies,
        },
      },
    ];
  }

  /** Called by the hub when the first viewer arrives and when the last one leaves. */
  watching(on: boolean): void {
    const { bus } = this.#o;
    bus.removeOwner(WHILE_WATCHED);
    clearInterval(this.#refresh);
    this.#refresh = undefined;
    if (!on) return;
    bus.on('transcript-partial', WHILE_WATCHED, (p) => this.#send('caption', this.#o.activity.partial(p), true));
    bus.on('mic-level', WHILE_WATCHED, (m) => this.#diagnostic('level', { rmsDbfs: round(m.rmsDbfs, 1), peakDbfs: round(m.peakDbfs, 1) }));
    bus.on('wake-scores', WHILE_WATCHED, (w) => this.#diagnostic('scores', { scores: roundScores(w.scores) }));
    this.#refresh = setInterval(() => this.changed(), REFRESH_MS);
    this.#refresh.unref();
  }

  /** Sends the satellite and model views to the viewers if they differ from what was last sent. */
  changed(): void {
    this.#sendIfChanged('satellite', this.#satelliteView());
    this.#sendIfChanged('models', this.#modelsView());
  }

  close(): void {
    clearInterval(this.#refresh);
    this.#o.bus.removeOwner(WHILE_WATCHED);
    this.#o.bus.removeOwner(ALWAYS);
  }

  #followAlways(): void {
    const { bus, activity } = this.#o;
    bus.on('satellite-state', ALWAYS, () => this.#sendIfChanged('satellite', this.#satelliteView()));
    bus.on('ha-connection', ALWAYS, ({ connected }) => {
      this.#haConnected = connected;
      this.#sendIfChanged('satellite', this.#satelliteView());
    });
    bus.on('transcript', ALWAYS, (t) => this.#send('caption', activity.final(t)));
    bus.on('speech-reply', ALWAYS, (r) => this.#send('reply', activity.reply(r)));
    bus.on('wake-detected', ALWAYS, (w) => this.#send('wake', { name: w.name, phrase: w.phrase, source: w.source, at: w.at.toISOString() }));
    bus.on('speech-changed', ALWAYS, () => {
      this.changed();
      void this.#o.pulls?.refresh().catch(() => undefined);
    });
  }

  #diagnostic(type: 'level' | 'scores', data: unknown): void {
    const now = performance.now();
    if (now - this.#lastDiagnostic[type] < DIAGNOSTIC_MIN_INTERVAL_MS) return;
    this.#lastDiagnostic[type] = now;
    this.#send(type, data, true);
  }

  #sendIfChanged(type: 'satellite' | 'models', data: unknown): void {
    const json = JSON.stringify(data);
    if (json === this.#lastSent[type]) return;
    this.#lastSent[type] = json;
    this.#send(type, data);
  }

  #send(type: string, data: unknown, lossy = false): void {
    this.#o.hub.broadcast({ type, data, lossy });
  }

  #satelliteView(): SatelliteView | null {
    const s = this.#o.satellite;
    if (!s) return null;
    return { state: s.state, detail: s.detail, haConnected: this.#haConnected, muted: s.muted, volume: s.volume, wakeWords: s.wakeWords, activeWakeWord: s.activeWakeWord };
  }

  #modelsView(): ModelsView {
    const { speech } = this.#o;
    const voices = speech.voices();
    return {
      listing: speech.loadedModels(),
      voices: voices.map(({ engineId, voice }) => ({ name: voice.name, engine: engineId, backend: voice.backend, languages: voice.languages, speakers: voice.speakers ?? [] })),
      defaultVoice: defaultVoice(speech),
      asr: speech.asrModels().map((m) => ({ name: m.name, languages: m.languages, streaming: m.streaming })),
    };
  }
}

function defaultVoice(speech: SpeechService): string | null {
  try {
    return speech.voices().length ? speech.pickVoice().voice.name : null;
  } catch {
    return null;
  }
}

function roundScores(scores: CoreEvents['wake-scores']['scores']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [word, score] of Object.entries(scores)) if (Number.isFinite(score)) out[word] = round(Math.min(1, Math.max(0, score)), 3);
  return out;
}
