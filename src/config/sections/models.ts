/** Model catalogue and downloads (owned by the model manager). */
import { z } from 'zod';

export const modelsSection = z.strictObject({
  auto_pull: z
    .boolean()
    .default(true)
    .describe('on start-up, pull the models of `preset` that are missing, in the background; each service appears once its model is installed'),
  preset: z.string().min(1).default('defaults').describe('catalogue preset the first run pulls: defaults, small (Pi 4 / < 4 GB), licence-clean'),
  offline: z.boolean().default(false).describe('never download (say which models are missing and keep serving)'),
  mirrors: z
    .record(z.string().min(1), z.string().min(1))
    .default({})
    .describe(
      'URL prefix rewrites for LAN or Hugging Face mirrors, longest prefix wins, e.g. {"https://huggingface.co/": "https://hf-mirror.example/", "https://github.com/": "http://nas.lan/gh/"}; HF_ENDPOINT is honoured too',
    ),
  catalogues: z
    .array(z.string().min(1))
    .default([])
    .describe('extra catalogue files (YAML/JSON, same shape as config/models.yml) whose entries add to or replace the built-in ones'),
  retries: z.number().int().min(0).max(20).default(4).describe('download attempts after the first, with exponential backoff; a resumed attempt continues with an HTTP Range request'),
  retry_base_ms: z.number().int().min(0).default(1000).describe('first backoff delay; doubles each retry'),
  timeout_s: z.number().positive().default(30).describe('give up on a connection that sends nothing for this long (then retry)'),
});
