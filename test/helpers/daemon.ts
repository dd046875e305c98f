/** Starts the real daemon in-process on free ports for end-to-end tests. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { createLogger } from '../../src/util/logger.js';

export interface TestDaemon extends Daemon {
  providerPort: number;
  satellitePort: number | undefined;
  logs: string[];
}

/** `config` is a config-file shaped object; ports default to 0 and mDNS/MQTT stay off. */
export async function startTestDaemon(config: Record<string, unknown> = {}): Promise<TestDaemon> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'satellite-test-'));
  const merged = {
    state_dir: stateDir,
    ...config,
    provider: { port: 0, host: '127.0.0.1', ...(config['provider'] as object | undefined) },
    mdns: { enabled: false, ...(config['mdns'] as object | undefined) },
    models: { auto_pull: false, ...(config['models'] as object | undefined) },
  };
  const parsed = parseConfig(merged, {});
  const logs: string[] = [];
  const log = createLogger({
    level: process.env['SATELLITE_TEST_LOG'] ?? 'debug',
    format: 'json',
    destination: {
      write: (line: string) => {
        logs.push(line);
        if (process.env['SATELLITE_TEST_LOG']) process.stderr.write(line);
      },
    },
  });
  const daemon = await startDaemon(parsed, log);
  return {
    ...daemon,
    providerPort: daemon.context.endpoints.provider?.port ?? 0,
    satellitePort: daemon.context.endpoints.satellite?.port,
    logs,
  };
}
