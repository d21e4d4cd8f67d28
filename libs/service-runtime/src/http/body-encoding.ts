import { isUtf8 } from 'node:buffer';
import { parse as parseContentType } from 'content-type';
import { HttpError } from './http-error';

/**
 * One reading of every body. The gateway reads some bodies itself (the login's email keys its limits) and
 * the services parse them again: both must see the same text. So a JSON body is UTF-8 or nothing: a
 * declared charset other than UTF-8 (UTF-7 has endless spellings of one address, UTF-16 another byte
 * layout) is a 415; a byte order mark (which one parser strips and another keeps) or bytes that are not
 * valid UTF-8 (which decoders replace with U+FFFD each their own way) a 400. The gateway and every
 * service's JSON parser apply the same checks.
 */
const BYTE_ORDER_MARKS: readonly Buffer[] = [
  Buffer.from([0xef, 0xbb, 0xbf]), // UTF-8
  Buffer.from([0xfe, 0xff]), // UTF-16 BE
  Buffer.from([0xff, 0xfe]), // UTF-16 LE (and UTF-32 LE)
  Buffer.from([0x00, 0x00, 0xfe, 0xff]), // UTF-32 BE
];

/** The media types the services parse as JSON (their `jsonBody` accepts exactly these). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

/** 415 when the Content-Type declares a charset other than UTF-8 (no charset means UTF-8). */
export function declaredCharsetError(contentType: string | undefined): HttpError | undefined {
  if (contentType === undefined) return undefined;
  let charset: string | undefined;
  try {
    // The parser body-parser uses, so the charset is the one the services would decode with.
    charset = parseContentType(contentType).parameters['charset'];
  } catch {
    return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'The Content-Type header cannot be read');
  }
  if (charset === undefined || charset.toLowerCase() === 'utf-8') return undefined;
  return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request bodies must be UTF-8 (charset=utf-8, or no charset)');
}

/** Whether a Content-Type is one of JSON_MEDIA_TYPES. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  try {
    const type = parseContentType(contentType).type.toLowerCase();
    return type === 'application/json' || /^application\/[^/]+\+json$/.test(type);
  } catch {
    return false;
  }
}

/** Why the bytes of a JSON body cannot be read one way (a byte order mark, invalid UTF-8), or undefined. */
export function jsonBytesProblem(body: Uint8Array): string | undefined {
  if (BYTE_ORDER_MARKS.some((mark) => body.length >= mark.length && mark.every((byte, index) => body[index] === byte))) {
    return 'Request body starts with a byte order mark; send UTF-8 JSON without one';
  }
  return isUtf8(body) ? undefined : 'Request body is not valid UTF-8';
}

export function jsonBytesError(body: Uint8Array): HttpError | undefined {
  const problem = jsonBytesProblem(body);
  return problem === undefined ? undefined : new HttpError(400, 'MALFORMED_JSON', problem);
}
