/**
 * The oldest Node.js the daemon runs on. Checked by the `satellite` entry point before anything
 * else is loaded, so an older Node (Debian 12 / Raspberry Pi OS bookworm ship 18.x as `nodejs`)
 * ends with one line saying what to install instead of a stack from deep inside a dependency.
 * Keep this file free of imports and of syntax newer than the Node it has to refuse.
 */

/** The lowest supported major version (package.json `engines.node` says the same). */
export const MIN_NODE_MAJOR = 20;

/** Where the README explains how to get a supported Node on arm64 and x86_64. */
const HOW_TO = 'see "Installing Node.js 20" in the README (NodeSource node_20.x packages or the nodejs.org binaries)';

/**
 * Undefined when `version` (e.g. "20.11.1" or "v18.20.4") is supported, else the one-line message
 * to print. `executable` is named in the message so a user with two Node installs sees which ran.
 */
export function nodeVersionProblem(version: string, executable?: string): string | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  const major = match ? Number(match[1]) : NaN;
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return undefined;
  const what = match ? `Node.js ${match[1]}.${match[2]}.${match[3]}` : `an unrecognised Node.js version (${version})`;
  const where = executable ? ` (${executable})` : '';
  return `speech-satellite needs Node.js ${MIN_NODE_MAJOR} or later, but this is ${what}${where}; ${HOW_TO}`;
}
