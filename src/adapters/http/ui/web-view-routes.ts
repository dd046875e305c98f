/**
 * The live view's routes on the HTTP shim. The page and its files need no key (they hold no
 * data: the page asks for the key and keeps it in the browser); the live stream, the controls and
 * model pulls need the shim's key like every other route.
 *
 *   GET  /, /ui            the page
 *   GET  /ui/<file>        its scripts and styles
 *   GET  /ui/api/live      server-sent events: a snapshot, then every change
 *   POST /ui/api/command   {"command": "mute" | "volume" | "wake_word" | "speak" | "rescan", "value": …}
 *   POST /ui/api/pull      {"id": "<catalogue id>", "accept_licence": true?}
 */
import { httpStatusOf } from '../../../util/error-codes.js';
import { SatelliteError } from '../../../util/errors.js';
import { HttpError, badRequest } from '../http-errors.js';
import type { Exchange, Route } from '../http-server.js';
import { readJsonBody } from '../request-body.js';
import { endResponse, sendJson } from '../respond.js';
import type { LiveFeed } from './live-feed.js';
import type { ModelPulls } from './model-pulls.js';
import { runPageCommand, type PageCommandDeps } from './page-commands.js';
import type { StaticFiles } from './static-files.js';
import type { ViewerHub } from './viewer-hub.js';

/** The page's requests are small JSON objects. */
export const PAGE_JSON_LIMIT = 16 * 1024;
/** Route names (metrics, request logs) of the live view; the wiring keeps them out of the provider's request counts. */
export const WEB_VIEW_ROUTE_NAMES = ['ui', 'ui-file', 'ui-live', 'ui-command', 'ui-pull'] as const;
const FILE_PREFIX = '/ui/';

export interface WebViewRouteDeps extends PageCommandDeps {
  files: StaticFiles;
  hub: ViewerHub;
  feed: LiveFeed;
  pulls: ModelPulls | undefined;
}

export function webViewRoutes(deps: WebViewRouteDeps): Route[] {
  const page = async (x: Exchange) => void deps.files.send(x.req, x.res, 'index.html');
  return [
    { method: 'GET', path: '/', name: 'ui', auth: false, handle: page },
    { method: 'GET', path: '/ui', name: 'ui', auth: false, handle: page },
    { method: 'GET', path: FILE_PREFIX, name: 'ui-file', auth: false, handle: async (x) => file(deps, x) },
    { method: 'GET', path: '/ui/api/live', name: 'ui-live', live: true, handle: (x) => live(deps, x) },
    { method: 'POST', path: '/ui/api/command', name: 'ui-command', handle: (x) => command(deps, x) },
    { method: 'POST', path: '/ui/api/pull', name: 'ui-pull', handle: (x) => pull(deps, x) },
  ];
}

function file(deps: WebViewRouteDeps, x: Exchange): void {
  // Only names read from the static folder are served, so no path can reach beyond it.
  const name = x.url.pathname.slice(FILE_PREFIX.length);
  if (!deps.files.send(x.req, x.res, name)) throw new HttpError(404, 'the web view has no such file', { code: 'not_found' });
}

/** Holds the response open as the viewer's stream until the browser leaves or the daemon stops. */
async function live(deps: WebViewRouteDeps, x: Exchange): Promise<void> {
  const closed = new Promise<void>((resolve) => x.res.once('close', resolve));
  deps.hub.add(x.res, deps.feed.snapshot());
  x.signal.addEventListener('abort', () => endResponse(x.res), { once: true });
  await closed;
}

async function command(deps: WebViewRouteDeps, x: Exchange): Promise<void> {
  const body = await readJsonBody(x.req, PAGE_JSON_LIMIT);
  const answer = await runPageCommand(deps, body);
  deps.feed.changed();
  if (answer.status === 'error') {
    const code = answer.error?.code ?? 'SAT_ERR_INTERNAL';
    throw new HttpError(httpStatusOf(code), answer.error?.message ?? 'the command failed', { code, param: 'value' });
  }
  sendJson(x.res, 200, { status: 'ok', command: answer.command });
}

async function pull(deps: WebViewRouteDeps, x: Exchange): Promise<void> {
  const body = await readJsonBody(x.req, PAGE_JSON_LIMIT);
  if (!deps.pulls) throw new SatelliteError('SAT_ERR_MODEL_CATALOGUE', 'the model catalogue could not be loaded (see the daemon log); pulls are off');
  const id = body['id'];
  if (typeof id !== 'string' || !id.trim()) throw badRequest('id must name a catalogue model', 'id');
  const accepted = body['accept_licence'];
  if (accepted !== undefined && typeof accepted !== 'boolean') throw badRequest('accept_licence must be true or false', 'accept_licence');
  const status = deps.pulls.start(id.trim(), accepted === true);
  sendJson(x.res, 202, { status: 'started', pull: status });
}
