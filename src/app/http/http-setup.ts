// What runs before Nest's routing on the Fastify instance: the request context (correlation id,
// request log line, in-flight count for a graceful stop) and the 415 check as middleware, the JSON
// body parser with its size limit (its failures become problems in the filter: 400 malformed
// JSON, 413, 415).
import { randomUUID } from 'node:crypto';
import type { RequestRecord } from '../log.js';
import { invalidInput, ProblemError } from './problem.js';
import { sendProblem } from './problem.filter.js';
import { CORRELATION_HEADER, correlationIdPattern, headerOf, pathOf, type HttpRequest, type HttpResponse } from './request-context.js';

type Next = (error?: unknown) => void;
type Middleware = (request: HttpRequest, response: HttpResponse, next: Next) => void;

/** Where each answered request's record goes (the server's log: log.ts). */
export interface RequestLog {
  (record: RequestRecord): void;
}

/** Requests being answered, so a stop can wait for them. */
export class InFlight {
  private count = 0;
  private idle: Array<() => void> = [];
  draining = false;

  enter(): void {
    this.count++;
  }

  leave(): void {
    this.count--;
    if (this.count < 0) throw new Error('in-flight request count went below zero');
    if (this.count === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  get size(): number {
    return this.count;
  }

  /** Resolves when no request is in flight, or after timeoutMs. */
  async settle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/** Milliseconds to a tenth, as the log shows them. */
export const roundedMs = (ms: number): number => Math.round(ms * 10) / 10;

/** Correlation id, log line, in-flight count. */
export function requestContextMiddleware(log: RequestLog | null, inFlight: InFlight): Middleware {
  return (request, response, next) => {
    const startedAtMs = performance.now();
    const given = headerOf(request, CORRELATION_HEADER);
    const valid = given !== undefined && correlationIdPattern.test(given);
    const correlationId = valid ? given : randomUUID();
    request.ledger = { correlationId, startedAtMs, principal: null, commandId: null };
    response.setHeader('X-Correlation-Id', correlationId);
    response.setHeader('Cache-Control', 'no-store');
    inFlight.enter();
    let left = false;
    const done = (): void => {
      if (left) return;
      left = true;
      inFlight.leave();
      log?.({ method: request.method, path: pathOf(request), status: response.statusCode, ms: roundedMs(performance.now() - startedAtMs), correlationId });
    };
    // A response emits 'close' once it is finished or its connection went away: one listener.
    response.on('close', done);
    if (inFlight.draining) response.setHeader('Connection', 'close');
    if (given !== undefined && !valid) {
      sendProblem(response, invalidInput([{ path: 'header.X-Correlation-Id', message: 'must be 1–128 letters, digits, ".", "_", ":" or "-"' }]));
      return;
    }
    next();
  };
}

/** POST bodies must be uncompressed JSON (415 otherwise); the JSON parser is registered below. */
export function requireJsonMiddleware(): Middleware {
  return (request, response, next) => {
    if (request.method !== 'POST') {
      next();
      return;
    }
    const length = headerOf(request, 'content-length');
    const hasBody = (length !== undefined && length !== '0') || headerOf(request, 'transfer-encoding') !== undefined;
    const encoding = (headerOf(request, 'content-encoding') ?? 'identity').trim().toLowerCase();
    if (hasBody && encoding !== 'identity') {
      sendProblem(response, new ProblemError('unsupported-media-type', `Content-Encoding "${encoding}" is not accepted: send the JSON body uncompressed`));
      return;
    }
    const type = (headerOf(request, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (hasBody && type !== 'application/json' && !/^application\/[a-z0-9.+-]*\+json$/.test(type)) {
      sendProblem(response, new ProblemError('unsupported-media-type', `send the body as application/json, not "${type || 'no content type'}"`));
      return;
    }
    next();
  };
}

/** The part of Fastify's instance the ledger configures (fastify itself is not imported here). */
export interface BodyParsingHost {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    type: string | RegExp | Array<string | RegExp>,
    options: { parseAs: 'string' | 'buffer'; bodyLimit?: number },
    parser: (request: { headers: Record<string, string | string[] | undefined> }, body: string | Buffer, done: (error: Error | null, body?: unknown) => void) => void,
  ): void;
}

/** application/json and application/*+json; nothing else is parsed (requireJsonMiddleware answers 415 first). */
const jsonTypes = ['application/json', /^application\/[a-z0-9.+-]*\+json/i];

/**
 * The JSON body parser: strict (the top level is an object or an array), an empty body is {},
 * UTF-8 only, at most limitBytes (Fastify answers larger bodies with FST_ERR_CTP_BODY_TOO_LARGE).
 * Bodies of other types (a GET's, say) are read and dropped.
 */
export function installJsonBodies(host: BodyParsingHost, limitBytes: number): void {
  host.removeAllContentTypeParsers();
  host.addContentTypeParser(jsonTypes, { parseAs: 'string', bodyLimit: limitBytes }, (request, body, done) => {
    try {
      done(null, parseJsonBody(String(body), headerOf(request as HttpRequest, 'content-type') ?? ''));
    } catch (error) {
      done(error as Error);
    }
  });
  host.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limitBytes }, (_request, _body, done) => done(null, undefined));
}

export function parseJsonBody(text: string, contentType: string): unknown {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && !charset.startsWith('utf-')) throw new ProblemError('unsupported-media-type', `unsupported charset "${charset.toUpperCase()}"`);
  if (text.length === 0) return {};
  const first = /^[\s\uFEFF]*(.)/.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw new ProblemError('malformed-json', `the body is not valid JSON: it must be an object or an array, not ${first === undefined ? 'whitespace' : `"${first}..."`}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ProblemError('malformed-json', `the body is not valid JSON: ${error instanceof Error ? error.message : 'parse error'}`);
  }
  const duplicate = duplicateKeyPath(text);
  if (duplicate !== null) {
    throw invalidInput([{ path: ['body', ...duplicate].join('.'), message: 'given more than once: a key may appear only once in an object' }]);
  }
  return parsed;
}

/** One open object or array while scanning; the path is built from the parents only when needed. */
interface Frame {
  parent: Frame | null;
  /** The key or index this container has in its parent (null at the top). */
  name: string | null;
  keys: Set<string> | null;
  index: number;
  /** In an object: the last key read, which names the value that follows. */
  key: string | null;
  /** In an object: whether the next string is a key (after "{" or ","). */
  expectKey: boolean;
}

const pathOfFrame = (frame: Frame | null, last: string): string[] => {
  const names = [last];
  for (let f = frame; f !== null && f.name !== null; f = f.parent) names.unshift(f.name);
  return names;
};

/**
 * The path of the first key given twice in one object of a JSON text that JSON.parse accepted,
 * or null. Keys are compared as JSON.parse reads them ("\u0061" is "a"). One pass, no recursion.
 */
export function duplicateKeyPath(text: string): string[] | null {
  let top: Frame | null = null;
  const open = (isObject: boolean): void => {
    const name = top === null ? null : top.keys !== null ? top.key : String(top.index);
    top = { parent: top, name, keys: isObject ? new Set() : null, index: 0, key: null, expectKey: isObject };
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      const frame = top as Frame | null;
      if (frame !== null && frame.keys !== null && frame.expectKey) {
        const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
        if (frame.keys.has(key)) return pathOfFrame(frame, key);
        frame.keys.add(key);
        frame.key = key;
        frame.expectKey = false;
      }
    } else if (c === 0x7b /* { */) open(true);
    else if (c === 0x5b /* [ */) open(false);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) top = (top as Frame | null)?.parent ?? null;
    else if (c === 0x2c /* , */) {
      const frame = top as Frame | null;
      if (frame === null) continue;
      if (frame.keys !== null) frame.expectKey = true;
      else frame.index++;
    }
  }
  return null;
}
