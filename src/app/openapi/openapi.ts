// The OpenAPI 3.1 document, generated from the same RouteSpecs (and so the same zod schemas) that
// route and validate every request, with the answers' schemas (http/answers.ts) and one problem
// answer for every error status the server gives; and the /docs page (Swagger UI, served from
// node_modules by docs-assets.ts) over that document, with a plain list for readers without script.
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { DryRunAnswerSchema, DryRunQuery } from '../http/dry-run.js';
import { ReportRateLimiter } from '../http/report-rate.js';
import { type ProblemKind, ProblemSchema, problemKinds, problemType } from '../http/problem.js';
import type { RouteSpec } from '../http/route.js';

type JsonSchema = Record<string, unknown>;

/** The JSON Schema dialect of OpenAPI 3.1 is 2020-12: zod's draft-2020-12 output is used as it is. */
const DEFS_PREFIX = '#/$defs/';
const COMPONENTS_PREFIX = '#/components/schemas/';

/**
 * Converts zod schemas for one document: a schema with a `.meta({id})` (Problem, Health, the
 * answers) becomes one entry of components.schemas, referenced by every operation that uses it.
 * The same id converted for input and for output, when the two differ, gets an `Input` suffix.
 */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    const names = new Map<string, string>();
    for (const [id, def] of Object.entries(defs)) {
      const existing = this.schemas[id];
      const name = existing === undefined || isDeepStrictEqual(existing, rewriteRefs(def, (ref) => ref)) ? id : `${id}${io === 'input' ? 'Input' : 'Output'}`;
      names.set(id, name);
    }
    const rename = (ref: string): string => (ref.startsWith(DEFS_PREFIX) ? `${COMPONENTS_PREFIX}${names.get(ref.slice(DEFS_PREFIX.length)) ?? ref.slice(DEFS_PREFIX.length)}` : ref);
    for (const [id, def] of Object.entries(defs)) {
      const name = names.get(id) as string;
      const rewritten = rewriteRefs(def, rename);
      const existing = this.schemas[name];
      if (existing !== undefined && !isDeepStrictEqual(existing, rewritten)) throw new Error(`two different schemas are both named ${name} in the OpenAPI document`);
      this.schemas[name] = rewritten;
    }
    return rewriteRefs(json, rename);
  }
}

/** A copy of a JSON schema with every $ref passed through `rename`. */
function rewriteRefs(value: JsonSchema, rename: (ref: string) => string): JsonSchema {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' ? rename(x) : walk(x)]));
  };
  return walk(value) as JsonSchema;
}

/** /partners/:id → /partners/{id} */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const hasPathParameters = (route: RouteSpec): boolean => /:[A-Za-z0-9_]+/.test(route.path);

function parametersOf(route: RouteSpec, components: SchemaComponents): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = components.convert(schema, 'input');
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      // An example is told in words, not given as `example`: Swagger UI's "try it out" would send it
      // (an asOf of some example day instead of now).
      const { description, example, examples: _examples, ...rest } = property;
      const told = [description, example === undefined ? '' : `e.g. ${String(example)}`].filter(Boolean).join('; ');
      parameters.push({ name, in: where, required: where === 'path' || required.has(name), schema: rest, ...(told ? { description: told } : {}) });
    }
  }
  if (route.method === 'POST') parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
  parameters.push({ $ref: '#/components/parameters/CorrelationId' });
  return parameters;
}

/**
 * Every error status the server answers, each an application/problem+json body, and which
 * operations can get it. The router, Node and the connection cap answer some before any route
 * runs (400 bad percent-encoding, 408, 414, 417, 431, 503): those apply to every operation.
 */
interface ErrorAnswer {
  status: number;
  kinds: ProblemKind[];
  description: string;
  headers?: string[];
  appliesTo: (route: RouteSpec) => boolean;
}

const always = (): boolean => true;
const authenticated = (route: RouteSpec): boolean => route.roles !== 'anyone';
const isCommand = (route: RouteSpec): boolean => route.method === 'POST';

export const errorAnswers: readonly ErrorAnswer[] = [
  {
    status: 400,
    kinds: ['invalid-input', 'malformed-json'],
    description: 'Invalid input (each invalid field named in `errors`: `params.id`, `query.asOf`, `body.amount`, `header.X-Correlation-Id`), malformed JSON, a key given twice, or a URL that is not validly percent-encoded',
    appliesTo: always,
  },
  { status: 401, kinds: ['unauthenticated'], description: 'No bearer token, or an unknown one (repeated failures from one address are answered more slowly)', headers: ['WWW-Authenticate'], appliesTo: authenticated },
  { status: 403, kinds: ['forbidden'], description: "The token's role may not call this route, or a partner's token asks about another partner", appliesTo: authenticated },
  {
    status: 404,
    kinds: ['not-found'],
    description: 'An id the ledger does not know (for a partner, also another partner\'s deal: the two read alike)',
    appliesTo: (route) => isCommand(route) || route.params !== undefined,
  },
  { status: 408, kinds: ['request-timeout'], description: 'The request did not arrive in time (LEDGER_HEADERS_TIMEOUT_MS, LEDGER_REQUEST_TIMEOUT_MS); the connection is closed', appliesTo: always },
  {
    status: 409,
    kinds: ['conflict'],
    description: 'A conflict with what is stored: an id already taken with other figures, a concurrent change that won every retry, an Idempotency-Key reused with another body',
    appliesTo: isCommand,
  },
  { status: 413, kinds: ['body-too-large'], description: 'The body is larger than LEDGER_BODY_LIMIT_BYTES (64 KiB by default)', appliesTo: isCommand },
  { status: 414, kinds: ['uri-too-long'], description: 'A path parameter is longer than 1,000 characters', appliesTo: hasPathParameters },
  { status: 415, kinds: ['unsupported-media-type'], description: 'The body is not uncompressed UTF-8 JSON (application/json or application/*+json)', appliesTo: isCommand },
  { status: 417, kinds: ['expectation-failed'], description: 'An `Expect` header other than `100-continue`', appliesTo: always },
  {
    status: 422,
    kinds: ['rule-refused'],
    description: 'A business rule refuses the command: `rule` names it (a stable code such as `transfer-owner-not-idle`), `figures` gives the numbers it was decided on; nothing is written',
    appliesTo: isCommand,
  },
  {
    status: 429,
    kinds: ['too-many-requests'],
    description: "The token's report allowance is spent (LEDGER_REPORT_RATE_PER_MIN cost units a minute); `Retry-After` says when to retry",
    headers: ['Retry-After'],
    appliesTo: (route) => ReportRateLimiter.costOf(route.path) > 0,
  },
  { status: 431, kinds: ['headers-too-large'], description: 'The request headers are too large; the connection is closed', appliesTo: always },
  { status: 500, kinds: ['internal'], description: 'The ledger failed to answer; the error is in its log under the correlation id', appliesTo: always },
  {
    status: 503,
    kinds: ['unavailable'],
    description:
      'Commands refused (read-only forensics, a broken hash chain, a stopped read model; reads still answer), the store unavailable, or too many open connections from one address (`Retry-After`)',
    headers: ['Retry-After'],
    appliesTo: always,
  },
];

/** The answer to a known path with a method it does not serve: documented once (components.responses.Problem405). */
const methodNotAllowed: ErrorAnswer = {
  status: 405,
  kinds: ['method-not-allowed'],
  description: 'A known path asked with a method it does not serve (any path of this document); `Allow` lists the methods it does',
  headers: ['Allow'],
  appliesTo: () => false,
};

const responseName = (status: number): string => `Problem${status}`;

function problemResponse(answer: ErrorAnswer): JsonSchema {
  const examples = Object.fromEntries(
    answer.kinds.map((kind) => {
      const { status, title } = problemKinds[kind];
      return [kind, { value: { type: problemType(kind), title, status, detail: answer.description.split(/[;:(]/)[0]!.trim() } }];
    }),
  );
  return {
    description: answer.description,
    headers: Object.fromEntries(['X-Correlation-Id', ...(answer.headers ?? [])].map((h) => [h, { $ref: `#/components/headers/${h}` }])),
    content: { 'application/problem+json': { schema: { $ref: `${COMPONENTS_PREFIX}Problem` }, examples } },
  };
}

function responsesOf(route: RouteSpec, components: SchemaComponents): JsonSchema {
  const success: JsonSchema = {
    description:
      route.successStatus === 201
        ? 'Recorded (or, for a retry with the same Idempotency-Key, the first answer again)'
        : route.successStatus === 202
          ? 'Accepted: recorded as a proposal that takes effect only when approved (or, for a retry with the same Idempotency-Key, the first answer again)'
          : 'OK',
    headers: {
      'X-Correlation-Id': { $ref: '#/components/headers/X-Correlation-Id' },
      ...(isCommand(route) ? { 'Idempotent-Replayed': { $ref: '#/components/headers/Idempotent-Replayed' } } : {}),
    },
    // Answers are described as open objects (io 'input': no additionalProperties), so a field added later breaks no client.
    content: { 'application/json': { schema: route.response ? components.convert(route.response, 'input') : { description: 'not described yet' } } },
  };
  const responses: JsonSchema = { [String(route.successStatus)]: success };
  if (route.query === DryRunQuery) {
    responses['200'] = {
      description: 'A dry run (`dryRun=true`): what the command would write and how each affected balance would change; nothing was written',
      headers: { 'X-Correlation-Id': { $ref: '#/components/headers/X-Correlation-Id' } },
      content: { 'application/json': { schema: components.convert(DryRunAnswerSchema, 'input') } },
    };
  }
  for (const answer of errorAnswers) if (answer.appliesTo(route)) responses[String(answer.status)] = { $ref: `#/components/responses/${responseName(answer.status)}` };
  return responses;
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

const errorsDescription = [
  '',
  '',
  'Errors are `application/problem+json` (RFC 9457): `type` is `urn:ledger:problem:<kind>`; a refused business rule adds `rule` and `figures`; invalid input lists every bad field in `errors`. Every answer carries `X-Correlation-Id`.',
  `A known path asked with a method it does not serve is answered 405 with \`Allow\` (${responseName(405)} below); an unknown path 404.`,
].join('\n');

export function buildOpenApiDocument(routes: readonly RouteSpec[], info: OpenApiInfo): JsonSchema {
  const components = new SchemaComponents();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const operation: JsonSchema = {
      operationId: route.id,
      tags: [route.tag],
      summary: route.summary,
      description: [route.description, route.roles === 'anyone' ? 'Open to anyone.' : `Roles: ${route.roles.join(', ')}.`].filter(Boolean).join('\n\n'),
      parameters: parametersOf(route, components),
      responses: responsesOf(route, components),
      'x-roles': route.roles,
    };
    if (route.roles === 'anyone') operation.security = [];
    if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: components.convert(route.body, 'input') } } };
    const entry = (paths[path] ??= {});
    const method = route.method.toLowerCase();
    if (entry[method]) throw new Error(`two routes for ${route.method} ${route.path}`);
    entry[method] = operation;
  }
  const problem = components.convert(ProblemSchema, 'input');
  if (problem.$ref !== `${COMPONENTS_PREFIX}Problem`) throw new Error('the problem schema must carry meta({ id: "Problem" })');
  return {
    openapi: '3.1.0',
    info: { ...info, description: info.description + errorsDescription },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from LEDGER_TOKENS_FILE (one per role; a partner token names its partner)' } },
      schemas: components.schemas,
      responses: Object.fromEntries([...errorAnswers, methodNotAllowed].sort((a, b) => a.status - b.status).map((a) => [responseName(a.status), problemResponse(a)])),
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'Makes a retry safe: the same key with the same body answers the first answer again and writes nothing; with another body, 409.',
          schema: { type: 'string', minLength: 1, maxLength: 200 },
        },
        CorrelationId: {
          name: 'X-Correlation-Id',
          in: 'header',
          required: false,
          description: 'Echoed in the response and recorded in every event the request writes; generated when absent.',
          schema: { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' },
        },
      },
      headers: {
        'X-Correlation-Id': { description: "The request's correlation id (the caller's, or a generated uuid)", schema: { type: 'string' } },
        'Idempotent-Replayed': { description: '`true` when the answer is replayed for a repeated Idempotency-Key', schema: { type: 'string', enum: ['true'] } },
        'Retry-After': { description: 'Whole seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
        'WWW-Authenticate': { description: '`Bearer realm="ledger"`', schema: { type: 'string' } },
        Allow: { description: 'The methods the path serves', schema: { type: 'string' } },
      },
    },
    'x-problem-types': Object.fromEntries(Object.entries(problemKinds).map(([kind, k]) => [problemType(kind as ProblemKind), k])),
  };
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/**
 * The /docs page: Swagger UI over /openapi.json (try it out with a bearer token), and the same
 * operations by tag with their roles, parameters, body and answers as plain HTML (noscript).
 */
export function renderDocsHtml(document: JsonSchema): string {
  const info = document.info as OpenApiInfo;
  const paths = document.paths as Record<string, Record<string, JsonSchema>>;
  const sharedResponses = ((document.components as JsonSchema | undefined)?.responses ?? {}) as Record<string, { description?: string }>;
  const byTag = new Map<string, string[]>();
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const tag = ((op.tags as string[] | undefined) ?? ['other'])[0] ?? 'other';
      const parameters = (op.parameters as JsonSchema[]).filter((p) => p.in === 'path' || p.in === 'query');
      const params = parameters.length
        ? `<table><thead><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr></thead><tbody>${parameters
            .map(
              (p) =>
                `<tr><td><code>${escapeHtml(String(p.name))}</code></td><td>${escapeHtml(String(p.in))}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code>${p.description ? `<br>${escapeHtml(String(p.description))}` : ''}</td></tr>`,
            )
            .join('')}</tbody></table>`
        : '';
      const body = op.requestBody
        ? `<h4>Body</h4><pre>${escapeHtml(JSON.stringify((op.requestBody as { content: Record<string, { schema: unknown }> }).content['application/json']?.schema, null, 2))}</pre>`
        : '';
      const responses = Object.entries(op.responses as Record<string, { description?: string; $ref?: string }>)
        .map(([status, r]) => `<li><b>${escapeHtml(status)}</b> ${escapeHtml(r.description ?? sharedResponses[(r.$ref ?? '').split('/').pop() ?? '']?.description ?? '')}</li>`)
        .join('');
      const section = `<section class="op" id="${escapeHtml(String(op.operationId))}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3><p>${escapeHtml(String(op.summary))}</p><p class="roles">${escapeHtml(String(op.description))}</p>${params}${body}<h4>Answers</h4><ul>${responses}</ul></section>`;
      const list = byTag.get(tag) ?? [];
      list.push(section);
      byTag.set(tag, list);
    }
  }
  const toc = [...byTag.keys()].map((t) => `<a href="#tag-${escapeHtml(t)}">${escapeHtml(t)}</a>`).join(' · ');
  const sections = [...byTag].map(([tag, ops]) => `<h2 id="tag-${escapeHtml(tag)}">${escapeHtml(tag)}</h2>${ops.join('')}`).join('');
  // Swagger UI draws the page from /openapi.json; the same operations as plain HTML for a reader without script.
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(info.title)} — API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"><link rel="icon" type="image/png" href="/docs/favicon-32x32.png"><style>
.plain{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
.plain code,.plain pre{font:13px ui-monospace,monospace}.plain pre{background:#f5f5f5;padding:.5rem;overflow:auto}
.plain .op{border-top:1px solid #ddd;padding:.5rem 0}.plain .m{display:inline-block;min-width:3.5rem;text-align:center;color:#fff;border-radius:3px;padding:0 .3rem}
.plain .get{background:#2a7}.plain .post{background:#27c}.plain table{border-collapse:collapse}.plain td,.plain th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}.plain .roles{color:#555}
</style></head><body><div id="swagger-ui"></div><noscript><div class="plain"><h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1><p>${escapeHtml(info.description)}</p><p>The machine-readable document: <a href="/openapi.json">/openapi.json</a>. ${toc}</p>${sections}</div></noscript>
<script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body></html>`;
}
