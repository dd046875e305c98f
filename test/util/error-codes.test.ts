/**
 * The error-code registry (src/util/error-codes.ts) is the one list of codes: every code spelled in
 * src/ is declared there, every declared code is still used, and the README's table is rendered
 * from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/system.js';
import {
  ERROR_CODES,
  errorTemplate,
  httpStatusOf,
  isErrorCode,
  renderErrorCodeTable,
  withErrorCodeTable,
  type ErrorCode,
} from '../../src/util/error-codes.js';
import { errorCode, registeredErrorCode, SatelliteError } from '../../src/util/errors.js';
import { WyomingErrorCode } from '../../src/wyoming/errors.js';
import { toHttpError } from '../../src/adapters/http/http-errors.js';

const SRC = path.join(REPO_ROOT, 'src');
const REGISTRY = path.join(SRC, 'util', 'error-codes.ts');
const CODE_TOKEN = /\b(?:SAT|WY)_ERR_[A-Z0-9_]+\b/g;
const CODE_LITERAL = /(['"`])((?:SAT|WY)_ERR_[A-Z0-9_]+)\1/g;
/** Codes merged into one (old → kept); the old names must not come back anywhere. */
const MERGED: Record<string, ErrorCode> = {
  ['SAT_ERR_' + 'NO_WAKE_MODEL']: 'SAT_ERR_WAKE_MODEL_NOT_FOUND',
  ['SAT_ERR_' + 'UNKNOWN_WAKE_WORD']: 'SAT_ERR_WAKE_MODEL_NOT_FOUND',
  ['SAT_ERR_' + 'MQTT_UNKNOWN_WAKE_WORD']: 'SAT_ERR_WAKE_MODEL_NOT_FOUND',
  ['SAT_ERR_' + 'ABORTED']: 'SAT_ERR_CANCELLED',
  ['SAT_ERR_' + 'CONFIG']: 'SAT_ERR_CONFIG_INVALID',
  ['SAT_ERR_' + 'BAD_MODEL']: 'SAT_ERR_MODEL_INVALID',
  ['SAT_ERR_' + 'TEXT_TOO_LONG']: 'SAT_ERR_TTS_TEXT_TOO_LONG',
  ['SAT_ERR_' + 'VOICE_NOT_FOUND']: 'SAT_ERR_TTS_UNKNOWN_VOICE',
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return tsFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Each match of `pattern` (group `group`) in the files, with where it is. */
function occurrences(files: string[], pattern: RegExp, group = 0): Array<{ code: string; where: string }> {
  return files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => [...line.matchAll(pattern)].map((m) => ({ code: m[group]!, where: `${path.relative(REPO_ROOT, file)}:${i + 1}` }))),
  );
}

const srcFiles = () => tsFiles(SRC).filter((f) => f !== REGISTRY);

test('every SAT_ERR_/WY_ERR_ code spelled in src/ (thrown, checked, passed on or named in a comment) is in the registry', () => {
  const unknown = occurrences(srcFiles(), CODE_TOKEN).filter((o) => !isErrorCode(o.code));
  assert.deepEqual(unknown.map((o) => `${o.code} at ${o.where}`), []);
});

test("every WyomingErrorCode value is in the registry (src/wyoming cannot import it, so the test ties them)", () => {
  const values: readonly ErrorCode[] = Object.values(WyomingErrorCode); // the compiler checks the same
  assert.deepEqual(values.filter((code) => !isErrorCode(code)), []);
});

test('every registry code is used somewhere in src/ (no dead codes)', () => {
  const files = srcFiles();
  const used = new Set(occurrences(files, CODE_LITERAL, 2).map((o) => o.code));
  // Protocol codes are thrown as WyomingErrorCode.KEY; their literal in wyoming/errors.ts does not count as a use.
  const wyomingErrors = path.join(SRC, 'wyoming', 'errors.ts');
  const text = files.filter((f) => f !== wyomingErrors).map((f) => readFileSync(f, 'utf8')).join('\n');
  for (const [key, code] of Object.entries(WyomingErrorCode)) {
    used.delete(code);
    if (new RegExp(`\\bWyomingErrorCode\\.${key}\\b`).test(text)) used.add(code);
  }
  assert.deepEqual(Object.keys(ERROR_CODES).filter((code) => !used.has(code)), []);
});

test('each entry has an HTTP error status and a non-empty message template', () => {
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    assert.match(code, /^(SAT|WY)_ERR_[A-Z0-9_]+$/);
    assert.ok(Number.isInteger(info.status) && info.status >= 400 && info.status <= 599, `${code}: status ${info.status}`);
    assert.ok(info.template.trim().length > 0, `${code}: empty template`);
    assert.doesNotMatch(errorTemplate(code as ErrorCode), /[{}]/, `${code}: a placeholder survives without values`);
  }
});

test('templates fill placeholders and serve errors built without a message', () => {
  assert.equal(errorTemplate('SAT_ERR_AUDIO_FORMAT', { detail: 'rate 3 Hz' }), 'audio format not supported: rate 3 Hz');
  assert.equal(errorTemplate('SAT_ERR_AUDIO_FORMAT'), 'audio format not supported');
  assert.equal(new SatelliteError('SAT_ERR_SHUTTING_DOWN').message, 'the daemon is shutting down');
  assert.equal(new SatelliteError('SAT_ERR_AUDIO_FORMAT', 'unsupported sample width 3').message, 'unsupported sample width 3');
  assert.equal(errorCode(new Error('plain'), 'SAT_ERR_TTS_ENGINE'), 'SAT_ERR_TTS_ENGINE');
  assert.equal(errorCode(Object.assign(new Error('fs'), { code: 'ENOENT' })), 'ENOENT');
  assert.equal(registeredErrorCode(Object.assign(new Error('fs'), { code: 'ENOENT' }), 'SAT_ERR_TTS_ENGINE'), 'SAT_ERR_TTS_ENGINE');
  assert.equal(registeredErrorCode(new SatelliteError('SAT_ERR_CANCELLED'), 'SAT_ERR_TTS_ENGINE'), 'SAT_ERR_CANCELLED');
});

test("the HTTP shim answers a daemon error with its registry status and keeps the envelope's code", () => {
  for (const code of ['SAT_ERR_TTS_TEXT_TOO_LONG', 'SAT_ERR_TTS_UNKNOWN_VOICE', 'SAT_ERR_MODEL_NOT_FOUND', 'SAT_ERR_UTTERANCE_TOO_LONG', 'SAT_ERR_MODEL_PENDING'] as const) {
    const error = toHttpError(new SatelliteError(code, 'specific message'), 1);
    assert.equal(error.status, ERROR_CODES[code].status, code);
    assert.deepEqual(error.body().error, { message: 'specific message', type: error.status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code });
  }
  const busy = toHttpError(new SatelliteError('SAT_ERR_ENGINE_BUSY', 'busy'), 7);
  assert.equal(busy.status, 429);
  assert.equal(busy.code, 'rate_limit_exceeded');
  assert.equal(busy.headers['Retry-After'], '7');
  const bug = toHttpError(new TypeError('x is undefined'), 1);
  assert.equal(bug.status, 500);
  assert.equal(bug.body().error.message, 'internal error: x is undefined');
  assert.equal(httpStatusOf('ENOENT'), 500);
});

test('the README error table is what the registry renders (regenerate with scripts/gen-config-docs)', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  assert.ok(readme.includes(renderErrorCodeTable()), 'README.md lacks the current table');
  assert.equal(withErrorCodeTable(readme), readme);
});

test('the README names only registered codes, in full or as …_SUFFIX', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const codes = Object.keys(ERROR_CODES);
  assert.deepEqual([...new Set(readme.match(CODE_TOKEN) ?? [])].filter((code) => !isErrorCode(code)), []);
  const suffixes = [...readme.matchAll(/…(_[A-Z0-9_]+)\b/g)].map((m) => m[1]!);
  assert.deepEqual(suffixes.filter((suffix) => !codes.some((code) => code.endsWith(suffix))), []);
});

test('merged synonyms are gone from src/, test/ and the README', () => {
  const self = path.join(REPO_ROOT, 'test', 'util', 'error-codes.test.ts');
  const files = [...tsFiles(SRC), ...tsFiles(path.join(REPO_ROOT, 'test')).filter((f) => f !== self)];
  const old = occurrences(files, CODE_TOKEN).filter((o) => o.code in MERGED);
  const readme = (readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8').match(CODE_TOKEN) ?? []).filter((code) => code in MERGED);
  assert.deepEqual([...old.map((o) => `${o.code} at ${o.where} (now ${MERGED[o.code]})`), ...readme], []);
  for (const kept of Object.values(MERGED)) assert.ok(isErrorCode(kept), kept);
});
