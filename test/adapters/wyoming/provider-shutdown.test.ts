/**
 * SIGINT / SIGTERM while Wyoming requests run, against the real daemon in a child process: a peer
 * whose request cannot finish within the drain window is told why (`error SAT_ERR_SHUTTING_DOWN`)
 * before its connection closes, one that finishes gets its answer, and the daemon exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonProcess } from '../../helpers/daemon-process.js';
import { need, sharedModel } from '../../helpers/system.js';
import { WyomingTestClient, sendAudio } from '../../helpers/wyoming-client.js';
import { ZIPFORMER, clipAs, hasZipformer } from '../../helpers/stt-fixtures.js';

const MONO16 = { rate: 16_000, width: 2, channels: 1 };

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during Wyoming requests: an unfinished stream gets a coded error before the close, a finishing one its transcript`, async (t) => {
    if (!need(t, hasZipformer(), 'shared zipformer model missing')) return;
    const daemon = DaemonProcess.start({ config: { models_dir: sharedModel(), stt: { default_model: ZIPFORMER } } });
    try {
      const { provider } = await daemon.ports();
      const pcm = clipAs('piper-this-is-a-test.wav', 16_000, 1).pcm;
      // A stream left open: its peer is still "speaking" when the signal comes.
      const open = await WyomingTestClient.connect(provider!);
      open.send('transcribe', {});
      sendAudio(open, pcm, MONO16, 100, false);
      // A stream that ends right after the signal, inside the drain window.
      const ending = await WyomingTestClient.connect(provider!);
      ending.send('transcribe', {});
      sendAudio(ending, pcm, MONO16, 100, false);
      await new Promise((r) => setTimeout(r, 300));
      const exited = daemon.stop(signal);
      await new Promise((r) => setTimeout(r, 100));
      ending.send('audio-stop', { timestamp: null });
      await open.waitClosed(15_000);
      await ending.waitClosed(15_000);
      assert.deepEqual(open.frames.filter((f) => f.type === 'error').map((f) => f.data['code']), ['SAT_ERR_SHUTTING_DOWN']);
      assert.equal(open.frames.at(-1)?.type, 'error');
      assert.match(String(ending.frames.find((f) => f.type === 'transcript')?.data['text']), /TEST/i);
      assert.deepEqual(await exited, { code: 0, signal: null });
    } finally {
      await daemon.stop('SIGKILL');
    }
  });
}
