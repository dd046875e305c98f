import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SENTENCE_CHARS, SentenceSplitter, splitSentences } from '../../../src/core/speech/tts-sentences.js';

test('text splits into sentences at full stops, questions, exclamations and line breaks', () => {
  assert.deepEqual(splitSentences('Hello there. How are you? Great!  See you…\nBye'), ['Hello there.', 'How are you?', 'Great!', 'See you…', 'Bye']);
  assert.deepEqual(splitSentences('"Stop!" she said. Then (after a pause.) it ended.'), ['"Stop!"', 'she said.', 'Then (after a pause.)', 'it ended.']);
  assert.deepEqual(splitSentences('你好。今天天气很好！'), ['你好。', '今天天气很好！']);
});

test('decimals, abbreviations and initials do not end a sentence', () => {
  assert.deepEqual(splitSentences('It is 21.5 degrees. Dr. Smith and J. R. Tolkien met e.g. at St. Mary.'), [
    'It is 21.5 degrees.',
    'Dr. Smith and J. R. Tolkien met e.g. at St. Mary.',
  ]);
  assert.deepEqual(splitSentences('The answer is no. Then we left.'), ['The answer is no.', 'Then we left.']);
});

test('streamed fragments yield each sentence once it is complete, whatever the fragment boundaries', () => {
  const text = 'Good morning. The time is 7.30 now! Have a nice day';
  const expected = ['Good morning.', 'The time is 7.30 now!', 'Have a nice day'];
  for (let size = 1; size <= text.length; size++) {
    const splitter = new SentenceSplitter();
    const out: string[] = [];
    for (let at = 0; at < text.length; at += size) out.push(...splitter.push(text.slice(at, at + size)));
    out.push(...splitter.flush());
    assert.deepEqual(out, expected, `fragments of ${size}`);
  }
});

test('a sentence is released as soon as the character after its end arrives', () => {
  const splitter = new SentenceSplitter();
  assert.deepEqual(splitter.push('First one.'), []);
  assert.deepEqual(splitter.push(' Sec'), ['First one.']);
  assert.deepEqual(splitter.push('ond one'), []);
  assert.deepEqual(splitter.flush(), ['Second one']);
  assert.deepEqual(splitter.flush(), []);
});

test('a run-on text is cut at a comma or space before it grows past the limit', () => {
  const clause = 'and then the story went on, ';
  const text = clause.repeat(40);
  const sentences = splitSentences(text);
  assert.ok(sentences.length > 1);
  assert.ok(sentences.every((s) => s.length <= MAX_SENTENCE_CHARS));
  assert.equal(sentences.join(' ').replace(/\s+/g, ' '), text.trim().replace(/\s+/g, ' '));
  assert.ok(sentences.slice(0, -1).every((s) => s.endsWith(',')));
  const word = 'x'.repeat(MAX_SENTENCE_CHARS * 2);
  assert.deepEqual(splitSentences(word).join(''), word);
});

test('fragments with nothing speakable are dropped and white space is normalised', () => {
  assert.deepEqual(splitSentences('...  \n\n -- \n  Hello\t\tworld .'), ['Hello world .']);
  assert.deepEqual(splitSentences('   '), []);
});

test('markdown from an LLM reply is not read out', () => {
  assert.deepEqual(splitSentences('**Sure!** Here is _the_ plan:\n- turn **off** the `lights`\n* lock the door\n# Done\nSee [the docs](https://example.com).'), [
    'Sure!',
    'Here is the plan:',
    'turn off the lights',
    'lock the door',
    'Done',
    'See the docs.',
  ]);
  assert.deepEqual(splitSentences('Set snake_case_name to on.'), ['Set snake_case_name to on.']);
  const splitter = new SentenceSplitter();
  const out = [...splitter.push('**Sure'), ...splitter.push('!** Then'), ...splitter.push(' more.')];
  assert.deepEqual([...out, ...splitter.flush()], ['Sure!', 'Then more.']);
});
