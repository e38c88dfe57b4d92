// GET /openapi.json on the agent's (and the tray app's) server, and /docs when the chart page is
// on (--ui). The document is made at build time (scripts/gen-openapi.ts →
// agent-openapi.generated.ts) from the very routes the server registers, so the agent carries
// no OpenAPI generator: the text is loaded on the first request, and Swagger UI only with --ui.
import type { FastifyInstance } from 'fastify';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PREFIX = '/docs';

export async function registerOpenApiRoutes(app: FastifyInstance, options: { ui: boolean }): Promise<void> {
  app.get(OPENAPI_PATH, { schema: { summary: "This server's OpenAPI 3 document", tags: ['meta'] } }, async (_request, reply) => {
    const { AGENT_OPENAPI_TEXT } = await import('./agent-openapi.generated.js');
    void reply.type('application/json; charset=utf-8');
    return AGENT_OPENAPI_TEXT;
  });
  if (!options.ui) return;
  const [{ default: swagger }, { default: swaggerUi }, { AGENT_OPENAPI_TEXT }] = await Promise.all([
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
    import('./agent-openapi.generated.js'),
  ]);
  await app.register(swagger, { mode: 'static', specification: { document: JSON.parse(AGENT_OPENAPI_TEXT) as never } });
  const [{ docsBranding }, { defaultRendererDir }] = await Promise.all([import('./docs-branding.js'), import('./static-files.js')]);
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, ...docsBranding('Vigil agent API', defaultRendererDir()) });
}
