// The live event stream: server-sent events read through fetch (EventSource cannot send the API
// key header). It reconnects with a growing pause, and each connection starts with a snapshot.
import { api, ApiError } from './api.js';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

export class LiveStream {
  #onEvent;
  #onStatus;
  #retryMs = FIRST_RETRY_MS;
  #abort;
  #waitingForKey = false;

  /** onEvent(type, data); onStatus('connecting' | 'live' | 'retrying' | 'key'). */
  constructor(onEvent, onStatus) {
    this.#onEvent = onEvent;
    this.#onStatus = onStatus;
  }

  start() {
    this.#waitingForKey = false;
    this.#abort?.abort();
    this.#abort = new AbortController();
    void this.#run(this.#abort.signal);
  }

  async #run(signal) {
    while (!signal.aborted) {
      this.#onStatus('connecting');
      try {
        const response = await api('/ui/api/live', { signal, headers: { Accept: 'text/event-stream' } });
        this.#onStatus('live');
        this.#retryMs = FIRST_RETRY_MS;
        await this.#read(response.body, signal);
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof ApiError && err.status === 401) {
          this.#waitingForKey = true;
          this.#onStatus('key');
          return; // start() again once a key is saved
        }
      }
      if (signal.aborted || this.#waitingForKey) return;
      this.#onStatus('retrying');
      await new Promise((resolve) => setTimeout(resolve, this.#retryMs));
      this.#retryMs = Math.min(MAX_RETRY_MS, this.#retryMs * 2);
    }
  }

  async #read(body, signal) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.#dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  #dispatch(block) {
    let type = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      if (line.startsWith('event:')) type = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length === 0) return;
    try {
      this.#onEvent(type, JSON.parse(data.join('\n')));
    } catch (err) {
      console.error('live event', type, err);
    }
  }
}
