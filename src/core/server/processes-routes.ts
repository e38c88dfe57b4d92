// GET /api/processes?sort=cpu|mem&limit=N — the top processes (src/core/metrics/processes.ts),
// under the same rules as the rest of the API (loopback, or the access token). Read-only on
// purpose: there is no route to signal or start a process, and there will not be one.
//
// One lister per server, kept between requests, so a UI polling every few seconds gets the CPU %
// since its previous call; the first call measures over a 500 ms window.
import type { RouteModule } from '../runtime.js';
import { processesQuerySchema, type ProcessesQuery } from '../../shared/processes.js';
import type { ProcessLister } from '../metrics/processes.js';

export const processesRoutes: RouteModule = (app) => {
  let lister: Promise<ProcessLister> | null = null;
  app.get<{ Querystring: ProcessesQuery }>('/api/processes', { schema: { summary: 'The top processes by CPU or memory', querystring: processesQuerySchema } }, async (request, reply) => {
    // Loaded on the first request: an agent whose API nobody asks for processes never pays for it.
    lister ??= import('../metrics/processes.js').then((m) => m.createProcessLister());
    const list = await (await lister).list({ sort: request.query.sort, limit: request.query.limit });
    void reply.header('cache-control', 'no-store');
    return list;
  });
};
