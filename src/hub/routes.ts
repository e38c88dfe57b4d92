// The hub's HTTP surface. Who may call what:
//   - POST /api/ingest: a machine token (checked by the route itself, ingest.ts);
//   - GET /api/machines: the hub token, or any active machine token (agents learn their peers
//     from it), or anyone when the hub has no token (it then listens on loopback only);
//   - the rest of the read API and the live feed: the hub token when one is set;
//   - /health, /openapi.json, /docs and the pages' files: public (they hold no data; the pages ask
//     for the token and send it with their API calls).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { VigilError } from '../shared/errors.js';
import { parseIsoInstant } from '../shared/dates.js';
import { errorSchema, hubMachineSchema, machineListSchema, type HubMachineList } from '../shared/hub-api.js';
import type { Sample } from '../shared/model.js';
import { unflattenSample } from '../shared/series.js';
import { VERSION } from '../core/version.js';
import { registerHealthRoute } from '../core/server/health.js';
import { bearerToken, sendError, tokenMatches } from '../core/server/http-server.js';
import { registerApiRoutes } from '../core/server/api-routes.js';
import { finishOpenApi } from '../core/server/openapi.js';
import { registerMetricsRoute } from '../core/server/prometheus.js';
import { docsBranding } from '../core/server/docs-branding.js';
import { defaultRendererDir } from '../core/server/static-files.js';
import { defaultSettings } from '../shared/settings.js';
import { registerIngestRoute } from './ingest.js';
import type { LiveFeed } from './live.js';
import { registerPages, PAGE_PUBLIC_PATHS, PAGE_PUBLIC_PREFIXES } from './pages.js';
import type { HubIngest, HubReadModel } from './read-model.js';

export const PUBLIC_PATHS = ['/health', '/api/ingest', '/api/machines', '/openapi.json', ...PAGE_PUBLIC_PATHS];
export const PUBLIC_PREFIXES = ['/docs', ...PAGE_PUBLIC_PREFIXES];

/** Raw samples one /samples call returns at most (a day at 1 s is 86,400); ask for buckets beyond. */
export const MAX_RAW_SAMPLES = 100_000;

const UNITS = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as const;
type Unit = keyof typeof UNITS;

export interface HubRoutesOptions {
  read: HubReadModel;
  ingest: HubIngest;
  live: LiveFeed;
  tokenHash: string | null;
  rendererDir?: string;
}

export async function registerHubRoutes(app: FastifyInstance, options: HubRoutesOptions): Promise<void> {
  const { read: hub, live } = options;
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Vigil hub',
        version: VERSION,
        description: 'Machines report their samples here (POST /api/ingest); the read API serves every machine with the same endpoints as an agent’s chart API, under /api/machines/{id}.',
      },
      components: {
        securitySchemes: {
          hubToken: { type: 'http', scheme: 'bearer', description: 'The hub token (hub.tokenHash), when the hub has one' },
          machineToken: { type: 'http', scheme: 'bearer', description: 'A machine token printed by `vigil hub add-machine`' },
        },
      },
      security: [{ hubToken: [] }],
      tags: [
        { name: 'ingest', description: 'Agents deliver samples' },
        { name: 'read', description: 'Machines, their samples and the hub itself' },
        { name: 'machines', description: 'The chart API of one machine (as an agent serves it under /api)' },
      ],
    },
    // Lints clean under Redocly's recommended rules (operationIds, 4xx, named schemas, public paths).
    transformObject: (document) =>
      finishOpenApi('openapiObject' in document ? (document.openapiObject as Record<string, unknown>) : {}, {
        publicPaths: PUBLIC_PATHS.filter((path) => path !== '/api/machines' && path !== '/api/ingest'),
        server: { url: `http://127.0.0.1:${defaultSettings().hub.port}`, description: 'A hub on its default port (hub.port)' },
        errorSchema,
      }),
  });

  registerHealthRoute(app, hub.health);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerIngestRoute(app, options.ingest);
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === '/api/ingest' && reply.statusCode >= 400) options.ingest.countRejected();
  });

  app.get(
    '/api/machines',
    {
      schema: {
        summary: 'Every machine with its state (up / stale / sleeping / new), the hub’s own first',
        description: 'Readable with the hub token, or with any active machine token (agents learn their peers from this list).',
        tags: ['read'],
        security: [{ hubToken: [] }, { machineToken: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: { all: { type: 'boolean', description: 'Include revoked machines' } } },
        response: { 200: machineListSchema, '4xx': errorSchema },
      },
    },
    async (request, reply) => {
      if (options.tokenHash) {
        const token = bearerToken(request);
        const allowed = token !== null && (tokenMatches(token, options.tokenHash) || hub.authenticate(token) !== null);
        if (!allowed) return sendError(reply, new VigilError('unauthorized', token ? 'Wrong token' : 'A token is required (Authorization: Bearer <token>)'));
      }
      const { all } = request.query as { all?: boolean };
      const list: HubMachineList = { time: hub.now(), machines: hub.machines(all === true) };
      return list;
    },
  );

  app.get(
    '/api/machines/:id',
    {
      schema: {
        summary: 'One machine, by id or name',
        tags: ['read'],
        params: machineParam,
        response: { 200: hubMachineSchema, '4xx': errorSchema },
      },
    },
    async (request) => hub.machine((request.params as { id: string }).id),
  );

  app.get(
    '/api/machines/:id/samples',
    {
      schema: {
        summary: 'A machine’s samples in [from, to): raw, or bucketed min/avg/max',
        description:
          'from/to: ISO 8601 (2026-11-22T14:00:00+01:00) or unix ms; default: the last hour. Without `bucket`, raw samples (at most 100,000: ask for buckets beyond). With `bucket` (ms, or 30s, 5m, 1h, 1d), columnar min/avg/max per bucket; buckets of a minute or more come from rollups.',
        tags: ['read'],
        params: machineParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'string', maxLength: 40 },
            to: { type: 'string', maxLength: 40 },
            bucket: { type: 'string', maxLength: 20 },
            keys: { type: 'array', maxItems: 64, items: { type: 'string', minLength: 1, maxLength: 200 } },
          },
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const query = request.query as { from?: string; to?: string; bucket?: string; keys?: string[] };
      const machine = hub.machine(id);
      const now = hub.now();
      const to = query.to ? parseInstant(query.to, 'to') : now + 1;
      const from = query.from ? parseInstant(query.from, 'from') : to - 3_600_000;
      if (from >= to) throw new VigilError('invalid_range', `from (${from}) must be before to (${to})`);
      const store = hub.store(machine);
      if (query.bucket) {
        const bucketMs = parseBucket(query.bucket);
        if ((to - from) / bucketMs > 100_000) throw new VigilError('invalid_range', `${Math.ceil((to - from) / bucketMs)} buckets: use a wider bucket or a shorter range`);
        return { machineId: machine.id, ...store.query({ from, to, bucketMs, keys: query.keys }) };
      }
      const count = store.countSamples(from, to);
      if (count > MAX_RAW_SAMPLES) {
        throw new VigilError('invalid_range', `${count} raw samples in this range (at most ${MAX_RAW_SAMPLES} per call): pass bucket=1m (or wider), or a shorter range`);
      }
      const samples: Sample[] = [];
      for (const row of store.iterateRows(from, to)) samples.push(unflattenSample(row.ts, row.series, row.values));
      return { machineId: machine.id, from, to, bucketMs: null, samples };
    },
  );

  // The agent's chart API, per machine: /api/machines/{id}/host, /days, /day, /series, /latest,
  // /export.csv, and /live (every new sample of that machine, for its chart page's live view).
  const machineOf = (request: FastifyRequest) => hub.machine((request.params as { id: string }).id);
  registerApiRoutes(app, {
    prefix: '/api/machines/:id',
    tags: ['machines'],
    logger: hub.logger,
    service: (request) => hub.charts(machineOf(request)),
    live: (request) => {
      const { id } = machineOf(request);
      return { machineId: id, subscribe: (follower) => live.subscribe(id, follower) };
    },
  });

  app.get(
    '/api/hub',
    {
      schema: {
        summary: 'The hub itself: its machine’s CPU and memory, the hub process, storage, machine counts, the InfluxDB fan-out',
        description: 'units: B, KB, MB or GB (binary: 1 KB = 1,024 B) for every byte figure; default B.',
        tags: ['read'],
        querystring: { type: 'object', additionalProperties: false, properties: { units: { type: 'string', enum: Object.keys(UNITS) } } },
      },
    },
    async (request) => {
      const unit = ((request.query as { units?: Unit }).units ?? 'B') as Unit;
      const scale = (bytes: number | null | undefined) => (bytes == null ? null : Math.round((bytes / UNITS[unit]) * 100) / 100);
      const { selfLatest: latest, process, storage, fanOut } = hub.stats();
      const counts = { total: 0, up: 0, stale: 0, sleeping: 0, new: 0 };
      for (const m of hub.machines()) {
        counts.total++;
        counts[m.state]++;
      }
      return {
        machine: { id: hub.identity.id, name: hub.identity.name },
        version: VERSION,
        time: hub.now(),
        uptimeSeconds: Math.round((Date.now() - hub.health.startedAt) / 1000),
        units: unit,
        cpu: { percent: latest?.cpu.total ?? null, cores: latest?.cpu.cores ?? [], processPercent: process.cpuPercent },
        memory: {
          total: scale(latest?.memory.total),
          used: scale(latest?.memory.used),
          available: scale(latest?.memory.available),
          processRss: scale(process.rssBytes),
          processHeapUsed: scale(process.heapUsedBytes),
        },
        storage: {
          registry: scale(storage.registryBytes),
          self: scale(storage.selfBytes),
          machines: scale(storage.machinesBytes),
          total: scale(storage.registryBytes + storage.selfBytes + storage.machinesBytes),
          free: scale(storage.freeBytes),
          machineFiles: storage.machineFiles,
        },
        machines: counts,
        ingest: { batches: process.batches, samples: process.samples, rejected: process.rejected, openStores: process.openStores, liveClients: process.liveClients },
        fanOut,
      };
    },
  );

  live.register(app, (idOrName) => {
    try {
      return hub.machine(idOrName).id;
    } catch {
      return null;
    }
  });

  // GET /metrics: every machine's state and, while it is up, its latest sample in the Prometheus
  // text format (the same names as an agent's own /metrics); the hub's ingest counters and process.
  registerMetricsRoute(
    app,
    () => hub.snapshots(),
    () => hub.ownPoints(),
  );

  await registerPages(app, hub, { rendererDir: options.rendererDir });

  await app.register(swaggerUi, { routePrefix: '/docs', ...docsBranding('Vigil hub API', options.rendererDir ?? defaultRendererDir()) });
}

const machineParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128, description: 'The machine’s id (or its name)' } },
} as const;

/** ISO 8601 with a date (and optional time and offset), or unix milliseconds. */
export function parseInstant(text: string, name: string): number {
  const trimmed = text.trim();
  if (/^\d{1,16}$/.test(trimmed)) return Number(trimmed);
  const ms = parseIsoInstant(trimmed);
  if (ms !== null) return ms;
  throw new VigilError('invalid_argument', `${name}=${JSON.stringify(text)} is not a time: use ISO 8601 (2026-11-22T14:00:00+01:00, a real calendar date) or unix milliseconds`);
}

/** "60000", "30s", "5m", "1h", "1d" → ms (at least a second). */
export function parseBucket(text: string): number {
  const match = /^(\d{1,12})(ms|s|m|h|d)?$/.exec(text.trim());
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match?.[2] ?? 'ms') as 'ms'];
  const ms = match ? Number(match[1]) * factor : NaN;
  if (!Number.isSafeInteger(ms) || ms < 1000) throw new VigilError('invalid_argument', `bucket=${JSON.stringify(text)}: use milliseconds (≥ 1000) or 30s, 5m, 1h, 1d`);
  return ms;
}
