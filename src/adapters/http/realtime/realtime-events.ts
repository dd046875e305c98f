/**
 * Building blocks of the Realtime wire format: ids in OpenAI's style, the `error` event, and the
 * shapes of conversation items. Only what the shim sends is modelled; client events are checked
 * field by field where they are read.
 */
import { randomBytes } from 'node:crypto';
import { toHttpError } from '../http-errors.js';

export type ServerEvent = { type: string } & Record<string, unknown>;

/** `event_…`, `item_…`, `resp_…`, `sess_…`: a prefix and 20 random base62-ish characters. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(15).toString('base64url').replace(/[-_]/g, 'x')}`;
}

/** An error to report to the client as an `error` event; the session goes on. */
export class RealtimeError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly param: string | null = null,
    readonly type = 'invalid_request_error',
  ) {
    super(message);
  }
}

/** Any failure as the fields of an `error` event's `error` (coded errors keep their code). */
export function errorBody(err: unknown, clientEventId: string | null): Record<string, unknown> {
  if (err instanceof RealtimeError) return { type: err.type, code: err.code, message: err.message, param: err.param, event_id: clientEventId };
  // Daemon errors get the type their code's status implies, as over plain HTTP.
  const { error } = toHttpError(err, 1).body();
  return { type: error.type, code: error.code, message: error.message, param: error.param, event_id: clientEventId };
}

export interface ItemContent {
  type: string;
  text?: string;
  transcript?: string | null;
}

/** A message item as the server describes it. */
export function messageItem(id: string, role: 'user' | 'assistant' | 'system', status: 'completed' | 'in_progress' | 'incomplete', content: ItemContent[]): Record<string, unknown> {
  return { id, object: 'realtime.item', type: 'message', role, status, content };
}
