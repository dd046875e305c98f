/**
 * Runs the satellite: feeds inputs to the pure reducer one at a time, logs every `from → to`,
 * executes the effects (sending to HA, sounds, timers, the speaker, local speech, bus events) and
 * routes each mic chunk where the current state says.
 */
import { pcmToFloatMono } from '../../audio/pcm.js';
import type { CoreBus } from '../../core/bus.js';
import type { LocalSpeech } from '../../core/satellite/local-speech.js';
import { step } from '../../core/satellite/reducer.js';
import { phaseLabel, playbackLabel, type Effect, type Input, type OutgoingEvent, type SatelliteState, type SoundName, type TimerName } from '../../core/satellite/state.js';
import { micRoute, visibleState, type VisibleState } from '../../core/satellite/views.js';
import type { EventData, EventType } from '../../wyoming/events.js';
import type { Logger } from '../../util/logger.js';
import { errorCode, errorMessage, SatelliteError } from '../../util/errors.js';
import { MIC_OUTPUT_FORMAT } from '../audio/microphone.js';
import type { Speaker, SpeakerStream } from '../audio/speaker.js';
import { Announcer } from './satellite-announcer.js';
import type { PreRollBuffer, VadListener, WakeListener } from './satellite-listeners.js';
import type { SoundSet } from './satellite-sounds.js';

/** Mic chunks allowed in flight to HA before newer ones are dropped (HA not reading). */
export const MAX_PENDING_AUDIO_CHUNKS = 64;

export interface RuntimeParts {
  initial: SatelliteState;
  send: <T extends EventType>(type: T, data: EventData<T>, payload?: Buffer) => Promise<void>;
  speaker: Speaker | null;
  /** Audio for local announcements (`speak`). */
  localSpeech: LocalSpeech;
  sounds: SoundSet;
  wake: WakeListener | null;
  vad: VadListener | null;
  preRoll: PreRollBuffer;
  bus: CoreBus;
  phraseOf: (wakeWord: string) => string;
  log: Logger;
}

export class SatelliteRuntime {
  readonly #parts: RuntimeParts;
  #state: SatelliteState;
  readonly #inbox: Input[] = [];
  #stepping = false;
  readonly #timers = new Map<TimerName, NodeJS.Timeout>();
  readonly #streams = new Map<number, SpeakerStream>();
  readonly #announcer: Announcer;
  #pendingAudio = 0;
  #streamedSamples = 0;
  #published: string | undefined;
  #deviceDetail: string | undefined;
  #stopped = false;

  constructor(parts: RuntimeParts) {
    this.#parts = parts;
    this.#state = parts.initial;
    this.#announcer = new Announcer(parts.localSpeech, parts.log);
    this.#publish();
  }

  get state(): SatelliteState {
    return this.#state;
  }

  get visible(): VisibleState {
    const view = visibleState(this.#state);
    return this.#deviceDetail ? { state: view.state, detail: view.detail ? `${view.detail}; ${this.#deviceDetail}` : this.#deviceDetail } : view;
  }

  dispatch(input: Input): void {
    if (this.#stopped) return;
    this.#inbox.push(input);
    if (this.#stepping) return; // effects may dispatch; those inputs run after the current step
    this.#stepping = true;
    try {
      for (let next = this.#inbox.shift(); next; next = this.#inbox.shift()) this.#apply(next);
    } finally {
      this.#stepping = false;
    }
  }

  /**
   * Says `text` on the speaker as a local announcement, through the reducer like any input.
   * Resolves once it has really played; rejects with a coded error when refused or failed.
   */
  speak(text: string): Promise<void> {
    if (this.#stopped) return Promise.reject(new SatelliteError('SAT_ERR_SHUTTING_DOWN', 'the satellite is stopping'));
    const { request, done } = this.#announcer.open();
    this.dispatch({ type: 'speak', request, text });
    return done;
  }

  /** One 16 kHz 16-bit mono chunk from the microphone. */
  onMicChunk(pcm: Buffer): void {
    const route = micRoute(this.#state);
    if (route !== 'ha') this.#streamedSamples = 0;
    switch (route) {
      case 'wake':
        this.#parts.wake?.feed(pcmToFloatMono(pcm, MIC_OUTPUT_FORMAT));
        return;
      case 'vad':
        this.#parts.preRoll.push(pcm);
        this.#parts.vad?.feed(pcmToFloatMono(pcm, MIC_OUTPUT_FORMAT));
        return;
      case 'ha':
        this.#sendAudio(pcm);
        return;
      case 'drop':
        return;
    }
  }

  /** A device problem to show beside the state (or undefined when all is well). */
  setDeviceDetail(detail: string | undefined): void {
    this.#deviceDetail = detail;
    this.#publish();
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    for (const stream of this.#streams.values()) stream.abort();
    this.#streams.clear();
    this.#announcer.stop();
  }

  #apply(input: Input): void {
    const before = this.#state;
    const { state, effects } = step(before, input);
    this.#state = state;
    const from = phaseLabel(before);
    const to = phaseLabel(state);
    if (from !== to) this.#parts.log.info({ from, to, input: input.type }, `satellite ${from} → ${to}`);
    const playFrom = playbackLabel(before.playback);
    const playTo = playbackLabel(state.playback);
    if (playFrom !== playTo) this.#parts.log.debug({ from: playFrom, to: playTo, input: input.type }, `playback ${playFrom} → ${playTo}`);
    const micFrom = micRoute(before);
    const micTo = micRoute(state);
    if (micFrom !== micTo) this.#parts.log.debug({ from: micFrom, to: micTo, input: input.type }, `mic ${micFrom} → ${micTo}`);
    for (const effect of effects) {
      try {
        this.#execute(effect);
      } catch (err) {
        // One failing effect (a device, a closed socket) must not stop the others or the satellite.
        this.#parts.log.error({ err, effect: effect.type }, 'satellite effect failed');
      }
    }
    this.#publish();
  }

  #execute(effect: Effect): void {
    const { wake, vad, preRoll, bus } = this.#parts;
    switch (effect.type) {
      case 'send':
        this.#send(effect.event);
        return;
      case 'arm-wake':
        wake?.reset();
        return;
      case 'arm-vad':
        preRoll.clear();
        vad?.reset();
        return;
      case 'stream-preroll':
        for (const chunk of preRoll.drain()) this.#sendAudio(chunk);
        return;
      case 'play-sound':
        void this.#playSound(effect.sound, effect.repeat, effect.delayMs);
        return;
      case 'start-timer':
        this.#startTimer(effect.timer, effect.ms);
        return;
      case 'cancel-timer':
        clearTimeout(this.#timers.get(effect.timer));
        this.#timers.delete(effect.timer);
        return;
      case 'notify-wake':
        bus.emit('wake-detected', { name: effect.name, phrase: this.#parts.phraseOf(effect.name), source: 'satellite', at: new Date() });
        return;
      case 'notify-transcript':
        bus.emit('transcript', { text: effect.text, language: effect.language, source: 'satellite', at: new Date() });
        return;
      default:
        this.#executePlayback(effect);
    }
  }

  #executePlayback(effect: Effect): void {
    switch (effect.type) {
      case 'speaker-open':
        if (this.#parts.speaker) this.#streams.set(effect.stream, this.#parts.speaker.open());
        return;
      case 'speaker-write': {
        const playing = this.#streams.get(effect.stream);
        try {
          playing?.write(effect.payload, effect.format);
        } catch (err) {
          // A chunk that cannot be converted (e.g. more audio than one chunk may carry) drops its
          // stream once; the rest of that stream finds no stream and is ignored.
          playing?.abort();
          this.#streams.delete(effect.stream);
          this.#parts.log.warn({ code: errorCode(err), reason: errorMessage(err) }, 'audio from Home Assistant cannot be played; stream dropped');
        }
        return;
      }
      case 'speaker-close': {
        const { stream } = effect;
        const playing = this.#streams.get(stream);
        if (!playing) {
          // No speaker: nothing to play, so nothing to wait for.
          queueMicrotask(() => this.dispatch({ type: 'playback-finished', stream, ok: true }));
          return;
        }
        playing.end();
        // Kept until it has played, so that a `speaker-abort` can still cut a closed stream short.
        const finished = (ok: boolean) => {
          if (this.#streams.get(stream) === playing) this.#streams.delete(stream);
          this.dispatch({ type: 'playback-finished', stream, ok });
        };
        playing.done.then(
          () => finished(true),
          () => finished(false),
        );
        return;
      }
      case 'speaker-abort':
        this.#streams.get(effect.stream)?.abort();
        this.#streams.delete(effect.stream);
        this.#announcer.abort(effect.stream);
        return;
      case 'synthesize': {
        const { stream, text } = effect;
        this.#announcer.synthesize(stream, text, this.#streams.get(stream), (failure) => this.dispatch({ type: 'synthesis-finished', stream, failure }));
        return;
      }
      case 'speak-result':
        this.#announcer.answer(effect.request, effect.failure);
        return;
      default:
    }
  }

  #send(event: OutgoingEvent): void {
    const send = this.#parts.send as (type: string, data: unknown) => Promise<void>;
    send(event.type, event.data).catch((err: unknown) => this.#parts.log.warn({ err, type: event.type }, 'send to Home Assistant failed'));
  }

  #sendAudio(pcm: Buffer): void {
    if (this.#pendingAudio >= MAX_PENDING_AUDIO_CHUNKS) {
      this.#parts.log.debug('Home Assistant is not reading; dropping a mic chunk');
      return;
    }
    const timestamp = Math.round((this.#streamedSamples / MIC_OUTPUT_FORMAT.rate) * 1000);
    this.#streamedSamples += pcm.length / MIC_OUTPUT_FORMAT.width;
    this.#pendingAudio++;
    this.#parts
      .send('audio-chunk', { ...MIC_OUTPUT_FORMAT, timestamp }, pcm)
      .catch(() => undefined)
      .finally(() => this.#pendingAudio--);
  }

  async #playSound(name: SoundName, repeat: number, delayMs: number): Promise<void> {
    const sound = this.#parts.sounds[name];
    const speaker = this.#parts.speaker;
    if (sound && speaker) {
      for (let i = 0; i < repeat && !this.#stopped; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        await speaker.play(sound.pcm, sound.format).done.catch((err: unknown) => this.#parts.log.warn({ err, sound: name }, 'sound did not play'));
      }
    }
    this.dispatch({ type: 'sound-finished', sound: name });
  }

  #startTimer(timer: TimerName, ms: number): void {
    clearTimeout(this.#timers.get(timer));
    this.#timers.set(
      timer,
      setTimeout(() => {
        this.#timers.delete(timer);
        this.dispatch({ type: 'timer-expired', timer });
      }, ms),
    );
  }

  #publish(): void {
    const view = this.visible;
    const key = `${view.state}|${view.detail ?? ''}`;
    if (key === this.#published) return;
    this.#published = key;
    this.#parts.bus.emit('satellite-state', view);
  }
}
