/**
 * Runs the TCP fuzzer in a worker thread, so the describe timings taken on the benchmark's main
 * thread at the same time do not wait behind the fuzzer's own work.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runTcpFuzz, type TcpFuzzOptions } from '../../../test/helpers/wyoming-fuzz-tcp.js';

const stats = await runTcpFuzz(workerData as TcpFuzzOptions);
parentPort?.postMessage(stats);
