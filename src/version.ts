/** The package version, read once from package.json. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'speech-satellite' && pkg.version) return pkg.version;
    } catch {
      // try the next location (src/ when run from sources, dist/src/ when built)
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
export const PROJECT_URL = 'https://github.com/speech-satellite/speech-satellite';
