import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { compressionRatio, renderTranscript, timestamp } from '../../../src/adapters/http/transcript-formats.js';
import type { Transcript } from '../../../src/core/speech/file-transcription.js';

const transcript: Transcript = {
  text: 'hello there general kenobi',
  language: 'en',
  duration: 3725.5,
  segments: [
    { start: 0.25, end: 1.5, text: 'hello there', seek: 25, tokens: [7, 8], avgLogprob: -0.25, noSpeechProb: 0.1 },
    { start: 3723.0, end: 3725.5, text: 'general kenobi', seek: 372300, tokens: [], avgLogprob: undefined, noSpeechProb: undefined },
  ],
  words: [
    { word: 'hello', start: 0.25, end: 0.6 },
    { word: 'there', start: 0.7, end: 1.5 },
  ],
  outputTokens: 4,
};

describe('transcript formats', () => {
  test('timestamps use hours, minutes, seconds and milliseconds with the right separator', () => {
    assert.equal(timestamp(0, ','), '00:00:00,000');
    assert.equal(timestamp(3723.0456, ','), '01:02:03,046');
    assert.equal(timestamp(59.9996, '.'), '00:01:00.000');
  });

  test('srt numbers its cues and vtt starts with its signature', () => {
    const srt = renderTranscript('srt', transcript, 'transcribe', []).body;
    assert.equal(srt, '1\n00:00:00,250 --> 00:00:01,500\nhello there\n\n2\n01:02:03,000 --> 01:02:05,500\ngeneral kenobi\n\n');
    const vtt = renderTranscript('vtt', transcript, 'transcribe', []);
    assert.match(vtt.contentType, /^text\/vtt/);
    assert.equal(vtt.body, 'WEBVTT\n\n00:00:00.250 --> 00:00:01.500\nhello there\n\n01:02:03.000 --> 01:02:05.500\ngeneral kenobi\n\n');
  });

  test('verbose_json carries segments by default and words only when asked for', () => {
    const plain = JSON.parse(renderTranscript('verbose_json', transcript, 'transcribe', []).body);
    assert.equal(plain.language, 'english');
    assert.equal(plain.segments.length, 2);
    assert.equal(plain.segments[1].start, 3723);
    assert.equal(plain.words, undefined);
    const words = JSON.parse(renderTranscript('verbose_json', transcript, 'transcribe', ['word']).body);
    assert.equal(words.segments, undefined);
    assert.deepEqual(words.words[1], { word: 'there', start: 0.7, end: 1.5 });
    const both = JSON.parse(renderTranscript('verbose_json', transcript, 'transcribe', ['word', 'segment']).body);
    assert.equal(both.segments.length, 2);
    assert.equal(both.words.length, 2);
    const silent: Transcript = { text: '', language: 'en', duration: 2, segments: [], words: undefined, outputTokens: 0 };
    assert.deepEqual(JSON.parse(renderTranscript('verbose_json', silent, 'transcribe', ['word']).body).words, []);
  });

  test("segments carry the transcript's seek, token ids, log probability and no-speech probability", () => {
    const [first, second] = JSON.parse(renderTranscript('verbose_json', transcript, 'transcribe', ['segment']).body).segments;
    assert.deepEqual(first, {
      id: 0,
      seek: 25,
      start: 0.25,
      end: 1.5,
      text: ' hello there',
      tokens: [7, 8],
      temperature: 0,
      avg_logprob: -0.25,
      compression_ratio: compressionRatio('hello there'),
      no_speech_prob: 0.1,
    });
    // Unknown probabilities are reported as 0, never left out (the spec requires the fields).
    assert.equal(second.avg_logprob, 0);
    assert.equal(second.no_speech_prob, 0);
    assert.equal(second.id, 1);
  });

  test("the compression ratio is Whisper's: UTF-8 length over zlib-compressed length", () => {
    const text = 'the the the the the the the the the the the the the the the the';
    assert.equal(compressionRatio(text), Math.round((text.length / deflateSync(Buffer.from(text)).length) * 1000) / 1000);
    assert.ok(compressionRatio(text) > 2.4, 'a repetitive text compresses well');
    assert.ok(compressionRatio('hello there') < 1, 'a short text does not');
    assert.equal(compressionRatio(''), 0);
  });

  test('json and text carry only the text', () => {
    assert.deepEqual(JSON.parse(renderTranscript('json', transcript, 'transcribe', []).body).text, transcript.text);
    assert.equal(renderTranscript('text', transcript, 'transcribe', []).body, `${transcript.text}\n`);
  });
});
