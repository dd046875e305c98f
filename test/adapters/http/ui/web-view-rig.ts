/**
 * The whole daemon for the web view's end-to-end test: the real satellite on ALSA file devices
 * (the shared openWakeWord models), a fake Home Assistant on its Wyoming endpoint, a real
 * mosquitto with a probe on the satellite's topics, espeak-ng for speech, and the HTTP shim with
 * the web view and an API key. The model catalogue holds one test model whose files a loopback
 * mirror serves (the shared streaming zipformer), held back at one file so a pull can be watched.
 */
import path from 'node:path';
import { startTestDaemon, type TestDaemon } from '../../../helpers/daemon.js';
import { hasCommand, sharedModel } from '../../../helpers/system.js';
import { makeFileDevices, type FileDevices } from '../../audio/alsa-file-devices.js';
import { Broker, MOSQUITTO, MqttProbe } from '../../mqtt/broker.js';
import { haveSatelliteParts, satelliteConfig } from '../../satellite/wyoming-satellite-fixtures.js';
import { FakeHomeAssistant } from '../../satellite/wyoming-satellite-ha.js';
import { MirrorServer } from '../../../models/mirror-server.js';
import { KWS_FOLDER, removeDir, tempDir, writeCatalogue, ZIPFORMER_FILES, zipformerEntry, zipformerUrl } from '../../../models/fixtures.js';
import { haveChromium } from './headless-chromium.js';

export const API_KEY = 'web-view-test-key';
export const PULL_ID = 'test-zipformer-nc';
const REPO = 'web-view-zipformer';
/** The file the mirror holds back until the test releases it. */
export const HELD_FILE = ZIPFORMER_FILES[2]!;

export const RIG_PARTS = 'chromium, mosquitto, espeak-ng, alsa-utils and the shared openWakeWord models are needed';
export const rigReady = () => haveChromium && MOSQUITTO !== null && hasCommand('espeak-ng') && haveSatelliteParts();

export interface WebRig {
  daemon: TestDaemon;
  url: string;
  broker: Broker;
  probe: MqttProbe;
  ha: FakeHomeAssistant;
  mirror: MirrorServer;
  devices: FileDevices;
  /** `speech-satellite/<name>` */
  base: string;
  releasePull(): void;
  stop(): Promise<void>;
}

export async function startWebRig(name: string, mic: Buffer): Promise<WebRig> {
  const dir = tempDir('web-view');
  const mirror = await new MirrorServer().start();
  let releasePull!: () => void;
  const hold = new Promise<void>((resolve) => (releasePull = resolve));
  for (const f of ZIPFORMER_FILES) mirror.route(zipformerUrl(REPO, f), { file: sharedModel(KWS_FOLDER, f), ...(f === HELD_FILE ? { hold } : {}) });
  // Marked non-commercial so the page must warn before it pulls.
  const catalogue = writeCatalogue(dir, [{ ...zipformerEntry(PULL_ID, REPO), licence: 'CC-BY-NC-4.0', flags: ['non-commercial'], description: 'test recogniser' }]);
  const broker = await Broker.start();
  const devices = makeFileDevices(mic, { mic: `wv${name}mic`, speaker: `wv${name}spk` });
  const daemon = await startTestDaemon({
    ...satelliteConfig(devices),
    name,
    models_dir: path.join(dir, 'models'),
    models: { auto_pull: false, catalogues: [catalogue], mirrors: mirror.mirrors(), retries: 0, retry_base_ms: 10 },
    tts: { espeak: { voices: ['en-us'] } },
    mqtt: { url: broker.url },
    http: { enabled: true, host: '127.0.0.1', port: 0, api_key: API_KEY },
  });
  const base = `speech-satellite/${name}`;
  const probe = await MqttProbe.connect(broker.url, [`${base}/#`]);
  const ha = await FakeHomeAssistant.connect(daemon.satellitePort!);
  return {
    daemon,
    url: `http://127.0.0.1:${daemon.context.endpoints.http!.port}/`,
    broker,
    probe,
    ha,
    mirror,
    devices,
    base,
    releasePull,
    stop: async () => {
      releasePull();
      ha.close();
      await probe.close();
      await daemon.stop();
      await broker.stop();
      await mirror.close();
      devices.cleanup();
      removeDir(dir);
    },
  };
}
