/** The arecord/aplay backend on ALSA `file` devices: real child processes, no sound card. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AlsaBackend } from '../../../src/adapters/audio/alsa-backend.js';
import { parseAlsaList } from '../../../src/adapters/audio/alsa-devices.js';
import { alsaEnv, SYSTEM_ALSA_CONFIG } from '../../../src/adapters/audio/alsa-process.js';
import { need } from '../../helpers/system.js';
import { hasAlsaUtils, makeFileDevices } from './alsa-file-devices.js';

const FORMAT = { rate: 16000, width: 2, channels: 1 };

function ramp(samples: number): Buffer {
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) out.writeInt16LE(((i * 37) % 20000) - 10000, i * 2);
  return out;
}

describe('ALSA backend (arecord/aplay)', () => {
  const micPcm = ramp(16000);
  const devices = makeFileDevices(micPcm);
  const backend = new AlsaBackend(devices.config);
  after(() => devices.cleanup());

  test('capture delivers what the capture device reads, byte for byte', async (t) => {
    if (!need(t, hasAlsaUtils(), 'alsa-utils (arecord, aplay) is needed')) return;
    const received: Buffer[] = [];
    let error: Error | undefined;
    const handle = await backend.openCapture({ device: devices.mic, format: FORMAT }, { onData: (b) => received.push(b), onError: (e) => (error = e) });
    const deadline = Date.now() + 5_000;
    while (Buffer.concat(received).length < micPcm.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await handle.close();
    assert.equal(error, undefined);
    assert.deepEqual(Buffer.concat(received).subarray(0, micPcm.length), micPcm);
  });

  test('playback writes what it is given and finishes when the program has', async (t) => {
    if (!need(t, hasAlsaUtils(), 'alsa-utils (arecord, aplay) is needed')) return;
    const handle = await backend.openPlayback({ device: devices.speaker, format: FORMAT });
    const pcm = ramp(8000);
    await handle.write(pcm.subarray(0, 7000));
    await handle.write(pcm.subarray(7000));
    await handle.finish();
    assert.ok(devices.played().subarray(0, pcm.length).equals(pcm));
  });

  test('a capture device that does not exist reports a coded error with the reason', async (t) => {
    if (!need(t, hasAlsaUtils(), 'alsa-utils (arecord, aplay) is needed')) return;
    const failed = new Promise<Error>((resolve) => {
      void backend.openCapture({ device: 'no_such_device', format: FORMAT }, { onData: () => undefined, onError: resolve });
    });
    const err = (await failed) as Error & { code?: string };
    assert.equal(err.code, 'SAT_ERR_AUDIO_DEVICE');
    assert.match(err.message, /no_such_device/);
  });

  test('a playback device that does not exist makes finish() fail with a coded error', async (t) => {
    if (!need(t, hasAlsaUtils(), 'alsa-utils (arecord, aplay) is needed')) return;
    const handle = await backend.openPlayback({ device: 'no_such_device', format: FORMAT });
    await handle.write(ramp(1000));
    await assert.rejects(handle.finish(), (err: Error & { code?: string }) => err.code === 'SAT_ERR_AUDIO_DEVICE' && /no_such_device/.test(err.message));
  });

  test('the device list includes devices from the extra configuration', async (t) => {
    if (!need(t, hasAlsaUtils(), 'alsa-utils (arecord, aplay) is needed')) return;
    const list = await backend.listDevices();
    assert.ok(list.inputs.some((d) => d.id === devices.mic && /test microphone/.test(d.description)));
    assert.ok(list.outputs.some((d) => d.id === devices.speaker && /test speaker/.test(d.description)));
  });
});

describe('ALSA helpers', () => {
  test('`-L` output is parsed into ids and descriptions', () => {
    const text = 'null\n    Discard all samples\ndefault\n    Default ALSA Output\nplughw:CARD=seeed2micvoicec,DEV=0\n    seeed-2mic-voicecard, bcm2835-i2s-wm8960-hifi wm8960-hifi-0\n    Hardware device with all software conversions\n';
    assert.deepEqual(parseAlsaList(text), [
      { id: 'null', description: 'Discard all samples' },
      { id: 'default', description: 'Default ALSA Output' },
      { id: 'plughw:CARD=seeed2micvoicec,DEV=0', description: 'seeed-2mic-voicecard, bcm2835-i2s-wm8960-hifi wm8960-hifi-0 — Hardware device with all software conversions' },
    ]);
  });

  test('an extra configuration is read after the system one', () => {
    assert.equal(alsaEnv('/tmp/x.conf', {})['ALSA_CONFIG_PATH'], `${SYSTEM_ALSA_CONFIG}:/tmp/x.conf`);
    assert.equal(alsaEnv('/tmp/x.conf', { ALSA_CONFIG_PATH: '/a.conf' })['ALSA_CONFIG_PATH'], '/a.conf:/tmp/x.conf');
    assert.deepEqual(alsaEnv(null, { A: '1' }), { A: '1' });
  });
});
