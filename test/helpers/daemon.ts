/** Starts the real daemon in-process on free ports for end-to-end tests. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { startDaemon, type Daemon } from '../../src/wiring/daemon.js';
import { createLogger } from '../../src/util/logger.js';

export interface TestDaemon extends Daemon {
  providerPort: number;
  satellitePort: number | undefined;
  logs: string[];
  /** Log lines and bytes written so far (counted even when `keepLogs` is off). */
  logVolume: { lines: number; bytes: number };
}

export interface TestDaemonOptions {
  /** Default: $SATELLITE_TEST_LOG, else debug. */
  logLevel?: string;
  /** Keep every line in `logs` (default). Long runs that measure memory turn it off. */
  keepLogs?: boolean;
}

/** `config` is a config-file shaped object; ports default to 0 and mDNS/MQTT stay off. */
export async function startTestDaemon(config: Record<string, unknown> = {}, options: TestDaemonOptions = {}): Promise<TestDaemon> {
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
  const logVolume = { lines: 0, bytes: 0 };
  const keepLogs = options.keepLogs ?? true;
  const log = createLogger({
    level: options.logLevel ?? process.env['SATELLITE_TEST_LOG'] ?? 'debug',
    format: 'json',
    destination: {
      write: (line: string) => {
        logVolume.lines++;
        logVolume.bytes += line.length;
        if (keepLogs) logs.push(line);
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
    logVolume,
  };
}
