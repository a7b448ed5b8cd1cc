// The OpenAPI 3 document, generated from the same RouteSpecs (and so the same zod schemas) that
// route and validate every request, and the /docs page rendered from that document.
import { z } from 'zod';
import { ProblemSchema, problemKinds } from '../http/problem.js';
import type { RouteSpec } from '../http/route.js';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType): JsonSchema => {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
};

/** /partners/:id → /partners/{id} */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parametersOf(route: RouteSpec): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema);
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      const { description, ...rest } = property;
      parameters.push({ name, in: where, required: where === 'path' || required.has(name), schema: rest, ...(description ? { description } : {}) });
    }
  }
  if (route.method === 'POST') {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Makes a retry safe: the same key with the same body answers the first answer and writes nothing; with another body, 409.',
      schema: { type: 'string', maxLength: 200 },
    });
  }
  parameters.push({
    name: 'X-Correlation-Id',
    in: 'header',
    required: false,
    description: 'Echoed in the response and recorded in every event the request writes; generated when absent.',
    schema: { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' },
  });
  return parameters;
}

const problemResponse = (description: string): JsonSchema => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

function responsesOf(route: RouteSpec): JsonSchema {
  const responses: JsonSchema = {
    [String(route.successStatus)]: {
      description: route.successStatus === 201 ? 'Recorded' : 'OK',
      content: { 'application/json': { schema: route.response ? toSchema(route.response) : { type: 'object' } } },
    },
  };
  if (route.params || route.query || route.body) responses['400'] = problemResponse('Malformed JSON or invalid input; every invalid field is named in `errors`');
  if (route.roles !== 'anyone') {
    responses['401'] = problemResponse('No token, or an unknown one');
    responses['403'] = problemResponse(`The role (allowed: ${route.roles.join(', ')}) or the partner is not allowed`);
  }
  if (route.params) responses['404'] = problemResponse('Unknown id');
  if (route.method === 'POST') {
    responses['409'] = problemResponse('A conflict with what is stored: duplicate id, stale revision, idempotency key reused with another body');
    responses['413'] = problemResponse('The body is too large');
    responses['415'] = problemResponse('The body is not application/json');
    responses['422'] = problemResponse('A business rule refuses the command; the rule is named in `detail`');
  }
  return responses;
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

export function buildOpenApiDocument(routes: readonly RouteSpec[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const operation: JsonSchema = {
      operationId: route.id,
      tags: [route.tag],
      summary: route.summary,
      description: [route.description, route.roles === 'anyone' ? 'Open to anyone.' : `Roles: ${route.roles.join(', ')}.`].filter(Boolean).join('\n\n'),
      parameters: parametersOf(route),
      responses: responsesOf(route),
      'x-roles': route.roles,
    };
    if (route.roles === 'anyone') operation.security = [];
    if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: toSchema(route.body) } } };
    const entry = (paths[path] ??= {});
    const method = route.method.toLowerCase();
    if (entry[method]) throw new Error(`two routes for ${route.method} ${route.path}`);
    entry[method] = operation;
  }
  return {
    openapi: '3.0.3',
    info,
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from LEDGER_TOKENS_FILE' } },
      schemas: { Problem: toSchema(ProblemSchema) },
    },
    'x-problem-types': Object.fromEntries(Object.entries(problemKinds).map(([kind, k]) => [`urn:ledger:problem:${kind}`, k])),
  };
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** A readable page of the document: every operation by tag with its roles, parameters, body and answers. */
export function renderDocsHtml(document: JsonSchema): string {
  const info = document.info as OpenApiInfo;
  const paths = document.paths as Record<string, Record<string, JsonSchema>>;
  const byTag = new Map<string, string[]>();
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const tag = ((op.tags as string[] | undefined) ?? ['other'])[0] ?? 'other';
      const parameters = (op.parameters as JsonSchema[]).filter((p) => p.in !== 'header');
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
      const responses = Object.entries(op.responses as Record<string, { description: string }>)
        .map(([status, r]) => `<li><b>${escapeHtml(status)}</b> ${escapeHtml(r.description)}</li>`)
        .join('');
      const section = `<section class="op" id="${escapeHtml(String(op.operationId))}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3><p>${escapeHtml(String(op.summary))}</p><p class="roles">${escapeHtml(String(op.description))}</p>${params}${body}<h4>Answers</h4><ul>${responses}</ul></section>`;
      const list = byTag.get(tag) ?? [];
      list.push(section);
      byTag.set(tag, list);
    }
  }
  const toc = [...byTag.keys()].map((t) => `<a href="#tag-${escapeHtml(t)}">${escapeHtml(t)}</a>`).join(' · ');
  const sections = [...byTag].map(([tag, ops]) => `<h2 id="tag-${escapeHtml(tag)}">${escapeHtml(tag)}</h2>${ops.join('')}`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(info.title)} — API</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f5;padding:.5rem;overflow:auto}
.op{border-top:1px solid #ddd;padding:.5rem 0}.m{display:inline-block;min-width:3.5rem;text-align:center;color:#fff;border-radius:3px;padding:0 .3rem}
.get{background:#2a7}.post{background:#27c}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}.roles{color:#555}
</style></head><body><h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1><p>${escapeHtml(info.description)}</p><p>The machine-readable document: <a href="/openapi.json">/openapi.json</a>. ${toc}</p>${sections}</body></html>`;
}
