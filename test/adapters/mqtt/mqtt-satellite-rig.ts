/** The real satellite (ALSA file devices, the shared openWakeWord models) with a real mosquitto, a probe on its topics and a fake HA. */
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { makeFileDevices, type FileDevices } from '../audio/alsa-file-devices.js';
import { addPacedSpeaker, haveSatelliteParts, satelliteConfig } from '../satellite/wyoming-satellite-fixtures.js';
import { FakeHomeAssistant } from '../satellite/wyoming-satellite-ha.js';
import { Broker, MOSQUITTO, MqttProbe } from './broker.js';

export type StateDoc = Record<string, any>;

export const RIG_PARTS = 'mosquitto, alsa-utils and the shared openWakeWord models are needed';
export const rigReady = () => MOSQUITTO !== null && haveSatelliteParts();

/** A 16 kHz speaker takes this many bytes a second. */
const SPEAKER_BYTES_PER_SECOND = 32_000;

export interface Rig {
  broker: Broker;
  devices: FileDevices;
  daemon: TestDaemon;
  probe: MqttProbe;
  ha: FakeHomeAssistant;
  base: string;
  /** The next state document (after `from`) that satisfies `check`. */
  state(check: (doc: StateDoc) => boolean, from?: number, timeoutMs?: number): Promise<StateDoc>;
  command(topic: string, payload: string): Promise<StateDoc>;
}

export interface RigOptions {
  /** Playback takes as long as the audio, as on a sound card (the file device alone takes it at once). */
  pacedSpeaker?: boolean;
  /** No capture device at all: the satellite starts without its microphone and keeps retrying. */
  micMissing?: boolean;
  /** Also serve the provider endpoint (on 127.0.0.1, a free port). */
  provider?: boolean;
}

export async function startRig(name: string, mic: Buffer, options: RigOptions = {}): Promise<Rig> {
  const broker = await Broker.start();
  const devices = makeFileDevices(mic, { mic: `mq${name}mic`, speaker: `mq${name}spk` });
  if (options.micMissing) devices.rewrite({ withMic: false });
  const speaker = options.pacedSpeaker ? { speaker: { device: addPacedSpeaker(devices, SPEAKER_BYTES_PER_SECOND) } } : {};
  const audio = options.micMissing ? { audio: { reopen_initial_s: 0.2, reopen_max_s: 0.5 } } : {};
  const config = satelliteConfig(devices, { ...speaker, ...audio });
  if (options.provider) config['provider'] = { enabled: true, host: '127.0.0.1', port: 0 };
  const daemon = await startTestDaemon({ ...config, name, mqtt: { url: broker.url } });
  const base = `speech-satellite/${name}`;
  const probe = await MqttProbe.connect(broker.url, [`${base}/#`, 'homeassistant/#']);
  const ha = await FakeHomeAssistant.connect(daemon.satellitePort!);
  const state = async (check: (doc: StateDoc) => boolean, from = 0, timeoutMs = 15_000) => {
    const m = await probe.waitFor((x) => x.topic === `${base}/state` && check(JSON.parse(x.text) as StateDoc), from, timeoutMs, 'a matching state');
    return JSON.parse(m.text) as StateDoc;
  };
  const command = async (topic: string, payload: string) => {
    const mark = probe.mark();
    await probe.publish(`${base}/${topic}`, payload);
    const reply = await probe.waitFor((m) => m.topic === `${base}/response`, mark, 15_000, `response to ${topic}`);
    return JSON.parse(reply.text) as StateDoc;
  };
  return { broker, devices, daemon, probe, ha, base, state, command };
}

export async function stopRig(rig: Rig | undefined): Promise<void> {
  if (!rig) return;
  rig.ha.close();
  await rig.probe.close();
  await rig.daemon.stop();
  await rig.broker.stop();
  rig.devices.cleanup();
}
