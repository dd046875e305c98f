/**
 * The direction of imports (design.md §2): cli/wiring → adapters → core → {wyoming,
 * engines/<kind>/<kind>.ts}; backend folders → native packages. Type-only imports count too: a
 * layer that names another's types depends on it just the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './helpers/system.js';

const SRC = path.join(REPO_ROOT, 'src');
const IO_MODULES = /^(node:)?(net|http|https|http2|dgram|child_process|tls)$|^(mqtt|bonjour-service|naudiodon|sherpa-onnx-node|onnxruntime-node|koffi|multicast-dns)$/;
const KINDS = ['asr', 'vad', 'tts', 'wake'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every import of a file, type-only ones included, with whether it is type-only. */
function imports(file: string): Array<{ spec: string; typeOnly: boolean }> {
  const text = readFileSync(file, 'utf8');
  const out: Array<{ spec: string; typeOnly: boolean }> = [];
  for (const m of text.matchAll(/(?:import|export)(\s+type)?\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    out.push({ spec: (m[2] ?? m[3] ?? m[4])!, typeOnly: m[1] !== undefined });
  }
  return out;
}

/** Resolved path of a relative import, relative to src/ (e.g. "engines/asr/vosk/vosk.js"). */
function target(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  return path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
}

/** A file inside a backend folder (engines/<kind>/<backend>/…) or the shared native runtime. */
function isBackend(rel: string): boolean {
  const parts = rel.split('/');
  if (parts[0] !== 'engines') return false;
  if (parts[1] === 'runtime') return true;
  return KINDS.includes(parts[1] ?? '') && parts.length > 3;
}

function offencesIn(layer: string, bad: (rel: string | undefined, spec: string) => boolean): string[] {
  const offences: string[] = [];
  for (const file of sourceFiles(path.join(SRC, layer))) {
    for (const { spec } of imports(file)) {
      if (bad(target(file, spec), spec)) offences.push(`${path.relative(REPO_ROOT, file)} → ${spec}`);
    }
  }
  return offences;
}

test('src/wyoming and src/core import no I/O, native package, engine backend, adapter or composition root, not even for types', () => {
  const outward = /^(adapters|wiring|cli|models)\b|^cli\.js$/;
  const offences = ['wyoming', 'core'].flatMap((layer) =>
    offencesIn(layer, (rel, spec) => IO_MODULES.test(spec) || (rel !== undefined && (isBackend(rel) || outward.test(rel)))),
  );
  assert.deepEqual(offences, []);
});

test('src/wyoming depends only on itself and zod', () => {
  const offences = offencesIn('wyoming', (rel, spec) => !(spec === 'zod' || spec === 'node:buffer' || (rel !== undefined && rel.startsWith('wyoming/'))));
  assert.deepEqual(offences, []);
});

test('engines never import adapters, core or the composition root', () => {
  const offences = offencesIn('engines', (rel) => rel !== undefined && /^(adapters|core|wiring|cli)\b/.test(rel));
  assert.deepEqual(offences, []);
});

test('adapters never import the composition root', () => {
  const offences = offencesIn('adapters', (rel) => rel !== undefined && /^(wiring|cli)\b/.test(rel));
  assert.deepEqual(offences, []);
});

test('only the composition root (wiring, cli) and engines/registry.ts name concrete engine backends', () => {
  const offences: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const rel = path.relative(SRC, file).split(path.sep).join('/');
    if (rel.startsWith('wiring/') || rel.startsWith('cli') || rel === 'engines/registry.ts') continue;
    const inBackend = isBackend(rel.replace(/\.ts$/, '.js'));
    for (const { spec } of imports(file)) {
      const to = target(file, spec);
      if (!to || !isBackend(to)) continue;
      // A backend may use its own folder and the shared runtime.
      const sameFolder = inBackend && path.dirname(to) === path.dirname(rel);
      if (sameFolder || (to.startsWith('engines/runtime/') && rel.startsWith('engines/'))) continue;
      offences.push(`${rel} → ${spec}`);
    }
  }
  assert.deepEqual(offences, []);
});
