/**
 * Reading request bodies with limits enforced while the bytes stream in: a multipart upload is
 * refused with 413 the moment it passes the limit (or before reading at all when Content-Length
 * already says so), and whatever the client still sends afterwards is read and dropped, never kept.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-errors.js';
import { MultipartParser, multipartBoundary, type PartInfo } from './multipart-parser.js';

/** Room for the form's other fields and part headers on top of the file itself. */
export const FORM_OVERHEAD_BYTES = 256 * 1024;
/** Longest plain form field value (model, language, prompt, …). */
export const MAX_FIELD_BYTES = 16 * 1024;
/** After refusing a body, drop at most this much of the rest before cutting the connection. */
export const MAX_DISCARD_BYTES = 1024 * 1024 * 1024;

export interface UploadedFile {
  field: string;
  filename: string | undefined;
  contentType: string | undefined;
  data: Buffer;
}

export interface Upload {
  /** Every plain field, repeated names (`timestamp_granularities[]`) keep all values. */
  fields: Map<string, string[]>;
  /** The name of every part, file parts included (for the unknown-parameter check). */
  names: Set<string>;
  file: UploadedFile | undefined;
}

export interface UploadLimits {
  maxFileBytes: number;
  /** The form field holding the file. */
  fileField: string;
}

/** The limit a 413 names, so the client knows what to shrink (and an operator what to change). */
export interface BodyLimit {
  bytes: number;
  /** The config key setting it, when one does. */
  setting: string | null;
  /** True for an uploaded file, false for a whole request body. */
  file: boolean;
}

export const UPLOAD_SETTING = 'http.max_upload_bytes';
export const JSON_SETTING = 'http.max_json_bytes';

export function tooLarge(limit: BodyLimit): HttpError {
  const what = limit.file ? 'the uploaded file' : 'the request body';
  const mib = (limit.bytes / (1024 * 1024)).toFixed(2).replace(/\.?0+$/, '');
  const source = limit.setting ? `configured limit of ${limit.bytes} bytes (${mib} MiB, ${limit.setting})` : `limit of ${limit.bytes} bytes`;
  return new HttpError(413, `${what} is larger than the ${source}`, {
    code: limit.file ? 'file_too_large' : 'request_too_large',
    param: limit.file ? 'file' : null,
  });
}

/** Refuses a body whose declared length already exceeds `bytes`, naming the configured `reported` limit. */
export function checkDeclaredLength(req: IncomingMessage, bytes: number, reported: BodyLimit): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > bytes) throw tooLarge(reported);
}

/** Reads a multipart/form-data body: plain fields as strings, the file as one buffer (bounded). */
export async function readMultipart(req: IncomingMessage, limits: UploadLimits): Promise<Upload> {
  const boundary = multipartBoundary(req.headers['content-type']);
  if (!boundary) {
    throw new HttpError(415, 'expected a multipart/form-data body with a boundary', { code: 'unsupported_media_type' });
  }
  const bodyLimit = limits.maxFileBytes + FORM_OVERHEAD_BYTES;
  const configured: BodyLimit = { bytes: limits.maxFileBytes, setting: UPLOAD_SETTING, file: true };
  checkDeclaredLength(req, bodyLimit, configured);
  const upload: Upload = { fields: new Map(), names: new Set(), file: undefined };
  let part: PartInfo | undefined;
  let chunks: Buffer[] = [];
  let partBytes = 0;
  const parser = new MultipartParser(boundary, {
    onPartStart(info) {
      part = info;
      upload.names.add(info.name);
      chunks = [];
      partBytes = 0;
    },
    onPartData(chunk) {
      if (!part) return;
      partBytes += chunk.length;
      const isFile = part.name === limits.fileField;
      if (isFile && partBytes > limits.maxFileBytes) throw tooLarge(configured);
      if (!isFile && partBytes > MAX_FIELD_BYTES) {
        throw new HttpError(400, `form field '${part.name}' is too long`, { code: 'invalid_value', param: part.name });
      }
      chunks.push(Buffer.from(chunk));
    },
    onPartEnd() {
      if (!part) return;
      const data = Buffer.concat(chunks);
      chunks = [];
      if (part.name === limits.fileField) {
        upload.file = { field: part.name, filename: part.filename, contentType: part.contentType, data };
      } else if (part.filename === undefined) {
        const values = upload.fields.get(part.name) ?? [];
        values.push(data.toString('utf8'));
        upload.fields.set(part.name, values);
      }
      part = undefined;
    },
  });
  await consume(req, bodyLimit, configured, (chunk) => parser.push(chunk));
  try {
    parser.end();
  } catch (err) {
    throw new HttpError(400, (err as Error).message, { code: 'invalid_multipart', cause: err });
  }
  return upload;
}

/** Reads and parses a JSON object body of at most `limit` bytes; `setting`: the config key behind the limit, for the 413. */
export async function readJsonBody(req: IncomingMessage, limit: number, setting: string | null = null): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, 'expected Content-Type: application/json', { code: 'unsupported_media_type' });
  }
  const configured: BodyLimit = { bytes: limit, setting, file: false };
  checkDeclaredLength(req, limit, configured);
  const chunks: Buffer[] = [];
  await consume(req, limit, configured, (chunk) => chunks.push(chunk));
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new HttpError(400, 'request body is not valid JSON', { code: 'invalid_json', cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'request body must be a JSON object', { code: 'invalid_json' });
  }
  return value as Record<string, unknown>;
}

/**
 * Feeds body chunks to `onChunk` until the end; rejects (and stops listening) at the first error
 * or when more than `limit` bytes arrive.
 */
function consume(req: IncomingMessage, limit: number, reported: BodyLimit, onChunk: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let total = 0;
    const stop = (err?: unknown) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) {
        req.pause();
        reject(err);
      } else resolve();
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      try {
        if (total > limit) throw tooLarge(reported);
        onChunk(chunk);
      } catch (err) {
        stop(err instanceof HttpError ? err : new HttpError(400, (err as Error).message, { code: 'invalid_multipart', cause: err }));
      }
    };
    const onEnd = () => stop();
    const onError = (err: Error) => stop(new HttpError(400, `request body failed: ${err.message}`, { code: 'body_error', cause: err }));
    const onAborted = () => stop(new HttpError(400, 'client aborted the upload', { code: 'body_aborted' }));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/**
 * After an early answer: reads and drops the rest of the body so the client can finish sending
 * and read the answer; past MAX_DISCARD_BYTES the connection is cut instead.
 */
export function discardBody(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > MAX_DISCARD_BYTES) req.socket.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}
