import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { need, sharedModel } from '../helpers/system.js';
import { WyomingTestClient } from '../helpers/wyoming-client.js';
import { hasModel } from '../engines/wake/wake-helpers.js';

/** Native libraries the daemon must not map before a model or device needs them. */
const NATIVE = ['onnxruntime', 'sherpa-onnx', 'naudiodon', 'koffi'];
const FORMAT = { rate: 16_000, width: 2, channels: 1 };
const HOP_BYTES = 2_560;

function modelsDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'satellite-lazy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(sharedModel('openwakeword'), path.join(dir, 'openwakeword'));
  symlinkSync(sharedModel('silero-vad'), path.join(dir, 'silero-vad'));
  return dir;
}

/** The native libraries (of {@link NATIVE}) mapped into the process now. */
function mappedNative(pid: number): string[] {
  const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
  return NATIVE.filter((name) => maps.includes(name));
}

async function describe(port: number): Promise<string[]> {
  const client = await WyomingTestClient.connect(port);
  try {
    client.send('describe', {});
    const info = await client.waitFor((f) => f.type === 'info');
    const wake = (info.data['wake'] ?? []) as Array<{ models: Array<{ name: string }> }>;
    return wake.flatMap((w) => w.models.map((m) => m.name));
  } finally {
    client.close();
  }
}

const haveModels = () => hasModel(sharedModel('openwakeword')) && hasModel(sharedModel('silero-vad'));

test('after describe no native runtime is loaded; the first wake stream loads onnxruntime', async (t) => {
  if (!need(t, haveModels(), 'shared openwakeword / silero-vad models missing')) return;
  const daemon = DaemonProcess.start({ config: { models_dir: modelsDir(t) } });
  t.after(() => daemon.stop());
  const { provider } = await daemon.ports();
  assert.ok((await describe(provider!)).includes('alexa'), 'the wake words are offered');
  assert.deepEqual(mappedNative(daemon.child.pid!), [], 'nothing native is mapped while no model was used');

  const client = await WyomingTestClient.connect(provider!);
  t.after(() => client.close());
  client.send('detect', { names: ['alexa'] });
  client.send('audio-start', FORMAT);
  client.send('audio-chunk', FORMAT, Buffer.alloc(HOP_BYTES * 4));
  client.send('audio-stop', {});
  await client.waitFor((f) => f.type === 'not-detected', 30_000);
  assert.deepEqual(mappedNative(daemon.child.pid!), ['onnxruntime'], 'the wake stream loaded onnxruntime and nothing else');
});

test('with preload the endpoints serve first and the models load after', async (t) => {
  if (!need(t, haveModels(), 'shared openwakeword / silero-vad models missing')) return;
  const daemon = DaemonProcess.start({ config: { models_dir: modelsDir(t), wake: { runtime: { preload: true } } } });
  t.after(() => daemon.stop());
  const { provider } = await daemon.ports();
  assert.ok((await describe(provider!)).includes('alexa'));
  const loaded = await daemon.waitForLog((l) => l.msg === 'openWakeWord front end loaded', 30_000);
  const ready = daemon.lines.findIndex((l) => l.msg === 'ready');
  assert.ok(ready >= 0 && daemon.lines.indexOf(loaded) > ready, 'the wake models loaded after the daemon was ready');
  assert.deepEqual(mappedNative(daemon.child.pid!), ['onnxruntime']);
});
