// The chart API over HTTP: a GET route per VigilApi method (paths and JSON Schemas from
// shared/api.ts), plus the CSV download. Thin on purpose: parameters are the query string, the
// body is the method's result, errors are VigilError's JSON (http-server.ts). The hub mounts the
// same routes per machine (prefix '/api/machines/:id', a service resolved from the request).
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_METHODS, API_PREFIX, API_ROUTES, EXPORT_ROUTE, EXPORT_ROWS_HEADER, LIVE_ROUTE, apiErrorSchema, type ExportParams } from '../../shared/api.js';
import type { Logger } from '../log.js';
import type { RuntimeContext } from '../runtime.js';
import { ChartService } from './chart-service.js';
import { LiveStreams, type LiveSource } from './live-stream.js';
import { registerRendererRoutes } from './static-files.js';

export interface ApiRoutesOptions {
  /** Where the routes live (default /api). */
  prefix?: string;
  /** The service answering a request (the agent has one; the hub picks the machine's). */
  service(request: FastifyRequest): ChartService | Promise<ChartService>;
  logger?: Logger;
  /** OpenAPI tags for the routes. */
  tags?: string[];
  /** The live feed's samples (LIVE_ROUTE); without it the route is absent and pages poll /latest. */
  live?(request: FastifyRequest): LiveSource | Promise<LiveSource>;
}

// Responses are small objects of arrays, or a snapshot whose schema is documentation (OpenAPI)
// rather than a filter: plain JSON.stringify, never a serializer that drops unknown fields.
const plainJson = () => (data: unknown) => JSON.stringify(data);

export function registerApiRoutes(app: FastifyInstance, options: ApiRoutesOptions): void {
  const prefix = (options.prefix ?? API_PREFIX).replace(/\/+$/, '');
  const tags = options.tags ?? ['charts'];
  for (const method of API_METHODS) {
    const route = API_ROUTES[method];
    app.get(
      `${prefix}${route.path}`,
      {
        schema: { summary: route.summary, tags, querystring: route.params, response: { 200: route.result, '4xx': apiErrorSchema } },
        serializerCompiler: plainJson,
      },
      async (request, reply) => {
        const service = await options.service(request);
        const started = performance.now();
        const result = await (service[method] as (params: unknown) => Promise<unknown>)(request.query ?? {});
        void reply.header('cache-control', 'no-store').header('server-timing', `query;dur=${(performance.now() - started).toFixed(1)}`);
        return result;
      },
    );
  }

  app.get(
    `${prefix}${EXPORT_ROUTE.path}`,
    {
      schema: {
        summary: EXPORT_ROUTE.summary,
        tags,
        querystring: EXPORT_ROUTE.params,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => exportRoute(await options.service(request), request.query as ExportParams, reply, options.logger),
  );

  const live = options.live;
  if (live) {
    const streams = new LiveStreams();
    app.addHook('preClose', async () => streams.closeAll());
    app.get(
      `${prefix}${LIVE_ROUTE.path}`,
      { schema: { summary: LIVE_ROUTE.summary, tags, produces: ['text/event-stream'] } },
      async (request, reply) => streams.serve(request, reply, await live(request)),
    );
  }
}

async function exportRoute(service: ChartService, params: ExportParams, reply: FastifyReply, logger: Logger | undefined): Promise<FastifyReply> {
  const plan = service.planExport(params);
  const body = new PassThrough();
  const abort = new AbortController();
  // The browser went away (tab closed, download cancelled): stop reading the database.
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  service.exportCsv(plan, body, { signal: abort.signal, timeFormat: params.timeFormat }).then(
    () => body.end(),
    (error: unknown) => {
      if (!abort.signal.aborted) logger?.warn('csv export failed mid-stream', { range: plan.label, error });
      body.destroy(error instanceof Error ? error : new Error(String(error)));
    },
  );
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${plan.fileName}"`)
    .header(EXPORT_ROWS_HEADER, String(plan.rows))
    .header('cache-control', 'no-store')
    .send(body);
}

/**
 * The agent's route module: the API over the engine's store, and the chart page at / when
 * `server.ui` is on. Imported only when the server runs.
 */
export async function registerChartRoutes(app: FastifyInstance, context: RuntimeContext): Promise<void> {
  const engine = context.engine;
  const service = new ChartService({
    store: engine.store,
    identity: context.identity,
    latest: () => engine.latest(),
    unflushed: () => engine.unflushed(),
    host: () => engine.host(),
    intervalSeconds: () => context.settings().sampling.intervalSeconds,
    traffic: () => context.settings().traffic,
  });
  const live: LiveSource = {
    machineId: context.identity.id,
    subscribe(listener) {
      engine.on('sample', listener);
      return () => engine.off('sample', listener);
    },
  };
  registerApiRoutes(app, { service: () => service, logger: context.logger, live: () => live });
  if (context.settings().server.ui) await registerRendererRoutes(app, { logger: context.logger });
}
