/**
 * /v1/realtime over wss:// with a raw `ws` client against the real daemon (shared streaming
 * zipformer, Silero VAD, espeak-ng): TLS, auth and origin checks, session updates, manual and
 * server-VAD commits transcribed as the speech service transcribes the same clip, spoken responses
 * that transcribe back to their text, cancel, bad input, limits, a client that stops reading, and
 * two sessions at once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { floatToInt16Bytes, pcmToFloatMono, resample } from '../../../../src/audio/pcm.js';
import { decodeG711, encodeG711 } from '../../../../src/adapters/http/realtime/g711.js';
import { recognize } from '../../../helpers/recognize.js';
import { need } from '../../../helpers/system.js';
import { wer } from '../../../helpers/wer.js';
import { haveEspeak, haveModels } from '../http-daemon.js';
import { API_KEY, clipPcm24, noSessions, RATE, RawClient, responseAudio, silence, startRealtimeDaemon, type RealtimeDaemon } from './realtime-harness.js';

const CLIP = 'librispeech-1089-134691-0001.wav';
const CLIP_REFERENCE = 'FOR A FULL HOUR HE HAD PACED UP AND DOWN WAITING BUT HE COULD WAIT NO LONGER';
const OTHER_CLIP = 'librispeech-1089-134686-0002.wav';
const SENTENCE = 'please turn on the kitchen light and set a timer for ten minutes';
const TTS_WER_LIMIT = 0.8;
const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_BUFFERED_BYTES = 256 * 1024;
const MAX_SESSIONS = 4;

describe('Realtime WebSocket (raw ws client over wss://)', { concurrency: false }, () => {
  let rt: RealtimeDaemon | undefined;
  const open = (options: ConstructorParameters<typeof Object>[0] = {}) =>
    RawClient.open(rt!.wsUrl, { ca: rt!.ca, headers: { Authorization: `Bearer ${API_KEY}` }, ...(options as object) });

  /** What the speech service makes of the same 24 kHz PCM, streamed the same way (the WER baseline). */
  async function serviceTranscript(pcm: Buffer): Promise<string> {
    const { session } = await rt!.daemon.context.speech.openTranscription({});
    const format = { rate: RATE, width: 2, channels: 1 };
    for (let at = 0; at < pcm.length; at += 4800) await session.push(pcm.subarray(at, at + 4800), format);
    return (await session.finish()).text;
  }

  before(async () => {
    if (!haveModels || !haveEspeak) return;
    rt = await startRealtimeDaemon({ realtime: { max_message_bytes: MAX_MESSAGE_BYTES, max_buffered_bytes: MAX_BUFFERED_BYTES, max_sessions: MAX_SESSIONS } });
  });
  after(async () => rt?.daemon.stop());

  test('the shim serves HTTPS with the self-signed certificate it generated', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      https
        .get(`${rt!.httpsUrl}/health`, { ca: rt!.ca }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
    assert.equal(status, 200);
    assert.ok(JSON.parse(body));
    // Without trusting the certificate the handshake fails.
    await assert.rejects(new Promise((resolve, reject) => https.get(`${rt!.httpsUrl}/health`, resolve).on('error', reject)), /self.signed|certificate/i);
  });

  test('auth: no key or a wrong key is refused 401; the browser subprotocol key is accepted; a foreign origin gets 403', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const refused = (options: object) => RawClient.open(rt!.wsUrl, { ca: rt!.ca, ...options }).then(() => assert.fail('opened'), (err: { status?: number; body?: string }) => err);
    const none = await refused({});
    assert.equal(none.status, 401);
    assert.equal(JSON.parse(none.body!).error.code, 'invalid_api_key');
    assert.equal((await refused({ headers: { Authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await refused({ protocols: ['realtime', 'openai-insecure-api-key.wrong'] })).status, 401);
    const elsewhere = await RawClient.open(rt!.wsUrl.replace('/v1/realtime', '/v1/audio/speech'), { ca: rt!.ca, headers: { Authorization: `Bearer ${API_KEY}` } }).then(
      () => assert.fail('opened'),
      (err: { status?: number }) => err,
    );
    assert.equal(elsewhere.status, 404);
    const origin = await refused({ headers: { Authorization: `Bearer ${API_KEY}`, Origin: 'https://evil.example' } });
    assert.equal(origin.status, 403);
    assert.equal(JSON.parse(origin.body!).error.code, 'origin_not_allowed');

    const browser = await RawClient.open(rt!.wsUrl, { ca: rt!.ca, protocols: ['realtime', `openai-insecure-api-key.${API_KEY}`] });
    assert.equal(browser.ws.protocol, 'realtime');
    const created = await browser.next('session.created');
    assert.equal(created['session'].type, 'realtime');
    assert.deepEqual(created['session'].audio.input.format, { type: 'audio/pcm', rate: RATE });
    assert.match(String(created['notice']), /generates no text/);
    browser.close();
  });

  test('session.update in the GA and the beta shape is answered with session.updated; a bad field is an error event', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const c = await open();
    await c.next('session.created');
    c.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', threshold: 0.6, silence_duration_ms: 700, prefix_padding_ms: 200 } }, output: { voice: 'alloy' } } } });
    const ga = await c.next('session.updated');
    assert.deepEqual(ga['session'].audio.input.turn_detection, { type: 'server_vad', threshold: 0.6, prefix_padding_ms: 200, silence_duration_ms: 700, create_response: false, interrupt_response: false });
    c.send({ type: 'session.update', session: { input_audio_format: 'pcm16', turn_detection: null, input_audio_transcription: { model: 'whisper-1', language: 'en' } } });
    const beta = await c.next('session.updated');
    assert.equal(beta['session'].audio.input.turn_detection, null);
    assert.equal(beta['session'].audio.input.transcription.language, 'en');
    c.send({ type: 'session.update', event_id: 'evt_bad', session: { audio: { input: { format: { type: 'audio/opus' } } } } });
    const error = await c.next('error');
    assert.equal(error['error'].code, 'unsupported_audio_format');
    assert.equal(error['error'].event_id, 'evt_bad');
    assert.equal(error['error'].param, 'session.audio.input.format');
    c.close();
  });

  test('manual commit: the transcript equals the speech service transcript of the same clip', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const pcm = clipPcm24(CLIP);
    const c = await open();
    await c.next('session.created');
    c.send({ type: 'session.update', session: { audio: { input: { turn_detection: null } } } });
    await c.next('session.updated');
    await c.stream(pcm);
    c.send({ type: 'input_audio_buffer.commit' });
    const committed = await c.next('input_audio_buffer.committed');
    const added = await c.next('conversation.item.added');
    assert.equal(added['item'].id, committed['item_id']);
    assert.equal(added['item'].role, 'user');
    const completed = await c.next('conversation.item.input_audio_transcription.completed');
    assert.equal(completed['item_id'], committed['item_id']);
    const baseline = await serviceTranscript(pcm);
    t.diagnostic(`realtime: ${completed['transcript']} | service: ${baseline}`);
    assert.equal(wer(CLIP_REFERENCE, completed['transcript']), wer(CLIP_REFERENCE, baseline));
    assert.ok(wer(CLIP_REFERENCE, completed['transcript']) <= 0.2);
    assert.equal(completed['usage'].type, 'duration');
    // The streaming zipformer's partials arrive as deltas that only ever append.
    const deltas = c.events.filter((e) => e.type === 'conversation.item.input_audio_transcription.delta' && e['item_id'] === committed['item_id']).map((e) => String(e['delta']));
    assert.ok(deltas.length > 0, 'no transcription deltas');
    assert.ok(deltas.join('').trim().length > 0);
    // An empty buffer cannot be committed.
    c.send({ type: 'input_audio_buffer.commit', event_id: 'evt_empty' });
    assert.equal((await c.next('error'))['error'].code, 'input_audio_buffer_commit_empty');
    c.close();
  });

  test('server VAD: speech_started, speech_stopped with offsets, automatic commit and the transcript', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const pcm = Buffer.concat([silence(1000), clipPcm24(CLIP), silence(1500)]);
    const c = await open();
    await c.next('session.created');
    await c.stream(pcm);
    const started = await c.next('input_audio_buffer.speech_started');
    const stopped = await c.next('input_audio_buffer.speech_stopped');
    const committed = await c.next('input_audio_buffer.committed');
    assert.equal(stopped['item_id'], started['item_id']);
    assert.equal(committed['item_id'], started['item_id']);
    // Speech begins about 1 s in; the start reaches back prefix_padding_ms (300 ms).
    assert.ok(started['audio_start_ms'] >= 300 && started['audio_start_ms'] <= 2000, `start ${started['audio_start_ms']}`);
    assert.ok(stopped['audio_end_ms'] > started['audio_start_ms'] + 3000, `end ${stopped['audio_end_ms']}`);
    const completed = await c.next('conversation.item.input_audio_transcription.completed');
    t.diagnostic(`server VAD transcript: ${completed['transcript']}`);
    assert.ok(wer(CLIP_REFERENCE, completed['transcript']) <= wer(CLIP_REFERENCE, await serviceTranscript(clipPcm24(CLIP))) + 0.1);
    c.close();
  });

  test('response.create with instructions: the audio deltas transcribe back to the text', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const c = await open();
    await c.next('session.created');
    c.send({ type: 'response.create', response: { instructions: SENTENCE } });
    const created = await c.next('response.created');
    const id = created['response'].id;
    await c.next('response.output_item.added');
    await c.next('response.content_part.added');
    const transcriptDelta = await c.next('response.output_audio_transcript.delta');
    assert.equal(transcriptDelta['delta'], SENTENCE);
    await c.next('response.output_audio.delta');
    await c.next('response.output_audio.done');
    await c.next('response.output_audio_transcript.done');
    const done = await c.next('response.done');
    assert.equal(done['response'].status, 'completed');
    assert.equal(done['response'].output[0].content[0].transcript, SENTENCE);
    const audio = responseAudio(c.events, id);
    const heard = await recognize(pcmToFloatMono(audio, { rate: RATE, width: 2, channels: 1 }), RATE);
    t.diagnostic(`heard: ${heard}`);
    assert.ok(wer(SENTENCE, heard) <= TTS_WER_LIMIT, heard);

    // An assistant item's text is spoken by the next response.create without instructions.
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'this is a test' }] } });
    await c.next('conversation.item.added');
    c.send({ type: 'response.create' });
    const second = await c.next('response.done');
    assert.equal(second['response'].status, 'completed');
    assert.ok(responseAudio(c.events, second['response'].id).length > RATE);

    // Nothing left to say: the daemon writes no text itself.
    c.send({ type: 'response.create', event_id: 'evt_nothing' });
    const error = await c.next('error');
    assert.equal(error['error'].code, 'SAT_ERR_REALTIME_NO_TEXT');
    assert.equal(error['error'].event_id, 'evt_nothing');
    c.close();
  });

  test('G.711: μ-law in and out at 8 kHz is transcribed and spoken', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const c = await open();
    await c.next('session.created');
    c.send({ type: 'session.update', session: { audio: { input: { format: { type: 'audio/pcmu' }, turn_detection: null }, output: { format: { type: 'audio/pcmu' } } } } });
    const updated = await c.next('session.updated');
    assert.deepEqual(updated['session'].audio.input.format, { type: 'audio/pcmu' });
    const pcm8k = floatToInt16Bytes(resample(pcmToFloatMono(clipPcm24(CLIP), { rate: RATE, width: 2, channels: 1 }), RATE, 8000));
    const ulaw = encodeG711(pcm8k, 'pcmu');
    for (let at = 0; at < ulaw.length; at += 800) c.send({ type: 'input_audio_buffer.append', audio: ulaw.subarray(at, at + 800).toString('base64') });
    c.send({ type: 'input_audio_buffer.commit' });
    const completed = await c.next('conversation.item.input_audio_transcription.completed');
    t.diagnostic(`μ-law transcript: ${completed['transcript']}`);
    assert.ok(wer(CLIP_REFERENCE, completed['transcript']) <= 0.3, completed['transcript']);
    c.send({ type: 'response.create', response: { instructions: SENTENCE } });
    const done = await c.next('response.done');
    const pcm = decodeG711(responseAudio(c.events, done['response'].id), 'pcmu');
    const heard = await recognize(pcmToFloatMono(pcm, { rate: 8000, width: 2, channels: 1 }), 8000);
    t.diagnostic(`μ-law reply heard as: ${heard}`);
    assert.ok(wer(SENTENCE, heard) <= TTS_WER_LIMIT, heard);
    c.close();
  });

  test('response.cancel stops synthesis and the response ends cancelled', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const c = await open();
    await c.next('session.created');
    c.send({ type: 'response.cancel' });
    assert.equal((await c.next('error'))['error'].code, 'response_cancel_not_active');
    const long = Array.from({ length: 40 }, (_, i) => `sentence number ${i + 1} of a long answer.`).join(' ');
    c.send({ type: 'response.create', response: { instructions: long } });
    await c.next('response.output_audio.delta');
    c.send({ type: 'response.cancel' });
    const done = await c.next('response.done');
    assert.equal(done['response'].status, 'cancelled');
    assert.equal(done['response'].status_details.reason, 'client_cancelled');
    const seconds = responseAudio(c.events, done['response'].id).length / 2 / RATE;
    t.diagnostic(`audio before the cancel took effect: ${seconds.toFixed(1)} s`);
    assert.ok(seconds < 60, `${seconds} s`);
    // The session is still usable.
    c.send({ type: 'response.create', response: { instructions: 'hello' } });
    assert.equal((await c.next('response.done'))['response'].status, 'completed');
    c.close();
  });

  test('conversation items: retrieved as described, deleted (a deleted text is not spoken), truncated while spoken', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const c = await open();
    await c.next('session.created');
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'never to be spoken' }] } });
    const added = await c.next('conversation.item.added');
    const textId = String(added['item'].id);
    c.send({ type: 'conversation.item.retrieve', item_id: textId });
    assert.deepEqual((await c.next('conversation.item.retrieved'))['item'], added['item']);
    c.send({ type: 'conversation.item.delete', item_id: textId });
    assert.equal((await c.next('conversation.item.deleted'))['item_id'], textId);
    c.send({ type: 'conversation.item.retrieve', item_id: textId, event_id: 'evt_gone' });
    const gone = (await c.next('error'))['error'];
    assert.deepEqual([gone.code, gone.param, gone.event_id], ['item_not_found', 'item_id', 'evt_gone']);
    // The deleted text was the only one waiting: there is nothing left to speak.
    c.send({ type: 'response.create' });
    assert.equal((await c.next('error'))['error'].code, 'SAT_ERR_REALTIME_NO_TEXT');

    // A long answer, interrupted: the client heard the first deltas only.
    const long = Array.from({ length: 40 }, (_, i) => `sentence number ${i + 1} of a long answer.`).join(' ');
    c.send({ type: 'response.create', response: { instructions: long } });
    const item = (await c.next('response.output_item.added'))['item'];
    const firstDelta = await c.next('response.output_audio.delta');
    const heardMs = Math.floor((Buffer.from(String(firstDelta['delta']), 'base64').length / 2 / RATE) * 1000);
    c.send({ type: 'conversation.item.truncate', item_id: item.id, content_index: 0, audio_end_ms: heardMs });
    const truncated = await c.next('conversation.item.truncated');
    assert.deepEqual([truncated['item_id'], truncated['content_index'], truncated['audio_end_ms']], [item.id, 0, heardMs]);
    const done = await c.next('response.done');
    assert.equal(done['response'].status, 'cancelled', 'truncating the item being spoken stops its response');
    c.send({ type: 'conversation.item.retrieve', item_id: item.id });
    const after = (await c.next('conversation.item.retrieved'))['item'];
    assert.equal(after.status, 'incomplete');
    assert.equal(after.content[0].transcript, '', 'no text the listener did not hear');

    // Bounds: past the audio sent, a user item, a bad offset.
    const sentMs = Math.round(responseAudio(c.events, done['response'].id).length / 2 / RATE * 1000);
    c.send({ type: 'conversation.item.truncate', item_id: item.id, content_index: 0, audio_end_ms: sentMs + 60_000 });
    const past = (await c.next('error'))['error'];
    assert.deepEqual([past.code, past.param], ['invalid_value', 'audio_end_ms']);
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } });
    const user = (await c.next('conversation.item.added'))['item'];
    c.send({ type: 'conversation.item.truncate', item_id: user.id, content_index: 0, audio_end_ms: 0 });
    assert.equal((await c.next('error'))['error'].param, 'item_id');
    c.send({ type: 'conversation.item.truncate', item_id: item.id, content_index: 0, audio_end_ms: -5 });
    assert.equal((await c.next('error'))['error'].param, 'audio_end_ms');
    c.send({ type: 'conversation.item.delete', item_id: 'item_unknown' });
    assert.equal((await c.next('error'))['error'].code, 'item_not_found');
    c.close();
  });

  test('bad base64, bad JSON and unknown events are error events; the session goes on', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const c = await open();
    await c.next('session.created');
    c.send({ type: 'input_audio_buffer.append', event_id: 'evt_b64', audio: 'not*base64!' });
    const bad = await c.next('error');
    assert.equal(bad['error'].code, 'invalid_base64');
    assert.equal(bad['error'].event_id, 'evt_b64');
    c.ws.send('{not json');
    assert.equal((await c.next('error'))['error'].code, 'invalid_json');
    c.send({ type: 'no.such.event' });
    assert.equal((await c.next('error'))['error'].code, 'invalid_event_type');
    c.send({ type: 'input_audio_buffer.clear' });
    await c.next('input_audio_buffer.cleared');
    c.close();
  });

  test('an append over max_message_bytes is an error event; a frame past twice the limit closes the socket (1009)', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const c = await open();
    await c.next('session.created');
    c.send({ type: 'input_audio_buffer.append', audio: Buffer.alloc(MAX_MESSAGE_BYTES).toString('base64') });
    assert.equal((await c.next('error'))['error'].code, 'message_too_large');
    c.send({ type: 'input_audio_buffer.append', audio: Buffer.alloc(MAX_MESSAGE_BYTES * 2).toString('base64') });
    assert.equal((await c.closedWith()).code, 1009);
  });

  test('two sessions at once are independent: one cut off mid-stream does not touch the other', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    const [a, b] = await Promise.all([open(), open()]);
    await Promise.all([a.next('session.created'), b.next('session.created')]);
    for (const c of [a, b]) c.send({ type: 'session.update', session: { audio: { input: { turn_detection: null } } } });
    await Promise.all([a.next('session.updated'), b.next('session.updated')]);
    const pcmA = clipPcm24(CLIP);
    const pcmB = clipPcm24(OTHER_CLIP);
    const half = Math.floor(pcmB.length / 4) * 2;
    await Promise.all([a.stream(pcmA, 100, true), b.stream(pcmB.subarray(0, half), 100, true)]);
    b.ws.terminate();
    a.send({ type: 'input_audio_buffer.commit' });
    const completed = await a.next('conversation.item.input_audio_transcription.completed');
    assert.equal(completed['transcript'], await serviceTranscript(pcmA));
    a.close();
  });

  test('more than max_sessions at once are refused 429', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    await noSessions(rt!);
    const clients = await Promise.all(Array.from({ length: MAX_SESSIONS }, () => open()));
    await assert.rejects(open(), (err: { status?: number }) => err.status === 429);
    for (const c of clients) c.ws.terminate();
  });

  test('a client that stops reading is closed once its unread events pass max_buffered_bytes', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    await noSessions(rt!);
    const c = await open();
    await c.next('session.created');
    const socket = (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const long = Array.from({ length: 90 }, (_, i) => `this is sentence number ${i + 1} of an answer.`).join(' ');
    const logged = () => rt!.daemon.logs.some((line) => line.includes('SAT_ERR_REALTIME_SLOW_CLIENT'));
    // Kernel socket buffers swallow megabytes first: keep asking for speech (a request while one
    // runs is refused with a small error event) until the server gives up on this client.
    for (let asked = 0; !logged(); asked++) {
      assert.ok(asked < 300, 'the server never closed the client that stopped reading');
      c.send({ type: 'response.create', response: { instructions: long } });
      await new Promise((r) => setTimeout(r, 500));
    }
    socket.resume();
    const closed = await c.closedWith();
    assert.notEqual(closed.code, 1000);
    // The server is fine: a new session works.
    const d = await open();
    await d.next('session.created');
    d.close();
  });

  test('stopping the daemon closes open sessions with 1001 and releases them', async (t) => {
    if (!need(t, rt !== undefined, 'shared models or espeak-ng missing')) return;
    await noSessions(rt!);
    const c = await open();
    await c.next('session.created');
    await c.stream(clipPcm24(CLIP).subarray(0, RATE * 2));
    const daemon = rt!.daemon;
    rt = undefined;
    const [closed] = await Promise.all([c.closedWith(), daemon.stop()]);
    assert.equal(closed.code, 1001);
    assert.ok(daemon.logs.some((line) => line.includes('realtime session closed') && line.includes('"open":0')));
  });
});
