/**
 * Our Wyoming server with a handler that only counts audio chunks (the counterpart of
 * scripts/bench/py/wyoming_codec.py's server), in its own process so its CPU can be read from
 * /proc. `audio-stop` is answered with a `transcript` whose text is the connection's count.
 * Usage: node codec-server.js PORT
 */
import { WyomingServer } from '../../../src/adapters/wyoming/wyoming-server.js';
import { DEFAULT_FRAME_LIMITS } from '../../../src/wyoming/frame.js';
import { buildInfo } from '../../../src/wyoming/info.js';
import { createLogger } from '../../../src/util/logger.js';

const port = Number(process.argv[2]);
const server = new WyomingServer({
  name: 'codec-bench',
  host: '127.0.0.1',
  port,
  maxConnections: 4,
  idleTimeoutMs: 0,
  limits: { ...DEFAULT_FRAME_LIMITS },
  info: () => buildInfo({}),
  createHandler: (connection) => {
    let count = 0;
    return {
      onEvent: (event) => {
        if (event?.type === 'audio-chunk') count++;
        else if (event?.type === 'audio-stop') void connection.sendEvent('transcript', { text: String(count) });
      },
    };
  },
  log: createLogger({ level: 'silent' }),
});
await server.listen();
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
