/** Starts the shim alone on port 0 over a speech service holding given engines (for tests of its own logic). */
import { parseConfig } from '../../../src/config/load.js';
import { createOpenAiShim } from '../../../src/adapters/http/openai-shim.js';
import type { RequestRecord } from '../../../src/adapters/http/http-server.js';
import { CoreBus } from '../../../src/core/bus.js';
import { ProviderStats } from '../../../src/core/provider-stats.js';
import type { EngineSpec } from '../../../src/core/speech/engine-kinds.js';
import { SpeechService } from '../../../src/core/speech/speech-service.js';
import { speechSettings } from '../../../src/wiring/speech.js';
import { createLogger } from '../../../src/util/logger.js';
import { registry } from './fake-engines.js';

export interface Shim {
  url: string;
  logs: string[];
  /** What the server recorded for each request (the access-log data). */
  records: RequestRecord[];
  /** `drainMs`: how long running requests may take to finish (default: the server's own). */
  close(drainMs?: number): Promise<void>;
}

export async function startShim(http: Record<string, unknown> = {}, engines: EngineSpec[] = registry(), extra: Record<string, unknown> = {}): Promise<Shim> {
  const config = parseConfig({ ...extra, http: { enabled: true, port: 0, ...http } }, {});
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', format: 'json', destination: { write: (line: string) => logs.push(line) } });
  const bus = new CoreBus(log);
  const stats = new ProviderStats(bus);
  const records: RequestRecord[] = [];
  const speech = new SpeechService({ discover: async () => engines, settings: speechSettings(config), log });
  await speech.start();
  const shim = createOpenAiShim({ config, speech, stats, startedAt: new Date(), log, onRequest: (r) => records.push(r) });
  const address = await shim.listen();
  return {
    url: `http://127.0.0.1:${address.port}`,
    logs,
    records,
    close: async (drainMs?: number) => {
      await shim.close(drainMs);
      stats.stop();
      await speech.close();
    },
  };
}

/** A multipart body the way clients send it. */
export function multipart(fields: Record<string, string | string[]>, file?: { name: string; data: Buffer; type?: string }): { body: Buffer; contentType: string } {
  const boundary = `----test${Math.random().toString(36).slice(2)}`;
  const parts: Buffer[] = [];
  if (file) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function postForm(
  url: string,
  fields: Record<string, string | string[]>,
  file?: { name: string; data: Buffer; type?: string },
  headers: Record<string, string> = {},
): Promise<Response> {
  const { body, contentType } = multipart(fields, file);
  return fetch(url, { method: 'POST', body, headers: { 'Content-Type': contentType, ...headers } });
}

/** Asserts OpenAI's error envelope and returns its `error` object. */
export async function envelope(response: Response): Promise<{ message: string; type: string; param: string | null; code: string | null }> {
  const body = (await response.json()) as { error?: Record<string, unknown> };
  const error = body.error;
  if (!error || typeof error['message'] !== 'string' || typeof error['type'] !== 'string' || !('param' in error) || !('code' in error)) {
    throw new Error(`not an OpenAI error envelope: ${JSON.stringify(body)}`);
  }
  return error as { message: string; type: string; param: string | null; code: string | null };
}
