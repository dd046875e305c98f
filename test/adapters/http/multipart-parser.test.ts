import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PARTS, MultipartParser, multipartBoundary, type PartInfo } from '../../../src/adapters/http/multipart-parser.js';

const BOUNDARY = 'xYz-42';

function form(parts: Array<{ name: string; filename?: string; type?: string; data: Buffer | string }>, boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [Buffer.from('preamble to ignore\r\n')];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\nepilogue`));
  return Buffer.concat(chunks);
}

interface Parsed {
  part: PartInfo;
  data: Buffer;
}

function parse(body: Buffer, split: (body: Buffer) => Buffer[]): Parsed[] {
  const out: Parsed[] = [];
  let current: { part: PartInfo; chunks: Buffer[] } | undefined;
  const parser = new MultipartParser(BOUNDARY, {
    onPartStart: (part) => (current = { part, chunks: [] }),
    onPartData: (chunk) => current!.chunks.push(Buffer.from(chunk)),
    onPartEnd: () => out.push({ part: current!.part, data: Buffer.concat(current!.chunks) }),
  });
  for (const piece of split(body)) parser.push(piece);
  parser.end();
  return out;
}

/** Binary file content that contains near-misses of the delimiter. */
const tricky = Buffer.concat([Buffer.from([0, 1, 2, 13, 10, 45, 45]), Buffer.from(`\r\n--${BOUNDARY.slice(0, 4)}`), Buffer.from([255, 13, 10, 13, 10])]);

describe('multipart parser', () => {
  test('reads fields and a binary file however the body is split into chunks', () => {
    const body = form([
      { name: 'model', data: 'whisper-1' },
      { name: 'file', filename: 'a b.wav', type: 'audio/wav', data: tricky },
      { name: 'timestamp_granularities[]', data: 'word' },
      { name: 'timestamp_granularities[]', data: 'segment' },
    ]);
    const whole = parse(body, (b) => [b]);
    assert.deepEqual(
      whole.map((p) => [p.part.name, p.part.filename ?? null]),
      [
        ['model', null],
        ['file', 'a b.wav'],
        ['timestamp_granularities[]', null],
        ['timestamp_granularities[]', null],
      ],
    );
    assert.equal(whole[0]!.data.toString(), 'whisper-1');
    assert.deepEqual(whole[1]!.data, tricky);
    assert.equal(whole[1]!.part.contentType, 'audio/wav');
    for (let cut = 1; cut < body.length; cut++) {
      const again = parse(body, (b) => [b.subarray(0, cut), b.subarray(cut)]);
      assert.deepEqual(again.map((p) => p.data), whole.map((p) => p.data), `split at byte ${cut}`);
    }
    const bytewise = parse(body, (b) => [...b].map((x) => Buffer.from([x])));
    assert.deepEqual(bytewise.map((p) => p.data), whole.map((p) => p.data));
  });

  test('an empty field and an empty file are parts with no bytes', () => {
    const parsed = parse(form([{ name: 'prompt', data: '' }, { name: 'file', filename: 'x', data: '' }]), (b) => [b]);
    assert.deepEqual(parsed.map((p) => p.data.length), [0, 0]);
  });

  test('a body without its closing boundary is an error at the end', () => {
    const body = form([{ name: 'model', data: 'm' }]);
    const cut = body.subarray(0, body.indexOf(`--${BOUNDARY}--`));
    assert.throws(() => parse(cut, (b) => [b]), { code: 'SAT_ERR_BAD_MULTIPART' });
  });

  test('too many parts and oversized part headers are refused', () => {
    const many = form(Array.from({ length: MAX_PARTS + 1 }, (_, i) => ({ name: `f${i}`, data: 'v' })));
    assert.throws(() => parse(many, (b) => [b]), /more than/);
    const hugeHeader = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\nX-Pad: ${'p'.repeat(20_000)}`);
    assert.throws(() => parse(hugeHeader, (b) => [b]), /headers too large/);
  });

  test('a part without a form-data disposition is refused', () => {
    const body = Buffer.from(`--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${BOUNDARY}--\r\n`);
    assert.throws(() => parse(body, (b) => [b]), /Content-Disposition/);
  });

  test('the boundary comes from a multipart/form-data Content-Type only', () => {
    assert.equal(multipartBoundary('multipart/form-data; boundary=abc'), 'abc');
    assert.equal(multipartBoundary('multipart/form-data; charset=utf-8; boundary="a b;c"'), 'a b;c');
    assert.equal(multipartBoundary('application/json'), undefined);
    assert.equal(multipartBoundary('multipart/form-data'), undefined);
    assert.equal(multipartBoundary(undefined), undefined);
  });
});
