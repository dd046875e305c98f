/**
 * The provider endpoint under a bounded TCP fuzz run (random and mutated frames over many
 * short-lived connections from several loopback peers) while the reference `wyoming` library,
 * playing Home Assistant, keeps doing describe, transcribe and synthesize. Replay a failure with
 * the printed seed: SATELLITE_FUZZ_SEED=<seed>.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { hasCommand, need, sharedModel } from '../../helpers/system.js';
import { ZIPFORMER, hasZipformer } from '../../helpers/stt-fixtures.js';
import { referenceClips } from '../../helpers/clips.js';
import { referencePython, referencePythonReason } from '../../helpers/python-peers.js';
import { ReferenceRounds, roundProblems, type RoundResult } from '../../helpers/reference-rounds.js';
import { loopbackPeers, runTcpFuzz, type TcpFuzzStats } from '../../helpers/wyoming-fuzz-tcp.js';
import { seedFrom } from '../../helpers/seeded-random.js';
import { hasProcNetTcp, heldConnections } from '../../helpers/tcp-sockets.js';
import { hasModel } from '../../engines/wake/wake-helpers.js';

const FUZZ_FRAMES = 4_000;
const FUZZ_LANES = 12;
/** Fuzz connections come from these loopback peers; the reference client uses 127.0.0.1. */
const FUZZ_PEERS = loopbackPeers(2, 8);
/** The run stops here even with frames left, so the test stays well under a minute. */
const FUZZ_MAX_MS = 35_000;
/** Reference rounds that must overlap the fuzz run. */
const MIN_ROUNDS = 3;
const CLIP = 'librispeech-1089-134691-0001.wav';
const VOICE = 'espeak-ng-en-us';
const WER_LIMIT = 0.2;
/** How long leftovers may take to drain once every fuzz connection is closed. */
const DRAIN_TIMEOUT_MS = 15_000;
/** Fewer connections than this means the fuzzer never really ran. */
const MIN_CONNECTIONS = 200;

const hasOww = () => hasModel(sharedModel('openwakeword'));
const ready = () => hasZipformer() && hasOww() && hasCommand('espeak-ng') && hasProcNetTcp() && referencePython() !== undefined;

function espeakChildren(): number {
  const out = spawnSync('pgrep', ['-P', String(process.pid), '-x', 'espeak-ng'], { encoding: 'utf8' });
  return out.stdout.split('\n').filter(Boolean).length;
}

/** Streams, sessions and connections the daemon still holds. */
function leftovers(daemon: TestDaemon): Record<string, number> {
  let asrStreams = 0;
  for (const engine of daemon.context.speech.ids('asr').map((id) => daemon.context.speech.engine('asr', id)!)) asrStreams += (engine as { activeStreams?: number }).activeStreams ?? 0;
  let wakeSessions = 0;
  for (const engine of daemon.context.speech.ids('wake').map((id) => daemon.context.speech.engine('wake', id)!)) wakeSessions += engine.sessionCount ?? 0;
  return { connections: heldConnections(daemon.providerPort), asrStreams, wakeSessions, espeak: espeakChildren() };
}

async function drained(daemon: TestDaemon): Promise<Record<string, number>> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  let left = leftovers(daemon);
  while (Object.values(left).some((n) => n > 0) && Date.now() < deadline) {
    await sleep(100);
    left = leftovers(daemon);
  }
  return left;
}

describe('the provider under a TCP fuzz run with the reference client alongside', { concurrency: false }, () => {
  let daemon: TestDaemon | undefined;
  let stats: TcpFuzzStats | undefined;
  let rounds: RoundResult[] = [];
  let peerExit: number | null = null;
  let peerStderr = '';
  const seed = seedFrom('SATELLITE_FUZZ_SEED');
  const clip = hasZipformer() ? referenceClips().find((c) => c.file === CLIP) : undefined;
  const expect = { reference: clip?.reference ?? '', werLimit: WER_LIMIT, asrModel: ZIPFORMER, voice: VOICE };

  before(async () => {
    if (!ready() || !clip) return;
    daemon = await startTestDaemon({
      models_dir: sharedModel(),
      stt: { default_model: ZIPFORMER },
      tts: { espeak: { voices: ['en-us'] } },
      engine: { idle_unload_s: 0 },
    });
    process.stdout.write(`# fuzz seed ${seed} (replay: SATELLITE_FUZZ_SEED=${seed})\n`);
    const peer = ReferenceRounds.start(referencePython()!, { port: daemon.providerPort, wav: clip.path, voice: VOICE });
    const deadline = Date.now() + FUZZ_MAX_MS;
    stats = await runTcpFuzz({ port: daemon.providerPort, seed, frames: FUZZ_FRAMES, lanes: FUZZ_LANES, peers: FUZZ_PEERS, deadline });
    // the fuzz must overlap a few whole rounds; keep throwing (new seeds) until it has
    for (let batch = 1; peer.results.length < MIN_ROUNDS && Date.now() < deadline; batch++) {
      const more = await runTcpFuzz({ port: daemon.providerPort, seed: seed + batch, frames: FUZZ_FRAMES / 4, lanes: FUZZ_LANES, peers: FUZZ_PEERS, deadline });
      stats.connections += more.connections;
      stats.frames += more.frames;
    }
    const done = await peer.finish();
    rounds = done.results;
    peerExit = done.code;
    peerStderr = peer.stderr;
    process.stdout.write(`# fuzz: ${stats.frames} frames over ${stats.connections} connections in ${stats.elapsedMs} ms; ${rounds.length} reference rounds; error codes ${JSON.stringify(stats.errorCodes)}\n`);
  });
  after(async () => daemon?.stop());

  test('every round of the reference client is answered correctly while the fuzz runs', (t) => {
    if (!need(t, ready(), referencePythonReason() || 'shared models, espeak-ng or /proc/net/tcp missing')) return;
    assert.equal(peerExit, 0, `reference client exited ${peerExit}: ${peerStderr.slice(-2000)}`);
    assert.ok(rounds.length >= MIN_ROUNDS, `only ${rounds.length} rounds overlapped the fuzz run (seed ${seed})`);
    const problems = rounds.flatMap((r) => roundProblems(r, expect).map((p) => `round ${r.round}: ${p}`));
    assert.deepEqual(problems, [], `seed ${seed}`);
  });

  test('every reply to fuzz input decodes as Wyoming and every error event carries a code', (t) => {
    if (!need(t, ready(), referencePythonReason() || 'shared models, espeak-ng or /proc/net/tcp missing')) return;
    assert.ok(stats!.connections >= MIN_CONNECTIONS, `only ${stats!.connections} fuzz connections`);
    assert.ok(stats!.replies > 0, 'the daemon never answered a fuzz connection');
    assert.deepEqual(stats!.undecodableReplies, [], `seed ${seed}`);
    assert.deepEqual(stats!.uncodedErrors, [], `seed ${seed}`);
  });

  test('afterwards no connection, recogniser stream, wake session or espeak process is left', async (t) => {
    if (!need(t, ready(), referencePythonReason() || 'shared models, espeak-ng or /proc/net/tcp missing')) return;
    const left = await drained(daemon!);
    assert.deepEqual(left, { connections: 0, asrStreams: 0, wakeSessions: 0, espeak: 0 }, `seed ${seed}`);
  });

  test('afterwards the daemon still answers a whole reference round correctly', async (t) => {
    if (!need(t, ready(), referencePythonReason() || 'shared models, espeak-ng or /proc/net/tcp missing')) return;
    const peer = ReferenceRounds.start(referencePython()!, { port: daemon!.providerPort, wav: clip!.path, voice: VOICE, rounds: 1 });
    const { results, code } = await peer.finish();
    assert.equal(code, 0, peer.stderr.slice(-2000));
    assert.equal(results.length, 1);
    assert.deepEqual(roundProblems(results[0]!, expect), []);
  });
});
