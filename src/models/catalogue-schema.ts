/**
 * Shape of the model catalogue (config/models.yml): one entry per model with where each file
 * comes from, the digests accepted for it, and what the model is for. Validated with zod so a
 * broken catalogue fails with every bad path listed.
 */
import { z } from 'zod';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a 64-hex lowercase sha256');
const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'a relative path inside the model folder');

/** One known-good (digest, size) pair; a set of them allows for publishers that re-upload. */
export const pinSchema = z.object({ sha256, size: z.number().int().positive() });

export const filePinSchema = z.object({ sha256, size: z.number().int().positive().optional() });

export const downloadSchema = z
  .object({
    url: z.url(),
    /** Where a single file lands inside the model folder (not for archives). */
    path: relativePath.optional(),
    archive: z.enum(['tar.bz2', 'zip']).optional(),
    /** Accepted digests; empty = trust on first use. */
    pins: z.array(pinSchema).default([]),
    pin_source: z
      .enum(['hf-lfs', 'github-lfs', 'git-blob', 'checksum.txt', 'gh-api-digest', 'third-party', 'tofu'])
      .default('tofu'),
    grade: z.enum(['A', 'A-', 'B', 'C']).optional(),
    /** Archive members to leave out (`*` matches within one path segment). */
    exclude: z.array(z.string().min(1)).default([]),
    /** Pins of extracted files the runtime opens, checked after unpacking. */
    files: z.record(relativePath, filePinSchema).default({}),
  })
  .strict()
  .refine((d) => (d.archive === undefined) !== (d.path === undefined), {
    message: 'a download is either a single file (path) or an archive (archive), not both',
  })
  .refine((d) => d.pins.length > 0 || d.pin_source === 'tofu', { message: 'pin_source must be tofu when there are no pins' });

export const modelKind = z.enum(['asr', 'tts', 'wake', 'vad']);
export const licenceFlag = z.enum(['non-commercial', 'restricted', 'attribution', 'copyleft']);

export const entrySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash, underscore'),
    kind: modelKind,
    /** The engine backend that opens it (sherpa-online, sherpa-offline, vosk, piper, kokoro, openwakeword, sherpa-kws, silero). */
    backend: z.string().min(1),
    /** `feature`: a shared piece other models need, not a model users pick by itself. */
    role: z.enum(['model', 'feature']).default('model'),
    description: z.string().default(''),
    licence: z.string().min(1),
    flags: z.array(licenceFlag).default([]),
    languages: z.array(z.string()).default([]),
    sample_rate: z.number().int().positive().optional(),
    /** Folder under models_dir; several entries may share one (openWakeWord). Default: the id. */
    folder: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
      .optional(),
    /** Approximate download size for entries with no pin. */
    size: z.number().int().positive().optional(),
    requires: z.array(z.string()).default([]),
    /** A local conversion step after download (e.g. `piper`: add sherpa metadata and tokens.txt). */
    convert: z.enum(['piper']).optional(),
    downloads: z.array(downloadSchema).min(1),
  })
  .strict();

export const presetSchema = z.object({ description: z.string().default(''), models: z.array(z.string()).min(1) }).strict();

export const catalogueSchema = z
  .object({
    version: z.literal(1),
    presets: z.record(z.string(), presetSchema).default({}),
    models: z.array(entrySchema).default([]),
  })
  .strict();

export type Pin = z.output<typeof pinSchema>;
export type CatalogueDownload = z.output<typeof downloadSchema>;
export type CatalogueEntry = z.output<typeof entrySchema>;
export type CataloguePreset = z.output<typeof presetSchema>;
export type CatalogueFile = z.output<typeof catalogueSchema>;
export type ModelKind = z.output<typeof modelKind>;
