/** Checks a model's files before a native loader sees them (those loaders abort the process on bad files). */
import { stat } from 'node:fs/promises';
import { SatelliteError } from '../../util/errors.js';
import type { AsrFiles } from '../asr/model-spec.js';
import { onnxFileProblem } from './onnx-file.js';

export async function checkModelFiles(name: string, files: AsrFiles): Promise<void> {
  const problems: string[] = [];
  for (const [role, file] of Object.entries(files)) {
    if (!file) continue;
    // every role but the token list is an ONNX graph (Moonshine v2 ships flatbuffer .ort files)
    if (role !== 'tokens' && !file.endsWith('.ort')) {
      const problem = await onnxFileProblem(file);
      if (problem) problems.push(`${role}: ${problem}`);
    } else {
      const ok = await stat(file).then((s) => s.isFile() && s.size > 0, () => false);
      if (!ok) problems.push(`${role}: ${file} is missing or empty`);
    }
  }
  if (problems.length > 0) throw new SatelliteError('SAT_ERR_MODEL_LOAD', `${name}: ${problems.join('; ')}`);
}
