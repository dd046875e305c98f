import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTranscript, timestamp } from '../../../src/adapters/http/transcript-formats.js';
import type { Transcript } from '../../../src/core/speech/file-transcription.js';

const transcript: Transcript = {
  text: 'hello there general kenobi',
  language: 'en',
  duration: 3725.5,
  segments: [
    { start: 0.25, end: 1.5, text: 'hello there' },
    { start: 3723.0, end: 3725.5, text: 'general kenobi' },
  ],
  words: [
    { word: 'hello', start: 0.25, end: 0.6 },
    { word: 'there', start: 0.7, end: 1.5 },
  ],
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
  });

  test('json and text carry only the text', () => {
    assert.deepEqual(JSON.parse(renderTranscript('json', transcript, 'transcribe', []).body).text, transcript.text);
    assert.equal(renderTranscript('text', transcript, 'transcribe', []).body, `${transcript.text}\n`);
  });
});
