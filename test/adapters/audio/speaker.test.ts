/** The speaker on an ALSA `file` playback device: one stream after another, volume, abort. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AlsaBackend } from '../../../src/adapters/audio/alsa-backend.js';
import { Speaker } from '../../../src/adapters/audio/speaker.js';
import { createLogger } from '../../../src/util/logger.js';
import { need } from '../../helpers/system.js';
import { hasAlsaUtils, makeFileDevices, silence } from './alsa-file-devices.js';

const log = createLogger({ level: 'silent' });
const FORMAT = { rate: 16000, width: 2, channels: 1 };

describe('speaker', () => {
  const devices = makeFileDevices(silence(0.1), { mic: 'unusedmic', speaker: 'seqspk' });
  after(() => devices.cleanup());
  const speaker = () => new Speaker({ backend: new AlsaBackend(devices.config), device: 'seqspk', format: FORMAT, volume: 100, reopenInitialMs: 100, reopenMaxMs: 200, log });

  test('streams play one after another in the order they were opened, even when written out of order', async (t) => {
    if (!need(t, hasAlsaUtils(), 'alsa-utils is needed')) return;
    const s = speaker();
    const a = s.open();
    const b = s.open();
    b.write(Buffer.alloc(3200, 0x22), FORMAT);
    b.end();
    a.write(Buffer.alloc(3200, 0x11), FORMAT);
    a.end();
    await Promise.all([a.done, b.done]);
    const played = devices.played();
    const at = played.indexOf(Buffer.alloc(3200, 0x11));
    assert.ok(at >= 0 && played.indexOf(Buffer.alloc(3200, 0x22)) > at);
  });

  test('the volume scales what is played from then on', async (t) => {
    if (!need(t, hasAlsaUtils(), 'alsa-utils is needed')) return;
    const s = speaker();
    s.volume = 50;
    const loud = Buffer.alloc(3200);
    for (let i = 0; i < 1600; i++) loud.writeInt16LE(20000, i * 2);
    const before = devices.played().length;
    await s.play(loud, FORMAT).done;
    const added = devices.played().subarray(before);
    assert.equal(added.readInt16LE(0), 5000);
    assert.equal(s.volume, 50);
  });

  test('an aborted stream stops and the next one still plays', async (t) => {
    if (!need(t, hasAlsaUtils(), 'alsa-utils is needed')) return;
    const s = speaker();
    const aborted = s.open();
    aborted.write(Buffer.alloc(3200, 0x33), FORMAT);
    aborted.abort();
    const next = s.play(Buffer.alloc(3200, 0x44), FORMAT);
    await aborted.done;
    await next.done;
    assert.ok(!devices.played().includes(Buffer.alloc(3200, 0x33)), 'nothing of the aborted stream was played');
    assert.ok(devices.played().includes(Buffer.alloc(3200, 0x44)));
  });
});
