// Requests to the daemon with the shim's API key, which is entered once and kept in this browser.
const KEY_STORAGE = 'speech-satellite.api-key';

export function apiKey() {
  try {
    return localStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function saveApiKey(key) {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    // storage off (private mode): the key lasts for this page only
  }
  sessionKey = key;
}

let sessionKey = apiKey();

/** A refused key: the page asks for it (listeners set by the app). */
export const keyProblems = new EventTarget();

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** fetch with the key; a JSON error body (OpenAI's envelope) becomes an ApiError. */
export async function api(path, init = {}) {
  const headers = new Headers(init.headers);
  if (sessionKey) headers.set('Authorization', `Bearer ${sessionKey}`);
  const response = await fetch(path, { ...init, headers });
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  let code;
  try {
    const body = await response.json();
    message = body?.error?.message ?? message;
    code = body?.error?.code;
  } catch {
    // not JSON
  }
  if (response.status === 401) keyProblems.dispatchEvent(new CustomEvent('needed', { detail: message }));
  throw new ApiError(response.status, message, code);
}

export async function postJson(path, body) {
  const response = await api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return response.json();
}
