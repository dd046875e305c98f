/**
 * What the shim tells the rest of the daemon about the speech it handled: transcripts and spoken
 * text go on the bus as provider activity, labelled with the front end, so the live view captions
 * HTTP and Realtime requests like Wyoming ones. Without a bus (the shim on its own) it says nothing.
 */
import type { CoreBus, Via } from '../../core/bus.js';

export interface SpeechActivity {
  /** The whole text so far of an utterance still being transcribed. */
  partial(utterance: string, text: string): void;
  /** A final transcript; `utterance` ties it to its partials. */
  transcript(text: string, language: string | null, utterance?: string): void;
  /** Text about to be spoken. */
  reply(text: string, voice: string | null): void;
}

export function busActivity(bus: CoreBus | undefined, via: Via): SpeechActivity {
  const source = 'provider' as const;
  return {
    partial(utterance, text) {
      // Partials are many: built only while someone (a watching page) listens.
      if (!bus?.hasListeners('transcript-partial')) return;
      bus.emit('transcript-partial', { text: text.trim(), source, via, utterance, at: new Date() });
    },
    transcript(text, language, utterance) {
      bus?.emit('transcript', { text, language, source, via, at: new Date(), ...(utterance ? { utterance } : {}) });
    },
    reply(text, voice) {
      bus?.emit('speech-reply', { text, voice, source, via, at: new Date() });
    },
  };
}
