/**
 * Our daemon for the anchor comparisons: the built CLI (`node dist/src/cli.js run`) as its own
 * process on a free loopback port, like the anchors, so CPU and RSS come from /proc for both.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { CLI_PATH } from '../../test/helpers/daemon-process.js';
import { WyomingTestClient } from '../../test/helpers/wyoming-client.js';
import { freePort, startServer, type ServerProcess } from './anchors-measure.js';

const START_TIMEOUT_MS = 120_000;

/** `config` is config-file shaped; state, port, logging, mDNS and auto-pull are set here. */
export async function startOurDaemon(config: Record<string, unknown>): Promise<ServerProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-anchors-daemon-'));
  const port = await freePort();
  const file = path.join(dir, 'satellite.yml');
  writeFileSync(
    file,
    stringify({
      state_dir: path.join(dir, 'state'),
      log: { level: 'warn', format: 'json' },
      ...config,
      provider: { host: '127.0.0.1', port, ...(config['provider'] as object | undefined) },
      mdns: { enabled: false },
      models: { auto_pull: false, ...(config['models'] as object | undefined) },
    }),
  );
  const server = await startServer(process.execPath, [CLI_PATH, 'run', '--config', file], port, START_TIMEOUT_MS);
  const stop = server.stop;
  return {
    ...server,
    stop: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `info` a Wyoming server answers `describe` with. */
export async function describe(port: number): Promise<Record<string, unknown>> {
  const client = await WyomingTestClient.connect(port);
  try {
    client.send('describe', {});
    return (await client.waitForType('info', 60_000)).data;
  } finally {
    client.close();
  }
}
