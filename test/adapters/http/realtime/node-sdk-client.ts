/**
 * A Realtime session through the official `openai` npm SDK's WebSocket client, unmodified. Run as
 * its own process so NODE_EXTRA_CA_CERTS (read at start-up) can trust the shim's test certificate:
 *
 *   node node-sdk-client.js <https base URL ending in /v1> <api key> <clip.wav> <text to speak> <out.pcm>
 *
 * Streams the clip (24 kHz PCM16) at real-time pace with server VAD, asks for `text` to be spoken,
 * writes the response audio to `out.pcm` and prints one JSON line with what it received.
 */
import { writeFileSync } from 'node:fs';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { clipPcm24, RATE, silence } from './realtime-audio.js';

const [baseURL, apiKey, clipFile, text, outFile] = process.argv.slice(2) as [string, string, string, string, string];
const CHUNK_MS = 100;

const client = new OpenAI({ apiKey, baseURL });
const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime' }, client);
const seen: string[] = [];
const result: Record<string, unknown> = { url: rt.url.toString() };
const audio: Buffer[] = [];
const errors: unknown[] = [];

function waitFor<T>(type: string): Promise<T> {
  return new Promise((resolve) => rt.on(type as 'session.created', (event) => resolve(event as T)));
}

rt.on('error', (err) => errors.push(err.message));
rt.on('event', (event) => seen.push(event.type));
rt.on('response.output_audio.delta', (event) => audio.push(Buffer.from(event.delta, 'base64')));

const created = waitFor<{ session: { type: string } }>('session.created');
await new Promise<void>((resolve, reject) => {
  rt.socket.once('open', () => resolve());
  rt.socket.once('error', reject);
});
result['sessionType'] = (await created).session.type;

const updated = waitFor('session.updated');
rt.send({
  type: 'session.update',
  session: {
    type: 'realtime',
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: RATE },
        transcription: { model: 'gpt-4o-transcribe', language: 'en' },
        turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500 },
      },
      output: { voice: 'alloy' },
    },
  },
});
await updated;

const started = waitFor<{ audio_start_ms: number }>('input_audio_buffer.speech_started');
const stopped = waitFor<{ audio_end_ms: number }>('input_audio_buffer.speech_stopped');
const completed = waitFor<{ transcript: string }>('conversation.item.input_audio_transcription.completed');
const pcm = Buffer.concat([silence(500), clipPcm24(clipFile), silence(1500)]);
const bytes = (RATE * CHUNK_MS * 2) / 1000;
for (let at = 0; at < pcm.length; at += bytes) {
  rt.send({ type: 'input_audio_buffer.append', audio: pcm.subarray(at, at + bytes).toString('base64') });
  await new Promise((r) => setTimeout(r, CHUNK_MS));
}
result['speechStartedMs'] = (await started).audio_start_ms;
result['speechStoppedMs'] = (await stopped).audio_end_ms;
result['transcript'] = (await completed).transcript;

const done = waitFor<{ response: { status: string } }>('response.done');
rt.send({ type: 'response.create', response: { instructions: text } });
result['responseStatus'] = (await done).response.status;
writeFileSync(outFile, Buffer.concat(audio));
result['audioBytes'] = audio.reduce((n, b) => n + b.length, 0);
result['events'] = [...new Set(seen)];
result['errors'] = errors;
rt.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
