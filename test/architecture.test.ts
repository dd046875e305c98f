import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './helpers/system.js';

const SRC = path.join(REPO_ROOT, 'src');
const IO_MODULES = /^(node:)?(net|http|https|http2|dgram|child_process|tls)$|^(mqtt|bonjour-service|naudiodon|sherpa-onnx-node|onnxruntime-node|koffi|multicast-dns)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Runtime imports of a file (type-only imports vanish at compile time and are left out). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)(\s+type)?\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    if (m[1]) continue;
    out.push((m[2] ?? m[3] ?? m[4])!);
  }
  return out;
}

/** Resolved path of a relative import, relative to src/ (e.g. "engines/asr/whisper.js"). */
function target(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  return path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
}

/** engines/<kind>/<kind>.js and engines/types.js etc. are interfaces; other engine files are backends. */
function isBackend(rel: string): boolean {
  const m = /^engines\/([a-z-]+)\/([a-z0-9-]+)\.js$/.exec(rel);
  return m !== null && m[1] !== m[2];
}

test('src/wyoming and src/core import no I/O, native package or engine backend', () => {
  const offences: string[] = [];
  for (const layer of ['wyoming', 'core']) {
    for (const file of sourceFiles(path.join(SRC, layer))) {
      for (const spec of imports(file)) {
        const rel = target(file, spec);
        if (IO_MODULES.test(spec) || (rel && isBackend(rel))) offences.push(`${path.relative(REPO_ROOT, file)} → ${spec}`);
      }
    }
  }
  assert.deepEqual(offences, []);
});

test('src/wyoming depends only on itself and zod', () => {
  const offences: string[] = [];
  for (const file of sourceFiles(path.join(SRC, 'wyoming'))) {
    for (const spec of imports(file)) {
      const rel = target(file, spec);
      const ok = spec === 'zod' || spec === 'node:buffer' || (rel !== undefined && rel.startsWith('wyoming/'));
      if (!ok) offences.push(`${path.relative(REPO_ROOT, file)} → ${spec}`);
    }
  }
  assert.deepEqual(offences, []);
});

test('only the composition root (main, cli, wiring) names concrete engine backends', () => {
  const offences: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const rel = path.relative(SRC, file).split(path.sep).join('/');
    if (rel.startsWith('engines/') || rel.startsWith('wiring/') || rel.startsWith('cli') || rel === 'main.ts') continue;
    for (const spec of imports(file)) {
      const to = target(file, spec);
      if (to && isBackend(to)) offences.push(`${rel} → ${spec}`);
    }
  }
  assert.deepEqual(offences, []);
});
