/**
 * Imported first by the `satellite` entry point (src/cli.ts), so it runs before any other module
 * is evaluated: on a Node.js older than the supported one, one line on stderr and exit 1.
 */
import { nodeVersionProblem } from './node-version.js';

/** Exit status when the Node.js running the CLI is too old. */
export const EXIT_OLD_NODE = 1;

const problem = nodeVersionProblem(process.versions.node, process.execPath);
if (problem) {
  process.stderr.write(`error: ${problem}\n`);
  process.exit(EXIT_OLD_NODE);
}
