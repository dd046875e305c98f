/** Builds the model manager from the loaded configuration (shared by the CLI and the daemon). */
import type { Config } from '../config/schema.js';
import type { Logger } from '../util/logger.js';
import { loadCatalogue } from './catalogue.js';
import { ModelManager, type ModelManagerOptions } from './manager.js';
import { effectiveMirrors } from './mirrors.js';

export type ManagerExtras = Omit<ModelManagerOptions, 'modelsDir' | 'catalogue' | 'mirrors' | 'retries' | 'retryBaseMs' | 'timeoutMs' | 'log'>;

export function managerFromConfig(config: Readonly<Config>, log: Logger, extras: ManagerExtras = {}): ModelManager {
  const env = extras.env ?? process.env;
  return new ModelManager({
    modelsDir: config.models_dir!,
    catalogue: loadCatalogue(config.models.catalogues),
    mirrors: effectiveMirrors(config.models.mirrors, env),
    retries: config.models.retries,
    retryBaseMs: config.models.retry_base_ms,
    timeoutMs: config.models.timeout_s * 1000,
    log,
    ...extras,
    env,
  });
}
