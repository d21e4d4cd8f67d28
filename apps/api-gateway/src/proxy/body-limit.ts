import type { IncomingMessage } from 'node:http';
import { declaredCharsetError, HttpError, isJsonMediaType, jsonBytesError } from '@platform/service-runtime';
import { payloadTooLarge } from './proxy-errors';

export interface BodyReadOptions {
  limitBytes: number;
  /** The whole body must have arrived within this time (408 past it). */
  timeoutMs: number;
}

/** 413 at once when the declared Content-Length is over the limit (nothing is read or sent upstream). */
function declaredLengthError(req: IncomingMessage, limitBytes: number): HttpError | undefined {
  const declared = req.headers['content-length'];
  return declared !== undefined && Number(declared) > limitBytes ? payloadTooLarge(limitBytes) : undefined;
}

function hasBody(req: IncomingMessage): boolean {
  const declared = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (declared !== undefined && declared !== '0');
}

const bodies = new WeakMap<IncomingMessage, Promise<Buffer>>();
const NO_BODY = Promise.resolve(Buffer.alloc(0));

/**
 * The request body, read whole before anything is sent upstream, so a slow or unfinished body costs the
 * upstream nothing and is the client's own 408. Read once per request (the login route reads it first, with
 * its smaller limit, for the email; the proxy gets the same bytes). Refused before it goes anywhere: a
 * declared charset other than UTF-8 (415), and for JSON a leading byte order mark or invalid UTF-8 (400):
 * the same checks every service's JSON parser makes, so gateway and services read one text. The bytes stay
 * in the request stream for the proxy, with their Content-Length (also when the client sent them chunked).
 */
export function readRequestBody(req: IncomingMessage, options: BodyReadOptions): Promise<Buffer> {
  // Most requests (reads) have none: no bookkeeping for them.
  if (!hasBody(req)) return NO_BODY;
  let body = bodies.get(req);
  if (body === undefined) {
    body = readWholeBody(req, options);
    bodies.set(req, body);
  }
  return body;
}

async function readWholeBody(req: IncomingMessage, options: BodyReadOptions): Promise<Buffer> {
  const charsetError = declaredCharsetError(req.headers['content-type']);
  if (charsetError) throw charsetError;
  const body = await peekBody(req, options);
  // What the services parse (JSON) must be plain UTF-8; other media types pass as bytes (the services refuse them).
  const bytesError = isJsonMediaType(req.headers['content-type']) ? jsonBytesError(body) : undefined;
  if (bytesError) throw bytesError;
  req.headers['content-length'] = String(body.length);
  delete req.headers['transfer-encoding'];
  return body;
}

/**
 * Reads a whole (small) body, then puts it back into the request stream with `readable.unshift` — made
 * for this: "un-consume" data so it can be passed on — so the proxy still streams every byte, whichever
 * way the upstream socket is assigned. 413 as soon as it passes the limit, 408 when it has not arrived in time.
 */
export function peekBody(req: IncomingMessage, { limitBytes, timeoutMs }: BodyReadOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const aborted = (): HttpError => new HttpError(400, 'REQUEST_ABORTED', 'Request was aborted');
    const tooLarge = declaredLengthError(req, limitBytes);
    if (tooLarge) return reject(tooLarge);
    if (req.destroyed) return reject(aborted());
    if (req.readableEnded) return resolve(Buffer.alloc(0));
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = (): void => {
      clearTimeout(timer);
      req.off('readable', onReadable);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const timer = setTimeout(() => {
      stop();
      reject(new HttpError(408, 'REQUEST_TIMEOUT', `The request body did not arrive within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReadable = (): void => {
      for (let chunk = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) {
        received += chunk.length;
        chunks.push(chunk);
      }
      if (received > limitBytes) {
        stop();
        req.resume();
        reject(payloadTooLarge(limitBytes));
      } else if (req.complete) {
        // Put back before the stream emits 'end' (it would right after this handler).
        stop();
        const body = Buffer.concat(chunks, received);
        req.unshift(body);
        resolve(body);
      }
    };
    // An empty body can end without a 'readable' event: then there is nothing to put back.
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks, received));
    };
    const onError = (): void => {
      stop();
      reject(aborted());
    };
    req.on('readable', onReadable);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
