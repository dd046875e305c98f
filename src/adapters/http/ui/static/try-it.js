// Try it: text → speech played here (any installed voice), and a WAV file or a recording → transcript
// with word times. Both go through the shim's own API, so through the same speech service as everything else.
import { api } from './api.js';
import { $, el, showError } from './dom.js';
import { encodeWav } from './wav.js';

/** Longest recording kept (then it stops by itself). */
const MAX_RECORD_S = 30;
/** Tells the shim a listed reply is being played again, so it is not listed a second time. */
const REPLAY_HEADER = 'X-Satellite-Replay';

export class TryIt {
  #audioUrl;
  #recording;

  constructor() {
    $('speak-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.speak($('speak-text').value, $('voice').value || null);
    });
    $('wav-file').addEventListener('change', (e) => {
      const file = e.target.files?.[0];
      if (file) void this.transcribe(file, file.name);
    });
    const drop = $('drop');
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      const file = e.dataTransfer?.files?.[0];
      if (file) void this.transcribe(file, file.name);
    });
    this.#setUpRecording();
  }

  showVoices(models, maxTextChars) {
    const select = $('voice');
    const current = select.value;
    const options = models.voices.map((v) => el('option', { value: v.name, selected: v.name === (current || models.defaultVoice) }, `${v.name} (${v.languages.join(', ') || v.backend})`));
    select.replaceChildren(...options);
    select.disabled = options.length === 0;
    $('speak-form').querySelector('button').disabled = options.length === 0;
    if (maxTextChars) $('speak-text').maxLength = maxTextChars;
  }

  /**
   * Synthesizes `text` and plays it in the page's audio element; a voice not installed here (one of
   * Home Assistant's) falls back to the chosen one. A replay of a listed reply says so, so that it
   * is not listed again.
   */
  async speak(text, voice, { replay = false } = {}) {
    showError($('speak-error'), '');
    const installed = [...$('voice').options].map((o) => o.value);
    if (!voice || !installed.includes(voice)) voice = $('voice').value || null;
    try {
      const response = await api('/v1/audio/speech', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(replay ? { [REPLAY_HEADER]: '1' } : {}) },
        body: JSON.stringify({ model: 'tts-1', input: text, ...(voice ? { voice } : {}), response_format: 'wav' }),
      });
      const audio = $('tts-audio');
      if (this.#audioUrl) URL.revokeObjectURL(this.#audioUrl);
      this.#audioUrl = URL.createObjectURL(await response.blob());
      audio.src = this.#audioUrl;
      await audio.play().catch(() => undefined); // a browser may want a tap first; the controls are there
    } catch (err) {
      showError($('speak-error'), err.message);
    }
  }

  async transcribe(blob, name) {
    const status = $('transcribe-status');
    status.textContent = `Transcribing ${name}…`;
    $('transcript').textContent = '';
    $('words').replaceChildren();
    const form = new FormData();
    form.append('file', blob, name);
    form.append('model', 'whisper-1');
    form.append('response_format', 'verbose_json');
    form.append('timestamp_granularities[]', 'word');
    form.append('timestamp_granularities[]', 'segment');
    try {
      const result = await (await api('/v1/audio/transcriptions', { method: 'POST', body: form })).json();
      status.textContent = `${name}: ${result.duration ?? '?'} s of audio`;
      $('transcript').textContent = result.text || '(nothing heard)';
      const timed = result.words?.length ? result.words.map((w) => [w.word, w.start, w.end]) : (result.segments ?? []).map((s) => [s.text.trim(), s.start, s.end]);
      $('words').replaceChildren(...timed.map(([word, start, end]) => el('li', {}, word, ' ', el('small', {}, `${start.toFixed(2)}–${end.toFixed(2)} s`))));
    } catch (err) {
      status.textContent = `${name}: ${err.message}`;
    }
  }

  #setUpRecording() {
    const button = $('record');
    const note = $('record-note');
    if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
      button.disabled = true;
      note.textContent = 'Recording needs HTTPS (set http.tls) or localhost; browsers allow the microphone only there. Dropping a WAV works anywhere.';
      return;
    }
    button.addEventListener('click', () => (this.#recording ? this.#recording.stop() : void this.#record()));
  }

  async #record() {
    const button = $('record');
    const note = $('record-note');
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false } });
    } catch (err) {
      note.textContent = `No microphone: ${err.message}`;
      return;
    }
    const context = new AudioContext();
    const source = context.createMediaStreamSource(stream);
    // ScriptProcessor needs no worklet file and is enough for a short test recording.
    const processor = context.createScriptProcessor(4096, 1, 1);
    const chunks = [];
    processor.onaudioprocess = (e) => chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
    source.connect(processor);
    processor.connect(context.destination);
    const timer = setTimeout(() => this.#recording?.stop(), MAX_RECORD_S * 1000);
    button.textContent = 'Stop';
    note.textContent = `Recording (at most ${MAX_RECORD_S} s)…`;
    this.#recording = {
      stop: () => {
        clearTimeout(timer);
        this.#recording = undefined;
        processor.disconnect();
        source.disconnect();
        for (const track of stream.getTracks()) track.stop();
        const rate = context.sampleRate;
        void context.close();
        button.textContent = 'Record';
        note.textContent = '';
        void this.transcribe(encodeWav(chunks, rate), 'recording.wav');
      },
    };
  }
}
