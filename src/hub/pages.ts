// The hub's pages:
//   /                  the fleet page: every machine with its live state, from GET /api/machines
//                      and the live feed (src/renderer/fleet, built into dist/renderer/fleet);
//   /machines/{id}/    a machine's daily charts: the chart page the agent serves (dist/renderer),
//                      pointed at /api/machines/{id} instead of /api.
// Served with the same strict Content-Security-Policy as the agent's page. The files are public
// (they hold no data); the pages send the hub token with their API calls when the hub has one.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VigilError } from '../shared/errors.js';
import { CONTENT_SECURITY_POLICY, defaultRendererDir } from '../core/server/static-files.js';
import type { HubReadModel } from './read-model.js';

export const PAGE_PUBLIC_PATHS = ['/', '/index.html', '/fleet.js', '/fleet.css', '/favicon.svg', '/favicon.ico'];
export const PAGE_PUBLIC_PREFIXES = ['/machines/'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

interface PageFile {
  body: Buffer;
  type: string;
  etag: string;
}

function pageFile(body: string | Buffer, type: string): PageFile {
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return { body: buffer, type, etag: `"${createHash('sha256').update(buffer).digest('base64url').slice(0, 22)}"` };
}

function send(request: FastifyRequest, reply: FastifyReply, file: PageFile): FastifyReply {
  void reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-cache')
    .header('etag', file.etag)
    .type(file.type);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.send(file.body);
}

export async function registerPages(app: FastifyInstance, hub: Pick<HubReadModel, 'machine' | 'logger'>, options: { rendererDir?: string }): Promise<void> {
  const dir = options.rendererDir ?? defaultRendererDir();
  const hide = { schema: { hide: true } };

  // The fleet page: its three files, at the root.
  const fleetDir = path.join(dir, 'fleet');
  const fleet = loadRenderer(fleetDir);
  if (!fleet.has('index.html')) hub.logger.warn('fleet page not built: / answers 503 (run npm run build)', { dir: fleetDir });
  const serveFleet = async (request: FastifyRequest, reply: FastifyReply, name: string) => {
    const file = fleet.get(name);
    if (!file) return reply.code(503).type('text/plain; charset=utf-8').send(`The Vigil fleet page is not built (no ${path.join(fleetDir, name)}): run npm run build.\n`);
    return send(request, reply, file);
  };
  app.get('/', hide, async (request, reply) => serveFleet(request, reply, 'index.html'));
  app.get('/index.html', hide, async (request, reply) => serveFleet(request, reply, 'index.html'));
  app.get('/fleet.js', hide, async (request, reply) => serveFleet(request, reply, 'fleet.js'));
  app.get('/fleet.css', hide, async (request, reply) => serveFleet(request, reply, 'fleet.css'));

  // The chart page, once per machine: index.html names its API base in a meta tag.
  const files = loadRenderer(dir);
  if (!files.has('index.html')) hub.logger.warn('chart page not built: /machines/{id}/ answers 503 (run npm run build)', { dir });
  // The icon both pages name (the chart page's own, beside it), and the one browsers ask for by themselves.
  for (const name of ['favicon.svg', 'favicon.ico']) {
    app.get(`/${name}`, hide, async (request, reply) => {
      const icon = files.get(name);
      if (!icon) throw new VigilError('not_found', `No route for GET /${name}`);
      return send(request, reply, icon);
    });
  }
  const indexFor = new Map<string, PageFile>();
  const serveChart = async (request: FastifyRequest, reply: FastifyReply, name: string) => {
    const { id } = request.params as { id: string };
    const machine = hub.machine(id);
    if (files.size === 0 || !files.has('index.html')) {
      return reply.code(503).type('text/plain; charset=utf-8').send(`The Vigil chart page is not built (no ${dir}/index.html): run npm run build.\n`);
    }
    if (name === 'index.html') {
      let file = indexFor.get(machine.id);
      if (!file) {
        const html = files.get('index.html')!.body.toString('utf8');
        file = pageFile(html.replace(/(<meta name="vigil-api-base" content=")[^"]*(")/, `$1/api/machines/${encodeURIComponent(machine.id)}$2`), TYPES['.html']!);
        indexFor.set(machine.id, file);
      }
      return send(request, reply, file);
    }
    const file = files.get(name);
    if (!file) throw new VigilError('not_found', `No route for GET ${request.url.split('?')[0]}`);
    return send(request, reply, file);
  };
  // Without the trailing slash the page's relative file names would resolve one level up.
  app.get('/machines/:id/', hide, async (request, reply) =>
    request.url.split('?')[0]!.endsWith('/') ? serveChart(request, reply, 'index.html') : reply.redirect(`/machines/${encodeURIComponent((request.params as { id: string }).id)}/`),
  );
  app.get('/machines/:id/:file', hide, async (request, reply) => serveChart(request, reply, (request.params as { file: string }).file));
}

function loadRenderer(dir: string): Map<string, PageFile> {
  const files = new Map<string, PageFile>();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return files;
  }
  for (const name of names) {
    const type = TYPES[path.extname(name)];
    if (type) files.set(name, pageFile(fs.readFileSync(path.join(dir, name)), type));
  }
  return files;
}
