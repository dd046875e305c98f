/** Records a voice imported from a local file in the lock file, so `models verify` covers it too. */
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { sha256File } from './hash.js';
import { hashTree } from './install-files.js';
import { updateLock } from './lock-file.js';

export async function recordImport(modelsDir: string, sourceFile: string, name: string): Promise<void> {
  const source = await sha256File(sourceFile);
  const files = await hashTree(path.join(modelsDir, name), path.parse(modelsDir).root);
  const url = pathToFileURL(sourceFile).href;
  await updateLock(modelsDir, (data) => {
    data.models[name] = {
      source: url,
      sha256: source.sha256,
      size: source.size,
      trust: 'tofu',
      pinSource: 'tofu',
      folder: name,
      kind: 'tts',
      backend: 'piper',
      downloads: [{ source: url, sha256: source.sha256, size: source.size, trust: 'tofu', pinSource: 'tofu' }],
      files,
      fetchedAt: new Date().toISOString(),
    };
  });
}
