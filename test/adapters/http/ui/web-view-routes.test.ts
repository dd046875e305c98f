/**
 * The web view's routes on the real daemon's HTTP shim (espeak-ng voices, no satellite): the page
 * and its files need no key and carry a strict CSP; the live stream, the commands and pulls need
 * the key; bad requests get coded errors; a running stream ends when the daemon stops; and
 * `http.ui.enabled: false` serves no page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { need } from '../../../helpers/system.js';
import { haveEspeak, haveModels, startHttpDaemon } from '../http-daemon.js';

const KEY = 'routes-test-key';
const auth = { Authorization: `Bearer ${KEY}` };

async function post(url: string, body: unknown, headers: Record<string, string> = auth): Promise<{ status: number; json: Record<string, any> }> {
  const response = await fetch(url, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

test('the page is served without the key; the live stream, commands and pulls need it and answer with codes', async (t) => {
  if (!need(t, haveModels && haveEspeak, 'espeak-ng or the shared models missing')) return;
  const daemon = await startHttpDaemon({ api_key: KEY });
  let reader: ReadableStreamDefaultReader<string> | undefined;
  try {
    for (const path of ['/', '/ui']) {
      const page = await fetch(`${daemon.url}${path}`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.match(await page.text(), /<script type="module" src="\/ui\/app.js">/);
    }
    const raw = await fetch(`${daemon.url}/ui/app.js`, { headers: { 'Accept-Encoding': 'gzip' }, decompress: false } as RequestInit);
    assert.match(raw.headers.get('content-type') ?? '', /^text\/javascript/);
    const etag = raw.headers.get('etag')!;
    assert.equal((await fetch(`${daemon.url}/ui/app.js`, { headers: { 'If-None-Match': etag } })).status, 304);
    assert.equal((await fetch(`${daemon.url}/ui/missing.js`)).status, 404);
    assert.equal((await fetch(`${daemon.url}/ui/%2e%2e%2fpackage.json`)).status, 404, 'nothing outside the static folder');
    assert.equal((await fetch(`${daemon.url}/ui/%E0%A4%A`)).status, 404, 'a malformed escape is just not a file');

    assert.equal((await fetch(`${daemon.url}/ui/api/live`)).status, 401);
    const live = await fetch(`${daemon.url}/ui/api/live`, { headers: auth });
    assert.equal(live.status, 200);
    assert.match(live.headers.get('content-type') ?? '', /^text\/event-stream/);
    reader = live.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += (await reader.read()).value ?? '';
    const [head, data] = text.split('\n');
    assert.equal(head, 'event: snapshot');
    const snapshot = JSON.parse(data!.slice('data: '.length)) as Record<string, any>;
    assert.equal(snapshot['satellite'], null, 'no satellite on this daemon');
    assert.ok((snapshot['models'].voices as Array<{ name: string }>).some((v) => v.name.startsWith('espeak-ng')), 'the installed voices are listed');
    // The catalogue's states on disk are read in the background: in the snapshot, or in an event soon after.
    while (snapshot['catalogue'].items.length === 0 && !text.includes('event: catalogue\n')) text += (await reader.read()).value ?? '';
    const catalogue = snapshot['catalogue'].items.length > 0 ? snapshot['catalogue'] : JSON.parse(/event: catalogue\ndata: (.*)\n/.exec(text)![1]!);
    assert.ok(catalogue.items.some((i: { state: string }) => i.state === 'missing'), 'the catalogue is listed with what can be pulled');

    assert.equal((await post(`${daemon.url}/ui/api/command`, { command: 'mute', value: true }, {})).status, 401);
    const unknown = await post(`${daemon.url}/ui/api/command`, { command: 'reboot' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json['error'].code, 'SAT_ERR_MQTT_UNKNOWN_COMMAND');
    const noSatellite = await post(`${daemon.url}/ui/api/command`, { command: 'mute', value: true });
    assert.ok(noSatellite.status >= 400 && /^SAT_ERR_/.test(noSatellite.json['error'].code), `no satellite: ${JSON.stringify(noSatellite.json)}`);
    const pull = await post(`${daemon.url}/ui/api/pull`, { id: 'no-such-model' });
    assert.equal(pull.status, 404);
    assert.equal(pull.json['error'].code, 'SAT_ERR_MODEL_UNKNOWN');
    // Only JSON is taken: a cross-site form (text/plain, no preflight) cannot press the controls.
    const form = await fetch(`${daemon.url}/ui/api/command`, { method: 'POST', headers: { ...auth, 'Content-Type': 'text/plain' }, body: '{"command":"mute","value":true}' });
    assert.equal(form.status, 415);
    // A non-commercial model is not pulled until its licence is accepted (nothing is downloaded here).
    const unaccepted = await post(`${daemon.url}/ui/api/pull`, { id: 'oww-alexa' });
    assert.equal(unaccepted.status, 409);
    assert.equal(unaccepted.json['error'].code, 'SAT_ERR_MODEL_LICENCE_NOT_ACCEPTED');
    const notJson = await post(`${daemon.url}/ui/api/pull`, '{"id":');
    assert.equal(notJson.status, 400);
    const big = await post(`${daemon.url}/ui/api/command`, { command: 'speak', value: 'x'.repeat(20_000) });
    assert.equal(big.status, 413);
  } finally {
    const stopping = daemon.stop();
    if (reader) {
      // The stream ends with the daemon instead of holding its shutdown.
      while (!(await reader.read().catch(() => ({ done: true }))).done);
    }
    await stopping;
  }
});

test('http.ui.enabled false: no page and no live stream', async (t) => {
  if (!need(t, haveModels && haveEspeak, 'espeak-ng or the shared models missing')) return;
  const daemon = await startHttpDaemon({ ui: { enabled: false } });
  try {
    assert.equal((await fetch(`${daemon.url}/`)).status, 404);
    assert.equal((await fetch(`${daemon.url}/ui/api/live`)).status, 404);
    assert.equal((await fetch(`${daemon.url}/health`)).status, 200);
  } finally {
    await daemon.stop();
  }
});
