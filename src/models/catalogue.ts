/**
 * Loads the model catalogue: the built-in config/models.yml plus optional extra catalogue files
 * (a LAN operator's own entries, a test's), validates it, and answers "which models does this
 * name / preset mean, in install order".
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { SatelliteError } from '../util/errors.js';
import { catalogueSchema, type CatalogueEntry, type CatalogueFile, type CataloguePreset } from './catalogue-schema.js';

export const BUILTIN_CATALOGUE_NAME = path.join('config', 'models.yml');
/** How far up from this module to look for the package root holding config/models.yml. */
const MAX_PARENT_LEVELS = 8;

export class CatalogueError extends SatelliteError {
  override readonly name = 'CatalogueError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('SAT_ERR_MODEL_CATALOGUE', message, options);
  }
}

/** Finds config/models.yml by walking up from this module (works from src/, dist/ and build folders). */
export function builtinCataloguePath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < MAX_PARENT_LEVELS; i++) {
    const candidate = path.join(dir, BUILTIN_CATALOGUE_NAME);
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new CatalogueError(`built-in model catalogue ${BUILTIN_CATALOGUE_NAME} not found above ${fileURLToPath(import.meta.url)}`);
}

export function readCatalogueFile(file: string): CatalogueFile {
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new CatalogueError(`cannot read model catalogue ${file}: ${(err as Error).message}`, { cause: err });
  }
  const result = catalogueSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new CatalogueError(`invalid model catalogue ${file}:\n  - ${issues.join('\n  - ')}`, { cause: result.error });
  }
  return result.data;
}

export class Catalogue {
  readonly #entries = new Map<string, CatalogueEntry>();
  readonly #presets = new Map<string, CataloguePreset>();

  /** Later files override earlier ones entry by entry and preset by preset. */
  constructor(files: CatalogueFile[]) {
    for (const file of files) {
      for (const entry of file.models) this.#entries.set(entry.id, entry);
      for (const [name, preset] of Object.entries(file.presets)) this.#presets.set(name, preset);
    }
    this.#check();
  }

  get entries(): CatalogueEntry[] {
    return [...this.#entries.values()];
  }

  get presets(): ReadonlyMap<string, CataloguePreset> {
    return this.#presets;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  get(id: string): CatalogueEntry {
    const entry = this.#entries.get(id);
    if (!entry) {
      throw new SatelliteError('SAT_ERR_MODEL_UNKNOWN', `unknown model "${id}"; \`satellite models list\` shows the catalogue`);
    }
    return entry;
  }

  preset(name: string): CatalogueEntry[] {
    const preset = this.#presets.get(name);
    if (!preset) {
      const known = [...this.#presets.keys()].join(', ');
      throw new SatelliteError('SAT_ERR_MODEL_UNKNOWN', `unknown preset "${name}" (known: ${known})`);
    }
    return this.resolve(preset.models);
  }

  /** The named models plus everything they require, requirements first, each once. */
  resolve(ids: readonly string[]): CatalogueEntry[] {
    const out: CatalogueEntry[] = [];
    const seen = new Set<string>();
    const visit = (id: string, chain: string[]): void => {
      if (seen.has(id)) return;
      if (chain.includes(id)) throw new CatalogueError(`model requirements form a cycle: ${[...chain, id].join(' → ')}`);
      const entry = this.get(id);
      for (const dep of entry.requires) visit(dep, [...chain, id]);
      seen.add(id);
      out.push(entry);
    };
    for (const id of ids) visit(id, []);
    return out;
  }

  /** Entries that list `id` among their requirements. */
  dependents(id: string): CatalogueEntry[] {
    return this.entries.filter((e) => e.requires.includes(id));
  }

  /** Whether an entry other than `id` installs into `folder` too (openWakeWord's shared folder). */
  sharesFolder(id: string, folder: string): boolean {
    return this.entries.some((e) => e.id !== id && folderOf(e) === folder);
  }

  #check(): void {
    const problems: string[] = [];
    const owners = new Map<string, string>();
    for (const entry of this.#entries.values()) {
      for (const dep of entry.requires) if (!this.#entries.has(dep)) problems.push(`${entry.id}: requires unknown model "${dep}"`);
      for (const d of entry.downloads) {
        if (!d.path) continue;
        const key = `${folderOf(entry)}/${d.path}`;
        const owner = owners.get(key);
        if (owner && owner !== entry.id) problems.push(`${entry.id}: ${key} is also installed by ${owner}`);
        owners.set(key, entry.id);
      }
      if (entry.convert === 'piper' && !entry.downloads.some((d) => d.path?.endsWith('.onnx'))) {
        problems.push(`${entry.id}: a piper conversion needs an .onnx download`);
      }
    }
    for (const [name, preset] of this.#presets) {
      for (const id of preset.models) if (!this.#entries.has(id)) problems.push(`preset ${name}: unknown model "${id}"`);
    }
    if (problems.length) throw new CatalogueError(`inconsistent model catalogue:\n  - ${problems.join('\n  - ')}`);
  }
}

export function folderOf(entry: CatalogueEntry): string {
  return entry.folder ?? entry.id;
}

/** Download size in bytes: the first pin of each download, else the entry's approximate size. */
export function downloadSize(entry: CatalogueEntry): number | undefined {
  let total = 0;
  for (const d of entry.downloads) {
    const pin = d.pins[0];
    if (!pin) return entry.size;
    total += pin.size;
  }
  return total;
}

export function isPinned(entry: CatalogueEntry): boolean {
  return entry.downloads.every((d) => d.pins.length > 0);
}

/** The built-in catalogue followed by any extra files (which override it by id). */
export function loadCatalogue(extraFiles: readonly string[] = []): Catalogue {
  return new Catalogue([readCatalogueFile(builtinCataloguePath()), ...extraFiles.map(readCatalogueFile)]);
}
