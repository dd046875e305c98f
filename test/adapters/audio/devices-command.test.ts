/** `satellite devices` lists the capture and playback devices. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
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
