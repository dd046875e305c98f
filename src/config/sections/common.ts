/** Small zod building blocks shared by the config sections. */
import { z } from 'zod';

export const port = z.number().int().min(0).max(65535);
export const host = z.string().min(1);
export const seconds = z.number().min(0);
export const positiveInt = z.number().int().positive();
export const executionProvider = z.enum(['cpu', 'cuda']);
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Per-engine runtime knobs; every field may be overridden per model. */
export const engineRuntime = z.strictObject({
  provider: executionProvider.default('cpu').describe('cpu, or cuda where the native build supports it (falls back to cpu with a warning)'),
  num_threads: positiveInt.default(2).describe('inference threads per model'),
  idle_unload_s: seconds.default(600).describe('release a model after this many idle seconds; 0 keeps it loaded'),
  max_queue: z
    .number()
    .int()
    .min(0)
    .nullable()
    .default(null)
    .describe('requests allowed to wait for a busy model; null = provider.max_connections, so every admitted connection is served in turn'),
  preload: z.boolean().default(false).describe('load at start-up instead of on first use'),
});
export type EngineRuntimeConfig = z.output<typeof engineRuntime>;

/** Per-kind or per-model overrides of the top-level `engine` defaults (null = inherit). */
export const runtimeOverrides = z.strictObject({
  provider: executionProvider.nullable().default(null).describe('cpu or cuda; null = engine.provider'),
  num_threads: positiveInt.nullable().default(null).describe('inference threads; null = engine.num_threads'),
  idle_unload_s: seconds.nullable().default(null).describe('idle seconds before release; null = engine.idle_unload_s'),
  max_queue: z.number().int().min(0).nullable().default(null).describe('requests allowed to wait; null = engine.max_queue'),
  preload: z.boolean().nullable().default(null).describe('load at start-up; null = engine.preload'),
});
export type RuntimeOverrides = Partial<z.output<typeof runtimeOverrides>>;
