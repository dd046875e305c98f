/** One representative event per type, with the data block the reference writer produces for it. */
import type { EventType } from '../../src/wyoming/events.js';

export interface Sample {
  type: EventType;
  data: Record<string, unknown>;
  /** The data block as Python's json.dumps(data, ensure_ascii=False) writes it. */
  block: string;
  payload?: Buffer;
}

const pcm = Buffer.from([0x01, 0x00, 0xff, 0x7f]);

export const SAMPLES: Sample[] = [
  { type: 'audio-start', data: { rate: 16000, width: 2, channels: 1, timestamp: null }, block: '{"rate": 16000, "width": 2, "channels": 1, "timestamp": null}' },
  { type: 'audio-chunk', data: { rate: 16000, width: 2, channels: 1, timestamp: null }, block: '{"rate": 16000, "width": 2, "channels": 1, "timestamp": null}', payload: pcm },
  { type: 'audio-stop', data: { timestamp: 1200 }, block: '{"timestamp": 1200}' },
  { type: 'describe', data: {}, block: '{}' },
  {
    type: 'info',
    data: { asr: [], tts: [], handle: [], intent: [], wake: [], mic: [], snd: [] },
    block: '{"asr": [], "tts": [], "handle": [], "intent": [], "wake": [], "mic": [], "snd": []}',
  },
  { type: 'transcribe', data: { language: 'en' }, block: '{"language": "en"}' },
  { type: 'transcript', data: { text: 'turn on the lights', language: 'en' }, block: '{"text": "turn on the lights", "language": "en"}' },
  { type: 'transcript-start', data: { language: 'en' }, block: '{"language": "en"}' },
  { type: 'transcript-chunk', data: { text: 'turn on' }, block: '{"text": "turn on"}' },
  { type: 'transcript-stop', data: {}, block: '{}' },
  { type: 'synthesize', data: { text: 'Grüße, 世界!', voice: { name: 'en_US-lessac-medium' } }, block: '{"text": "Grüße, 世界!", "voice": {"name": "en_US-lessac-medium"}}' },
  { type: 'synthesize-start', data: { voice: { name: 'kokoro', speaker: 'af_heart' } }, block: '{"voice": {"name": "kokoro", "speaker": "af_heart"}}' },
  { type: 'synthesize-chunk', data: { text: 'Hello "there"\n' }, block: '{"text": "Hello \\"there\\"\\n"}' },
  { type: 'synthesize-stop', data: {}, block: '{}' },
  { type: 'synthesize-stopped', data: {}, block: '{}' },
  { type: 'detect', data: { names: ['hey_jarvis'] }, block: '{"names": ["hey_jarvis"]}' },
  { type: 'detection', data: { name: 'hey_jarvis', timestamp: 840, speaker: null }, block: '{"name": "hey_jarvis", "timestamp": 840, "speaker": null}' },
  { type: 'not-detected', data: {}, block: '{}' },
  { type: 'voice-started', data: { timestamp: 300 }, block: '{"timestamp": 300}' },
  { type: 'voice-stopped', data: { timestamp: 2100 }, block: '{"timestamp": 2100}' },
  { type: 'recognize', data: { text: 'what time is it' }, block: '{"text": "what time is it"}' },
  {
    type: 'intent',
    data: { name: 'HassTurnOn', entities: [{ name: 'area', value: 'kitchen' }], text: 'Turned on' },
    block: '{"name": "HassTurnOn", "entities": [{"name": "area", "value": "kitchen"}], "text": "Turned on"}',
  },
  { type: 'not-recognized', data: { text: 'Sorry' }, block: '{"text": "Sorry"}' },
  { type: 'intents-start', data: {}, block: '{}' },
  { type: 'intents-stop', data: {}, block: '{}' },
  { type: 'handled', data: { text: 'Done' }, block: '{"text": "Done"}' },
  { type: 'not-handled', data: { text: 'No' }, block: '{"text": "No"}' },
  { type: 'handled-start', data: {}, block: '{}' },
  { type: 'handled-chunk', data: { text: 'Do' }, block: '{"text": "Do"}' },
  { type: 'handled-stop', data: {}, block: '{}' },
  { type: 'played', data: {}, block: '{}' },
  { type: 'run-satellite', data: {}, block: '{}' },
  { type: 'pause-satellite', data: {}, block: '{}' },
  {
    type: 'run-pipeline',
    data: { start_stage: 'asr', end_stage: 'tts', restart_on_end: false, wake_word_name: 'alexa' },
    block: '{"start_stage": "asr", "end_stage": "tts", "restart_on_end": false, "wake_word_name": "alexa"}',
  },
  { type: 'streaming-started', data: {}, block: '{}' },
  { type: 'streaming-stopped', data: {}, block: '{}' },
  { type: 'satellite-connected', data: {}, block: '{}' },
  { type: 'satellite-disconnected', data: {}, block: '{}' },
  {
    type: 'timer-started',
    data: { id: 't1', total_seconds: 300, name: 'pasta', start_minutes: 5 },
    block: '{"id": "t1", "total_seconds": 300, "name": "pasta", "start_minutes": 5}',
  },
  { type: 'timer-updated', data: { id: 't1', is_active: false, total_seconds: 240 }, block: '{"id": "t1", "is_active": false, "total_seconds": 240}' },
  { type: 'timer-cancelled', data: { id: 't1' }, block: '{"id": "t1"}' },
  { type: 'timer-finished', data: { id: 't1' }, block: '{"id": "t1"}' },
  { type: 'ping', data: { text: null }, block: '{"text": null}' },
  { type: 'pong', data: { text: 'abc' }, block: '{"text": "abc"}' },
  { type: 'error', data: { text: 'model not found', code: 'SAT_ERR_MODEL_NOT_FOUND' }, block: '{"text": "model not found", "code": "SAT_ERR_MODEL_NOT_FOUND"}' },
  { type: 'user-event', data: { name: 'button', data: { pressed: true } }, block: '{"name": "button", "data": {"pressed": true}}' },
];

/** The exact bytes the encoder must produce for a sample. */
export function goldenBytes(sample: Sample): Buffer {
  const block = Buffer.from(sample.block, 'utf8');
  let header = `{"type": "${sample.type}", "version": "1.9.0", "data_length": ${block.length}`;
  if (sample.payload) header += `, "payload_length": ${sample.payload.length}`;
  header += '}\n';
  return Buffer.concat([Buffer.from(header, 'utf8'), block, sample.payload ?? Buffer.alloc(0)]);
}
