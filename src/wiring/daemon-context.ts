/**
 * What the composition root hands the parts it starts: the config, the bus, the lifecycle (stop
 * hooks), the speech service (the one owner of the models) and the bound endpoints.
 */
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.js';
import type { CoreBus } from '../core/bus.js';
import type { SpeechService } from '../core/speech/speech-service.js';
import type { Lifecycle } from '../util/lifecycle.js';
import type { Logger } from '../util/logger.js';

export interface DaemonContext {
  readonly config: Readonly<Config>;
  /** The root logger; each part takes a child of it. */
  readonly log: Logger;
  readonly lifecycle: Lifecycle;
  readonly bus: CoreBus;
  readonly speech: SpeechService;
  /** Bound addresses, filled in once each endpoint listens. */
  readonly endpoints: { provider?: AddressInfo; satellite?: AddressInfo; http?: AddressInfo };
}
