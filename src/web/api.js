// @ts-check
// The page's only way to the server: GET with the bearer token, problem+json errors; and a
// command as a dry run (POST …?dryRun=true), which writes nothing.

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} title
   * @param {string} detail
   * @param {Array<{ path: string, message: string }>} [errors] every invalid field (400)
   */
  constructor(status, title, detail, errors = []) {
    super(`${status} ${title}${detail ? `: ${detail}` : ''}`);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
  }
}

/** @typedef {{ asOf?: string | null, validAt?: string | null, [name: string]: string | null | undefined }} QueryParams */

/**
 * Builds "/path?asOf=…&validAt=…", leaving out empty parameters.
 * @param {string} path
 * @param {QueryParams} [params]
 * @returns {string}
 */
export function urlFor(path, params = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(name, value);
  }
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

/**
 * The body of an answer as JSON, or null when it is empty or not JSON.
 * @param {Response} response
 * @returns {Promise<any>}
 */
async function jsonOrNull(response) {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/**
 * The ApiError of an answer that is not ok, from its problem+json body when it has one.
 * @param {Response} response
 * @param {any} body
 * @returns {ApiError}
 */
function problemOf(response, body) {
  return new ApiError(response.status, body?.title ?? response.statusText, body?.detail ?? '', Array.isArray(body?.errors) ? body.errors : []);
}

/**
 * The JSON body of an answer, or its ApiError when it is not ok.
 * @param {Response} response
 * @returns {Promise<any>}
 */
async function jsonAnswer(response) {
  const body = await jsonOrNull(response);
  if (!response.ok) throw problemOf(response, body);
  return body;
}

/**
 * @param {string} token
 * @returns {{ get: <T = any>(path: string, params?: QueryParams) => Promise<T>, file: (path: string, params?: QueryParams) => Promise<Blob>, dryRun: <T = any>(path: string, body: unknown) => Promise<T> }}
 */
export function createApi(token) {
  return {
    /** A command as a dry run: the events it would write and the balances it would move; nothing is written. */
    async dryRun(path, body) {
      const response = await fetch(urlFor(path, { dryRun: 'true' }), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify(body),
        cache: 'no-store',
      });
      return jsonAnswer(response);
    },
    /** A file answer (a statement's PDF): the bytes, or an ApiError from its problem. */
    async file(path, params) {
      const response = await fetch(urlFor(path, params), { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
      if (!response.ok) throw problemOf(response, await jsonOrNull(response));
      return response.blob();
    },
    async get(path, params) {
      const response = await fetch(urlFor(path, params), {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        cache: 'no-store',
      });
      return jsonAnswer(response);
    },
  };
}
