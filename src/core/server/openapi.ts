// The last step of both OpenAPI documents (the hub's, made by @fastify/swagger as it runs, and
// the agent's, made at build time by scripts/gen-openapi.ts), so that they lint clean under
// Redocly's recommended rules and read well in any client generator:
// - a `servers` entry and a licence;
// - an operationId on every operation (from its method and path where the route gives none:
//   GET /api/machines/{id}/day → getMachinesByIdDay) and a summary;
// - at least one 4xx response on every operation, with the one error body (see ERROR_NOTE);
// - the request and response bodies as named schemas under components/schemas (a schema's
//   `title`, else the operation's name + Response / Body), the same schema under one name;
// - public paths marked `security: []` (no token needed), the others keep the document's.
// Pure: no Fastify here, so the build script and the hub share it.

type Json = Record<string, unknown>;

export interface OpenApiFinish {
  /** Paths that need no token (/health, …): `security: []`. */
  publicPaths: readonly string[];
  /** Where the server usually listens, for `servers`. */
  server: { url: string; description: string };
  /** The JSON Schema of the error body (VigilError's JSON), for the 4xx added where a route declares none. */
  errorSchema: object;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * Every server answers 4xx whatever the route: without an access token only to loopback Host
 * names (DNS rebinding), with one only to requests that carry it. The body is VigilError's JSON.
 */
const ERROR_NOTE = 'Refused: a malformed request, a missing or wrong access token, or a Host name this server does not answer (no access token set). The body says why.';

export function finishOpenApi(document: Json, options: OpenApiFinish): Json {
  const doc = structuredClone(document);
  const info = (doc.info ??= {}) as Json;
  info.license ??= { name: 'MIT', url: 'https://opensource.org/licenses/MIT' };
  doc.servers = [options.server];
  const components = (doc.components ??= {}) as Json;
  const schemas = (components.schemas ??= {}) as Record<string, unknown>;
  const names = new Map<string, string>();
  for (const [name, schema] of Object.entries(schemas)) names.set(JSON.stringify(schema), name);

  /** The schema under a name (reused when the same schema has one already); returns its $ref. */
  const named = (schema: unknown, fallback: string): Json => {
    if (!schema || typeof schema !== 'object' || '$ref' in schema) return schema as Json;
    const text = JSON.stringify(schema);
    let name = names.get(text);
    if (!name) {
      const title = (schema as Json).title;
      name = uniqueName(typeof title === 'string' ? pascal(title) : fallback, schemas);
      schemas[name] = schema;
      names.set(text, name);
    }
    return { $ref: `#/components/schemas/${name}` };
  };

  const used = new Set<string>();
  const paths = (doc.paths ?? {}) as Record<string, Json>;
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      const id = uniqueId(typeof operation.operationId === 'string' ? operation.operationId : operationIdOf(method, path), used);
      operation.operationId = id;
      operation.summary ??= typeof operation.description === 'string' ? firstSentence(operation.description) : `${method.toUpperCase()} ${path}`;
      if (options.publicPaths.includes(path)) operation.security = [];

      const responses = (operation.responses ??= {}) as Record<string, Json>;
      // A route that declares only its errors answers 200 with JSON when it succeeds (every
      // route of ours does): say so, without a schema the route itself does not give.
      if (!Object.keys(responses).some((code) => code.startsWith('2'))) responses['200'] = { description: 'Done: the JSON result.' };
      if (!Object.keys(responses).some((code) => code.startsWith('4'))) {
        responses['4XX'] = { description: ERROR_NOTE, content: { 'application/json': { schema: structuredClone(options.errorSchema) } } };
      }
      for (const [code, response] of Object.entries(responses)) {
        const kind = code.startsWith('2') ? 'Response' : code === 'default' || /^[45]/.test(code) ? 'Error' : `Response${code}`;
        for (const media of Object.values((response.content ?? {}) as Record<string, Json>)) {
          if (media.schema) media.schema = named(media.schema, kind === 'Error' ? 'Error' : `${pascal(id)}${kind}`);
        }
      }
      const body = operation.requestBody as Json | undefined;
      for (const media of Object.values((body?.content ?? {}) as Record<string, Json>)) {
        if (media.schema) media.schema = named(media.schema, `${pascal(id)}Body`);
      }
    }
  }
  return doc;
}

/** GET /api/machines/{id}/day → getMachinesByIdDay; GET /health → getHealth. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .split('/')
    .filter((segment) => segment !== '' && segment !== 'api')
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      return param ? `By${pascal(param[1]!)}` : pascal(segment);
    });
  return `${method}${words.join('') || 'Root'}`;
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

function firstSentence(text: string): string {
  const end = text.search(/[.:\n]/);
  return (end > 0 ? text.slice(0, end) : text).trim().slice(0, 120);
}

function uniqueId(id: string, used: Set<string>): string {
  let candidate = id;
  for (let n = 2; used.has(candidate); n++) candidate = `${id}${n}`;
  used.add(candidate);
  return candidate;
}

function uniqueName(name: string, taken: Record<string, unknown>): string {
  let candidate = name;
  for (let n = 2; candidate in taken; n++) candidate = `${name}${n}`;
  return candidate;
}
