/**
 * The live view in the browser, assembled: its files, the hub of watching browsers, the feed from
 * the bus, the model pulls, and the routes the HTTP shim serves them on.
 */
import type { CoreBus } from '../../../core/bus.js';
import type { SatelliteControl } from '../../../core/satellite-control.js';
import type { SpeechService } from '../../../core/speech/speech-service.js';
import type { CatalogueEntry } from '../../../models/catalogue-schema.js';
import type { Logger } from '../../../util/logger.js';
import type { Route } from '../http-server.js';
import { LiveFeed } from './live-feed.js';
import { ModelPulls, type ModelPullsOptions } from './model-pulls.js';
import { RecentActivity } from './recent-activity.js';
import { StaticFiles } from './static-files.js';
import { webViewRoutes } from './web-view-routes.js';
import { ViewerHub } from './viewer-hub.js';

/** What one viewer may have waiting in its connection before it counts as too slow. */
export const VIEWER_BUFFER_BYTES = 256 * 1024;

export interface WebViewOptions {
  name: string;
  version: string;
  maxViewers: number;
  maxTextChars: number;
  bus: CoreBus;
  speech: SpeechService;
  satellite: SatelliteControl | undefined;
  /** The model manager for pulls from the page; undefined when the catalogue cannot be used (`catalogueProblem` says why). */
  createManager: ModelPullsOptions['createManager'] | undefined;
  catalogueProblem: string | null;
  offline: boolean;
  /** A model landed in models_dir: the wiring has the engines rescan. */
  onInstalled: (entry: CatalogueEntry) => void;
  log: Logger;
}

export interface WebView {
  routes: Route[];
  hub: ViewerHub;
  close(): Promise<void>;
}

export function createWebView(options: WebViewOptions): WebView {
  const { log } = options;
  let feed: LiveFeed | undefined;
  const hub = new ViewerHub({ maxViewers: options.maxViewers, maxBufferedBytes: VIEWER_BUFFER_BYTES, log, onWatching: (on) => feed?.watching(on) });
  const pulls = options.createManager
    ? new ModelPulls({
        createManager: options.createManager,
        offline: options.offline,
        onInstalled: options.onInstalled,
        onCatalogue: (items) => hub.broadcast({ type: 'catalogue', data: { offline: options.offline, items } }),
        onPull: (status, settled) => hub.broadcast({ type: 'pull', data: status, lossy: !settled }),
        log,
      })
    : undefined;
  feed = new LiveFeed({
    bus: options.bus,
    speech: options.speech,
    satellite: options.satellite,
    activity: new RecentActivity(),
    hub,
    pulls,
    about: { name: options.name, version: options.version, maxTextChars: options.maxTextChars, catalogueProblem: options.catalogueProblem },
  });
  void pulls?.refresh().catch((err: unknown) => log.warn({ err }, 'cannot read the state of the catalogue models'));
  const routes = webViewRoutes({
    files: new StaticFiles(),
    hub,
    feed,
    pulls,
    satellite: options.satellite,
    rescan: () => options.speech.rescan('web view rescan command'),
    changed: () => options.bus.emit('satellite-settings', { by: 'web' }),
    log,
  });
  return {
    routes,
    hub,
    close: async () => {
      hub.close();
      feed?.close();
      await pulls?.close();
    },
  };
}
