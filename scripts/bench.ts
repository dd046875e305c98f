/**
 * `npm run bench`: runs every benchmark module in scripts/bench/ (or those named on the command
 * line), prints one table and writes the figures to bench-results.json.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench, BenchResult } from './bench/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const modules = readdirSync(path.join(here, 'bench'))
  .filter((f) => f.endsWith('.js') && f !== 'types.js')
  .map((f) => f.replace(/\.js$/, ''))
  .filter((name) => only.length === 0 || only.includes(name));

const all: Array<BenchResult & { suite: string }> = [];
for (const name of modules) {
  const mod = (await import(pathToFileURL(path.join(here, 'bench', `${name}.js`)).href)) as { bench?: Bench };
  if (typeof mod.bench !== 'function') continue;
  process.stderr.write(`running ${name}…\n`);
  try {
    for (const r of await mod.bench()) all.push({ suite: name, ...r });
  } catch (err) {
    all.push({ suite: name, name: 'failed', value: NaN, unit: '', note: err instanceof Error ? err.message : String(err), pass: false });
  }
}

const rows = all.map((r) => [
  r.suite,
  r.name,
  Number.isFinite(r.value) ? String(r.value) : '—',
  r.unit,
  r.target ?? '',
  r.pass === undefined ? '' : r.pass ? 'ok' : 'MISS',
  r.note ?? '',
]);
const header = ['suite', 'measure', 'value', 'unit', 'target', '', 'note'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
process.stdout.write(`${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);

const out = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', node: process.version, arch: process.arch },
  results: all,
};
writeFileSync('bench-results.json', `${JSON.stringify(out, null, 2)}\n`);
process.stdout.write('wrote bench-results.json\n');
process.exit(0);
