/**
 * URL rewriting for mirrors: a LAN cache, a Hugging Face mirror, or a test server on loopback.
 * Each rule maps a URL prefix to a replacement prefix; the longest matching prefix wins, so the
 * rest of the path (release tag, commit, file name) stays as the catalogue has it.
 */
export type MirrorMap = Readonly<Record<string, string>>;

export const HUGGING_FACE_ORIGIN = 'https://huggingface.co/';

/** Config mirrors plus `HF_ENDPOINT` (the Hugging Face tools' own mirror variable) when set. */
export function effectiveMirrors(configured: MirrorMap, env: NodeJS.ProcessEnv = process.env): MirrorMap {
  const out: Record<string, string> = {};
  const hfEndpoint = env['HF_ENDPOINT']?.trim();
  if (hfEndpoint) out[HUGGING_FACE_ORIGIN] = hfEndpoint.endsWith('/') ? hfEndpoint : `${hfEndpoint}/`;
  return { ...out, ...configured };
}

export function applyMirrors(url: string, mirrors: MirrorMap): string {
  let best = '';
  for (const prefix of Object.keys(mirrors)) {
    if (url.startsWith(prefix) && prefix.length > best.length) best = prefix;
  }
  return best ? `${mirrors[best]}${url.slice(best.length)}` : url;
}
