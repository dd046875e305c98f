/** The microphone on an ALSA `file` capture device: format conversion, fixed chunks, reopening. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AlsaBackend } from '../../../src/adapters/audio/alsa-backend.js';
import type { DeviceStatus } from '../../../src/adapters/audio/backoff.js';
import { Microphone } from '../../../src/adapters/audio/microphone.js';
import { createLogger } from '../../../src/util/logger.js';
import { need } from '../../helpers/system.js';
import { hasAlsaUtils, makeFileDevices } from './alsa-file-devices.js';

const log = createLogger({ level: 'silent' });

function stereoSine(seconds: number, hz: number, rate: number): Buffer {
  const frames = Math.round(seconds * rate);
  const out = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(12000 * Math.sin((2 * Math.PI * hz * i) / rate));
    out.writeInt16LE(v, i * 4);
    out.writeInt16LE(v, i * 4 + 2);
  }
  return out;
}

function crossings(pcm: Buffer): number {
  let n = 0;
  for (let i = 2; i + 1 < pcm.length; i += 2) if (pcm.readInt16LE(i - 2) < 0 !== pcm.readInt16LE(i) < 0) n++;
  return n;
}

describe('microphone', () => {
  const devices = makeFileDevices(stereoSine(1, 440, 48000), { mic: 'stereomic', speaker: 'unusedspk' });
  after(() => devices.cleanup());

  test('a 48 kHz stereo device becomes 16 kHz mono chunks of the configured size', async (t) => {
    if (!need(t, hasAlsaUtils(), 'alsa-utils is needed')) return;
    const mic = new Microphone({
      backend: new AlsaBackend(devices.config),
      device: 'stereomic',
      format: { rate: 48000, width: 2, channels: 2 },
      samplesPerChunk: 512,
      gain: 1,
      pace: false,
      reopenInitialMs: 100,
      reopenMaxMs: 200,
      log,
    });
    const chunks: Buffer[] = [];
    const statuses: string[] = [];
    mic.onChunk = (c) => chunks.push(c);
    mic.onStatus = (s) => statuses.push(s.state);
    mic.start();
    const deadline = Date.now() + 5_000;
    while (chunks.length < 31 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await mic.stop();
    assert.ok(chunks.length >= 31);
    assert.ok(chunks.every((c) => c.length === 1024), 'every chunk is 512 samples of 16-bit audio');
    const second = Buffer.concat(chunks.slice(0, 31)); // 0.99 s at 16 kHz
    const n = crossings(second);
    assert.ok(n > 850 && n < 890, `a 440 Hz tone stays 440 Hz (${n} zero crossings)`);
    assert.deepEqual(statuses.slice(0, 2), ['opening', 'running']);
    assert.equal(statuses.at(-1), 'stopped');
  });

  test('a device that is not there is retried with growing waits and reported as failed', async (t) => {
    if (!need(t, hasAlsaUtils(), 'alsa-utils is needed')) return;
    const mic = new Microphone({
      backend: new AlsaBackend(devices.config),
      device: 'absent_mic',
      format: { rate: 16000, width: 2, channels: 1 },
      samplesPerChunk: 1024,
      gain: 1,
      pace: true,
      reopenInitialMs: 50,
      reopenMaxMs: 200,
      log,
    });
    const failures: Array<Extract<DeviceStatus, { state: 'failed' }>> = [];
    mic.onStatus = (s) => {
      if (s.state === 'failed') failures.push(s);
    };
    mic.start();
    const deadline = Date.now() + 5_000;
    while (failures.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await mic.stop();
    assert.deepEqual(
      failures.slice(0, 4).map((f) => f.retryInMs),
      [50, 100, 200, 200],
    );
    assert.match(failures[0]!.error, /absent_mic/);
  });
});
