/** `satellite devices` lists the capture and playback devices. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { need } from '../../helpers/system.js';
import { hasAlsaUtils, makeFileDevices, silence } from './alsa-file-devices.js';

const CLI = fileURLToPath(new URL('../../../src/cli.js', import.meta.url));
const devices = makeFileDevices(silence(0.1), { mic: 'listmic', speaker: 'listspk' });
after(() => devices.cleanup());

test('satellite devices lists inputs and outputs, including devices of audio.alsa_config', (t) => {
  if (!need(t, hasAlsaUtils(), 'alsa-utils is needed')) return;
  const r = spawnSync(process.execPath, [CLI, 'devices', '--json', '--backend', 'alsa', '--set', `audio.alsa_config=${devices.config}`], {
    encoding: 'utf8',
    cwd: os.tmpdir(),
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { backends: Array<{ backend: string; inputs: Array<{ id: string }>; outputs: Array<{ id: string }> }> };
  const alsa = out.backends.find((b) => b.backend === 'alsa')!;
  assert.ok(alsa.inputs.some((d) => d.id === 'listmic'));
  assert.ok(alsa.outputs.some((d) => d.id === 'listspk'));

  const text = spawnSync(process.execPath, [CLI, 'devices', '--backend', 'alsa', '--set', `audio.alsa_config=${devices.config}`], { encoding: 'utf8', cwd: os.tmpdir() });
  assert.equal(text.status, 0);
  assert.match(text.stdout, /inputs \(audio\.mic\.device\):[\s\S]*listmic/);
});

/** A preload that makes `require('naudiodon')` fail as it does when npm left the package out. */
function hideNaudiodon(): string {
  const file = path.join(devices.dir, 'hide-naudiodon.cjs');
  writeFileSync(
    file,
    `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'naudiodon') throw Object.assign(new Error("Cannot find module 'naudiodon'"), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};
`,
  );
  return file;
}

test('satellite devices says which backend the configured mic and speaker use and why the other is not', (t) => {
  if (!need(t, hasAlsaUtils(), 'alsa-utils is needed')) return;
  const set = ['--set', `audio.alsa_config=${devices.config}`, '--set', `audio.mic.device=${devices.mic}`, '--set', 'audio.mic.pace=true', '--set', 'audio.speaker.device=plughw:CARD=nosuch,DEV=0'];
  const r = spawnSync(process.execPath, ['--require', hideNaudiodon(), CLI, 'devices', ...set], { encoding: 'utf8', cwd: os.tmpdir() });
  assert.equal(r.status, 0, r.stderr);
  const reason =
    process.arch === 'arm64'
      ? 'naudiodon is not installed: its bundled PortAudio exists for x86_64 and 32-bit ARM only'
      : 'naudiodon is not installed: npm leaves this optional package out when it cannot compile it (install build-essential and python3, then run npm ci again)';
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'audio.backend: auto');
  assert.equal(lines[1], `  microphone "listmic": arecord/aplay (ALSA); PortAudio is not used: audio.mic.pace is on, which only arecord can do`);
  assert.ok(lines[2]!.startsWith(`  speaker "plughw:CARD=nosuch,DEV=0": arecord/aplay (ALSA); PortAudio is not used: ${reason}`), lines[2]);
  assert.match(r.stdout, /^note: PortAudio cannot be listed: naudiodon is not installed/m);

  const json = spawnSync(process.execPath, ['--require', hideNaudiodon(), CLI, 'devices', '--json', ...set], { encoding: 'utf8', cwd: os.tmpdir() });
  const out = JSON.parse(json.stdout) as { selected: Array<{ role: string; backend: string; why: string }> };
  assert.deepEqual(
    out.selected.map((s) => [s.role, s.backend]),
    [
      ['microphone', 'alsa'],
      ['speaker', 'alsa'],
    ],
  );
  assert.ok(out.selected[1]!.why.includes('naudiodon is not installed'));
});
