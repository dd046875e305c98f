/**
 * The live web view's part of the composition root: it builds the view from the daemon's parts
 * (bus, speech service, the satellite's controller, a model manager of its own for pulls started
 * from the page) and hands back the routes the HTTP shim serves next to its API.
 */
import { displayName, machineShortId } from '../adapters/mdns/mdns-identity.js';
import { createWebView, type WebView } from '../adapters/http/ui/web-view.js';
import type { SatelliteControl } from '../core/satellite-control.js';
import type { CatalogueEntry } from '../models/catalogue-schema.js';
import { managerFromConfig } from '../models/from-config.js';
import type { ModelManager } from '../models/manager.js';
import type { ProgressReporter } from '../models/progress.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { VERSION } from '../version.js';
import type { DaemonContext } from './daemon-context.js';
import { modelConverters } from './models.js';

export function startWebView(context: DaemonContext, satellite: SatelliteControl | undefined, log: Logger): WebView {
  const { config, bus } = context;
  const createManager = (hooks: { progress: ProgressReporter; onInstalled: (entry: CatalogueEntry) => void }): ModelManager =>
    managerFromConfig(config, log, {
      progress: hooks.progress,
      converters: modelConverters(),
      onInstalled: hooks.onInstalled,
      onLicence: (entry) => log.warn({ model: entry.id, licence: entry.licence, flags: entry.flags }, `licence of ${entry.id}: ${entry.licence}`),
    });
  // The catalogue is read once here: a broken one turns pulls off and says why on the page.
  let catalogueProblem: string | null = null;
  try {
    createManager({ progress: { start() {}, update() {}, end() {} }, onInstalled: () => undefined });
  } catch (err) {
    catalogueProblem = errorMessage(err);
    log.warn({ err }, 'the model catalogue cannot be read; the web view shows the installed models only');
  }
  return createWebView({
    name: displayName(config.name, { shortId: () => machineShortId() }),
    version: VERSION,
    maxViewers: config.http.ui.max_viewers,
    maxTextChars: config.tts.max_text_chars,
    bus,
    speech: context.speech,
    satellite,
    createManager: catalogueProblem ? undefined : createManager,
    catalogueProblem,
    offline: config.models.offline,
    onInstalled: (entry) => {
      log.info({ model: entry.id, kind: entry.kind }, 'model installed from the web view');
      bus.emit('models-changed', { kind: entry.kind });
    },
    log,
  });
}
