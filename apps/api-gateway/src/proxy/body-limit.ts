import type { IncomingMessage } from 'node:http';
import { HttpError } from '@platform/service-runtime';
import { payloadTooLarge } from './proxy-errors';

/** 413 at once when the declared Content-Length is over the limit (nothing is read or sent upstream). */
export function declaredLengthError(req: IncomingMessage, limitBytes: number): HttpError | undefined {
  const declared = req.headers['content-length'];
  return declared !== undefined && Number(declared) > limitBytes ? payloadTooLarge(limitBytes) : undefined;
}

/**
 * Counts a body without a declared length (chunked) as it streams, and calls `onTooLarge` for every chunk
 * past the limit. The body keeps flowing (and is discarded once the proxy let go of it).
 */
export function watchStreamedBodySize(req: IncomingMessage, limitBytes: number, onTooLarge: () => void): void {
  let received = 0;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > limitBytes) onTooLarge();
  });
}

/**
 * Reads a whole (small) body, then puts it back into the request stream with `readable.unshift` — made
 * for this: "un-consume" data so it can be passed on — so the proxy still streams every byte, whichever
 * way the upstream socket is assigned. 413 as soon as it passes the limit.
 */
export function peekBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const aborted = (): HttpError => new HttpError(400, 'REQUEST_ABORTED', 'Request was aborted');
    const tooLarge = declaredLengthError(req, limitBytes);
    if (tooLarge) return reject(tooLarge);
    if (req.destroyed) return reject(aborted());
    if (req.readableEnded) return resolve(Buffer.alloc(0));
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = (): void => {
      req.off('readable', onReadable);
      req.off('end', onEnd);
      req.off('error', onError);
    };
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
