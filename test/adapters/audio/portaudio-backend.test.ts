/** The PortAudio backend (naudiodon) on ALSA `file` devices, which PortAudio lists like any other. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { portAudioBackend } from '../../../src/adapters/audio/choose-backend.js';
import { PortAudioBackend } from '../../../src/adapters/audio/portaudio-backend.js';
import { need } from '../../helpers/system.js';
import { hasAlsaUtils, makeFileDevices } from './alsa-file-devices.js';

const FORMAT = { rate: 16000, width: 2, channels: 1 };

function ramp(samples: number): Buffer {
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) out.writeInt16LE(((i * 53) % 30000) - 15000, i * 2);
  return out;
}

describe('PortAudio backend (naudiodon)', () => {
  const micPcm = ramp(8000);
  const devices = makeFileDevices(micPcm, { mic: 'pamic', speaker: 'paspk' });
  after(() => devices.cleanup());
  const loaded = hasAlsaUtils() ? portAudioBackend(devices.config) : { error: 'no ALSA' };
  const backend = loaded instanceof PortAudioBackend ? loaded : undefined;

  test('lists the ALSA devices of the extra configuration', async (t) => {
    if (!need(t, backend !== undefined, `naudiodon must load (${'error' in loaded ? loaded.error : ''})`)) return;
    const list = await backend!.listDevices();
    assert.ok(list.inputs.some((d) => d.id === 'pamic'));
    assert.ok(list.outputs.some((d) => d.id === 'paspk'));
    assert.ok(backend!.resolve('pamic', 'input') !== undefined);
    assert.equal(backend!.resolve('no-such-device', 'input'), undefined);
  });

  test('capture delivers what the device reads', async (t) => {
    if (!need(t, backend !== undefined, 'naudiodon must load')) return;
    const received: Buffer[] = [];
    const handle = await backend!.openCapture({ device: 'pamic', format: FORMAT }, { onData: (b) => received.push(b), onError: () => undefined });
    const deadline = Date.now() + 5_000;
    while (Buffer.concat(received).length < 4000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await handle.close();
    const got = Buffer.concat(received);
    assert.ok(got.length >= 4000, `got ${got.length} bytes`);
    assert.deepEqual(got.subarray(0, 4000), micPcm.subarray(0, 4000));
  });

  test('playback writes what it is given', async (t) => {
    if (!need(t, backend !== undefined, 'naudiodon must load')) return;
    const handle = await backend!.openPlayback({ device: 'paspk', format: FORMAT });
    const pcm = ramp(4000);
    await handle.write(pcm);
    await handle.finish();
    assert.ok(devices.played().includes(pcm.subarray(0, 4000)), `the device file holds the audio (${devices.played().length} bytes)`);
  });

  test('an unknown device is refused with a coded error', async (t) => {
    if (!need(t, backend !== undefined, 'naudiodon must load')) return;
    await assert.rejects(backend!.openPlayback({ device: 'no-such-device', format: FORMAT }), (err: Error & { code?: string }) => err.code === 'SAT_ERR_AUDIO_DEVICE');
  });
});
